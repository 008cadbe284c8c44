"""People on the other side of the fake Bot API: they write, press buttons and send voice notes.

Each action builds the Update Telegram would produce; `deliver` posts it to the registered
webhook (with the registered secret), `enqueue` leaves it for getUpdates.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx

from tests.fakes.telegram_api import FakeTelegram


class Users:
    """Build the updates a person's Telegram client causes."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.message_ids = itertools.count(500_000)
        self.query_ids = itertools.count(7_000_000_000)

    @staticmethod
    def person(chat_id: int) -> dict[str, Any]:
        """Return the User object of a person (their chat id is their user id)."""
        return {"id": chat_id, "is_bot": False, "first_name": "Camille", "language_code": "fr"}

    def _message(self, chat_id: int, **body: Any) -> dict[str, Any]:
        """Build an update carrying a message from a person."""
        self.fake.know_chat(chat_id)
        message = {
            "message_id": next(self.message_ids),
            "from": self.person(chat_id),
            "chat": {"id": chat_id, "first_name": "Camille", "type": "private"},
            "date": int(time.time()),
            **body,
        }
        return {"update_id": self.fake.new_update_id(), "message": message}

    def text(self, chat_id: int, text: str) -> dict[str, Any]:
        """A person writes a text (a leading /command gets its bot_command entity)."""
        body: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0].encode("utf-16-le")) // 2
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._message(chat_id, **body)

    def voice(self, chat_id: int, data: bytes, duration: int = 3) -> dict[str, Any]:
        """A person records a voice note."""
        stored = self.fake.store_file(data, "voice", "oga")
        voice = {**stored, "duration": duration, "mime_type": "audio/ogg"}
        return self._message(chat_id, voice=voice)

    def buttons(self, chat_id: int, message_id: int) -> list[dict[str, Any]]:
        """Return the inline buttons a message shows now."""
        markup = self.fake.message(chat_id, message_id).get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def last_with_buttons(self, chat_id: int) -> dict[str, Any]:
        """Return the latest bot message that shows buttons."""
        for message in reversed(self.fake.chat(chat_id)):
            if message.get("reply_markup"):
                return message
        raise AssertionError(f"no message with buttons in chat {chat_id}")

    def press(self, chat_id: int, label: str, message_id: int | None = None) -> dict[str, Any]:
        """A person presses the button whose text contains `label` (latest keyboard by default)."""
        if message_id is None:
            message_id = self.last_with_buttons(chat_id)["message_id"]
        for button in self.buttons(chat_id, message_id):
            if label.casefold() in button["text"].casefold():
                return self.press_data(chat_id, message_id, button["callback_data"])
        shown = [b["text"] for b in self.buttons(chat_id, message_id)]
        raise AssertionError(f"no button {label!r} on message {message_id}: {shown}")

    def press_data(self, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        """A (possibly modified) client sends a callback query with this data."""
        query_id = str(next(self.query_ids))
        with self.fake.lock:
            self.fake.state.callback_queries[query_id] = False
        message = json.loads(json.dumps(self.fake.message(chat_id, message_id)))
        for key in ("html", "uploaded"):
            message.pop(key, None)
        query = {
            "id": query_id,
            "from": self.person(chat_id),
            "message": message,
            "chat_instance": f"-{chat_id}42",
            "data": data,
        }
        return {"update_id": self.fake.new_update_id(), "callback_query": query}

    async def deliver(self, update: dict[str, Any], timeout: float = 30.0) -> httpx.Response:
        """Post an update to the registered webhook, as Telegram does."""
        with self.fake.lock:
            hook = self.fake.state.webhook
        if hook is None:
            raise AssertionError("no webhook is set: Telegram would not deliver anything")
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        async with httpx.AsyncClient(timeout=timeout) as client:
            return await client.post(hook["url"], content=json.dumps(update), headers=headers)
