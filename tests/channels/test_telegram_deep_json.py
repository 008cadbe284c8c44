"""A Telegram webhook body nested thousands deep is a 400, not a RecursionError 500."""

from __future__ import annotations

import json

from storage.models import InboundEvent
from tests.channels.telegram_world import World


async def test_deeply_nested_json_is_refused_with_400(world: World) -> None:
    good = {"Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": world.config.webhook_secret}  # fmt: skip
    deep = b'{"update_id": 7, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert (await world.post(deep, good)).status_code == 400
    assert (await world.post(b"[" * 100_000, good)).status_code == 400
    assert world.count(InboundEvent) == 0


async def test_fields_of_the_wrong_type_are_a_400(world: World) -> None:
    good = {"Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": world.config.webhook_secret}  # fmt: skip
    press = {"update_id": 8, "callback_query": {"id": "1", "data": ["a"], "chat_instance": "c",
                                                "from": {"id": 5, "is_bot": False, "first_name": "A"}}}
    voice = {"update_id": 9, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},
                                         "voice": {"file_id": "f", "file_unique_id": "u",
                                                   "duration": 10**30}}}  # fmt: skip
    for update in (press, voice):
        assert (await world.post(json.dumps(update).encode(), good)).status_code == 400
    assert world.count(InboundEvent) == 0
