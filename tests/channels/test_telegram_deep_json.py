"""A Telegram webhook body nested thousands deep is a 400, not a RecursionError 500."""

from __future__ import annotations

from storage.models import InboundEvent
from tests.channels.telegram_world import World


async def test_deeply_nested_json_is_refused_with_400(world: World) -> None:
    good = {"Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": world.config.webhook_secret}  # fmt: skip
    deep = b'{"update_id": 7, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert (await world.post(deep, good)).status_code == 400
    assert (await world.post(b"[" * 100_000, good)).status_code == 400
    assert world.count(InboundEvent) == 0
