"""The Bot API methods of the fake server, with the checks Telegram makes before it answers."""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import time
from typing import Any

from tests.fakes.telegram_html import EntityError, parse_html, utf16_length
from tests.fakes.telegram_state import ApiError, State, Upload, read_bool, read_int

SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class BotApiMethods:
    """One coroutine per Bot API method (`api_<name>`), over the server's state."""

    state: State
    lock: threading.RLock
    bot_id: int
    username: str

    def store_file(self, data: bytes, folder: str, suffix: str) -> dict[str, Any]:
        """Keep a file on the server and return its File fields."""
        raise NotImplementedError

    # sending checks -----------------------------------------------------------
    def _deliverable(self, params: dict[str, Any]) -> int:
        """Check the chat may receive a message now; return its id."""
        chat_id = read_int(params.get("chat_id"))
        with self.lock:
            if chat_id in self.state.blocked:
                raise ApiError(403, BLOCKED)
            if chat_id not in self.state.known_chats:
                raise ApiError(400, "Bad Request: chat not found")
            for limit in self.state.rate_limits:
                if limit.times > 0 and limit.chat_id in (None, chat_id):
                    limit.times -= 1
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {limit.retry_after}",
                        retry_after=limit.retry_after,
                    )
        return chat_id

    def _text(self, params: dict[str, Any], key: str = "text", limit: int = 4096) -> str:
        """Return the text a user sees, checking parse mode and length."""
        raw = str(params.get(key) or "")
        try:
            text = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        except EntityError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
        if key == "text" and not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > limit:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        """Check an inline keyboard the way Telegram does."""
        markup = params.get("reply_markup")
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return dict(markup)

    def _store(self, chat_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Record a new bot message and return it as the API's Message."""
        with self.lock:
            counter = self.state.message_ids.setdefault(chat_id, itertools.count(1))
            message = {
                "message_id": next(counter),
                "from": {
                    "id": self.bot_id,
                    "is_bot": True,
                    "first_name": "Porte-voix",
                    "username": self.username,
                },
                "chat": {"id": chat_id, "first_name": "Camille", "type": "private"},
                "date": int(time.time()),
                **body,
            }
            self.state.messages[(chat_id, message["message_id"])] = message
            return dict(message)

    # methods ------------------------------------------------------------------
    async def api_getme(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Describe the bot."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Porte-voix",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def api_setwebhook(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Register a webhook (plain http on 127.0.0.1 is allowed here, unlike Telegram)."""
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_RE.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self.lock:
            if not url:
                self.state.webhook = None
                return True
            if not url.startswith(("https://", "http://127.0.0.1")):
                raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
            self.state.webhook = {
                "url": url,
                "secret_token": secret,
                "allowed_updates": params.get("allowed_updates"),
            }
            if read_bool(params.get("drop_pending_updates")):
                self.state.updates.clear()
        return True

    async def api_deletewebhook(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Remove the webhook."""
        with self.lock:
            self.state.webhook = None
            if read_bool(params.get("drop_pending_updates")):
                self.state.updates.clear()
        return True

    async def api_getwebhookinfo(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Describe the webhook."""
        with self.lock:
            hook = self.state.webhook or {}
            return {
                "url": hook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self.state.updates),
            }

    async def api_getupdates(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Long-poll for updates: confirm those below offset, wait up to timeout."""
        offset = read_int(params.get("offset", 0))
        limit = min(max(read_int(params.get("limit", 100)), 1), 100)
        deadline = time.monotonic() + max(read_int(params.get("timeout", 0)), 0)
        while True:
            with self.lock:
                if self.state.webhook is not None:
                    raise ApiError(
                        409,
                        "Conflict: can't use getUpdates method while webhook is "
                        "active; use deleteWebhook to delete the webhook first",
                    )
                if offset:
                    kept = [u for u in self.state.updates if u["update_id"] >= offset]
                    self.state.updates[:] = kept
                ready = self.state.updates[:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)

    async def api_sendmessage(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Send a text message, with an optional inline keyboard."""
        chat_id = self._deliverable(params)
        text = self._text(params)
        body: dict[str, Any] = {"text": text, "html": params.get("text")}
        markup = self._markup(params)
        if markup:
            body["reply_markup"] = markup
        return self._store(chat_id, body)

    async def api_sendvoice(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Send a voice note: an uploaded OGG file (multipart) or a known file_id."""
        chat_id = self._deliverable(params)
        upload = files.get("voice")
        if upload is not None:
            data = upload.data
        else:
            file_id = str(params.get("voice") or "")
            with self.lock:
                if file_id not in self.state.files:
                    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
                data = self.state.files[file_id][1]
        if not data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        stored = self.store_file(data, "voice", "oga")
        voice = {**stored, "duration": read_int(params.get("duration", 0)), "mime_type": "audio/ogg"}
        body: dict[str, Any] = {"voice": voice, "uploaded": upload is not None}
        if params.get("caption"):
            body["caption"] = self._text(params, "caption", 1024)
        markup = self._markup(params)
        if markup:
            body["reply_markup"] = markup
        return self._store(chat_id, body)

    async def api_answercallbackquery(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Acknowledge a button press, once."""
        query_id = str(params.get("callback_query_id") or "")
        with self.lock:
            if self.state.callback_queries.get(query_id, True):
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is invalid",
                )
            self.state.callback_queries[query_id] = True
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return the message an edit targets."""
        chat_id = read_int(params.get("chat_id"))
        with self.lock:
            if chat_id in self.state.blocked:
                raise ApiError(403, BLOCKED)
            message = self.state.messages.get((chat_id, read_int(params.get("message_id"))))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    async def api_editmessagetext(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Replace the text (and keyboard) of a bot message."""
        message = self._editable(params)
        text, markup = self._text(params), self._markup(params)
        with self.lock:
            if text == message.get("text") and markup == message.get("reply_markup"):
                raise ApiError(400, NOT_MODIFIED)
            message.update(text=text, html=params.get("text"), edit_date=int(time.time()))
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            return dict(message)

    async def api_editmessagereplymarkup(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Replace the keyboard of a bot message."""
        message = self._editable(params)
        markup = self._markup(params)
        with self.lock:
            if markup == message.get("reply_markup"):
                raise ApiError(400, NOT_MODIFIED)
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return dict(message)

    async def api_getfile(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Describe a file and where to download it."""
        file_id = str(params.get("file_id") or "")
        with self.lock:
            if file_id not in self.state.files:
                raise ApiError(400, "Bad Request: invalid file_id")
            path, data = self.state.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": "AgAD" + file_id[-8:],
            "file_size": len(data),
            "file_path": path,
        }
