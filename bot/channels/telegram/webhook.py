"""POST /webhooks/telegram: check the secret and the body, handle the update, then answer 200.

The update is handled inside the request, so Telegram's 200 goes out only after the service
committed; the feedback to a press and the replies follow the response. A failure answers 500 and Telegram
delivers the update again (the service dedupes on the update id).
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING, Any

from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot import jsonbody
from bot.channels.plugin import Hub
from bot.channels.telegram.config import WEBHOOK_PATH
from bot.channels.telegram.updates import UpdateHandler
from bot.intake import Flooded

if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _error(status: int, reason: str) -> JSONResponse:
    """Return a short JSON error."""
    return JSONResponse({"ok": False, "error": reason}, status_code=status)


class TelegramWebhook:
    """The webhook endpoint, bound to the channel and the service's hub."""

    def __init__(self, channel: TelegramChannel, hub: Hub) -> None:
        self.channel = channel
        self.handler = UpdateHandler(channel, hub)
        self.secret = channel.config.webhook_secret.encode("utf-8")
        self.max_bytes = channel.config.max_update_bytes

    def _authorised(self, request: Request) -> bool:
        """Compare the secret token header in constant time."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        return hmac.compare_digest(given, self.secret)

    async def _body(self, request: Request) -> bytes | None:
        """Read the body, stopping as soon as it passes the limit (None when too big)."""
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return None
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > self.max_bytes:
                return None
        return bytes(body)

    async def endpoint(self, request: Request) -> Response:
        """Handle one update delivered by Telegram."""
        if not self._authorised(request):
            return _error(403, "wrong or missing secret token")
        try:
            body = await self._body(request)
        except ClientDisconnect:
            return _error(400, "client disconnected")
        if body is None:
            return _error(413, f"update larger than {self.max_bytes} bytes")
        update = self._parse(body)
        if update is None:
            return _error(400, "malformed update")
        try:
            handled = await self.handler.process(update)
        except Flooded:
            return _error(429, "too many messages from one chat; Telegram will retry")
        except Exception:
            log.exception("telegram update %s failed; Telegram will retry", update.update_id)
            return _error(500, "update not handled, retry later")
        task = BackgroundTask(self.handler.follow_up, handled)
        return JSONResponse({"ok": True}, background=task)

    def _parse(self, body: bytes) -> Update | None:
        """Parse a JSON update; None when it is not one."""
        try:
            data: Any = jsonbody.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        if not jsonbody.well_typed(data, UPDATE_FIELDS):
            return None
        try:
            return Update.de_json(data, self.channel.bot)
        except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError):
            return None


# The fields the bot reads, wherever they sit in an update: anything else there is malformed.
UPDATE_FIELDS: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("text", "data", "caption", "file_id", "file_unique_id", "username", "type",
                     "first_name", "last_name", "mime_type", "language_code", "chat_instance"), (str,)),
    **dict.fromkeys(("message_id", "date", "duration", "file_size"), (int,)),
    "id": (int, str),
}


def routes(channel: TelegramChannel, hub: Hub) -> list[BaseRoute]:
    """Return the webhook route."""
    hook = TelegramWebhook(channel, hub)
    return [Route(WEBHOOK_PATH, hook.endpoint, methods=["POST"])]
