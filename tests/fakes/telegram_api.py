"""A fake Telegram Bot API server: the real HTTP shapes, recorded calls, scriptable failures.

It answers the methods Porte-voix uses (getMe, setWebhook, deleteWebhook, getWebhookInfo,
getUpdates, sendMessage, sendVoice, answerCallbackQuery, editMessageText,
editMessageReplyMarkup, getFile) and serves file downloads at /file/bot<token>/<path>.
Parameters are read the way Telegram reads them: query string, JSON body, url-encoded or
multipart form (python-telegram-bot sends forms whose values are JSON-encoded strings).
`tests.fakes.telegram_users.Users` plays the people on the other side.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.telegram_html import EntityError, parse_html, utf16_length

JSON_PARAMS = {"reply_markup", "allowed_updates", "entities", "caption_entities"}
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def response(self) -> JSONResponse:
        """Return the error the way Telegram shapes it."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return JSONResponse(body, status_code=self.code)


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    status: int = 200


@dataclass
class RateLimit:
    """Answer 429 to the next `times` sends (to one chat, or any)."""

    retry_after: int
    times: int
    chat_id: int | None = None


@dataclass
class State:
    """Everything the fake server remembers."""

    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] | None = None
    known_chats: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)
    rate_limits: list[RateLimit] = field(default_factory=list)
    callback_queries: dict[str, bool] = field(default_factory=dict)
    message_ids: dict[int, itertools.count[int]] = field(default_factory=dict)


def _int(value: Any) -> int:
    """Read an integer parameter (forms carry strings)."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, f"Bad Request: invalid integer {value!r}") from exc


def _bool(value: Any) -> bool:
    """Read a boolean parameter."""
    return value in (True, "true", "True", "1", 1)


class FakeTelegram:
    """The fake Bot API: an ASGI app plus the state tests inspect and script."""

    def __init__(self, token: str = "123456:TEST-token_abcdefghijklmnopqrstuv") -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.username = "porte_voix_test_bot"
        self.base_url = ""
        self.state = State()
        self.lock = threading.RLock()
        self.update_ids = itertools.count(1000)
        self.file_ids = itertools.count(1)
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self.endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self.download, methods=["GET"]),
            ]
        )

    # scripting ----------------------------------------------------------------
    def block(self, chat_id: int) -> None:
        """Make a user block the bot: every send to them answers 403."""
        with self.lock:
            self.state.blocked.add(chat_id)

    def rate_limit(self, retry_after: int = 1, times: int = 1, chat_id: int | None = None) -> None:
        """Answer 429 Too Many Requests to the next `times` sends."""
        with self.lock:
            self.state.rate_limits.append(RateLimit(retry_after, times, chat_id))

    def enqueue(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (polling mode)."""
        with self.lock:
            self.state.updates.append(update)

    def store_file(self, data: bytes, folder: str, suffix: str) -> dict[str, Any]:
        """Keep a file on the server and return its File fields."""
        with self.lock:
            number = next(self.file_ids)
            file_id = f"AwACAgQAAxkB{number:08d}"
            path = f"{folder}/file_{number}.{suffix}"
            self.state.files[file_id] = (path, data)
        return {"file_id": file_id, "file_unique_id": f"AgAD{number:08d}", "file_size": len(data)}

    def new_update_id(self) -> int:
        """Return the next update id."""
        with self.lock:
            return next(self.update_ids)

    def know_chat(self, chat_id: int) -> None:
        """Record that a user wrote to the bot (the bot may now write to them)."""
        with self.lock:
            self.state.known_chats.add(chat_id)

    # inspecting ---------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        """Return the recorded calls, optionally of one method."""
        with self.lock:
            return [c for c in self.state.calls if method is None or c.method == method.lower()]

    def chat(self, chat_id: int) -> list[dict[str, Any]]:
        """Return what the user sees from the bot, in order, after edits."""
        with self.lock:
            found = [m for (cid, _), m in self.state.messages.items() if cid == chat_id]
        return sorted(found, key=lambda m: m["message_id"])

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """Return one message as it stands now."""
        with self.lock:
            return self.state.messages[(chat_id, message_id)]

    def file_bytes(self, file_id: str) -> bytes:
        """Return the bytes of a stored file."""
        with self.lock:
            return self.state.files[file_id][1]

    async def wait_for(self, check: Callable[[], bool], timeout: float = 15.0) -> None:
        """Wait until a condition on the recorded state holds (asynchronous sends)."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached before timeout")
            await asyncio.sleep(0.02)

    # HTTP ---------------------------------------------------------------------
    async def endpoint(self, request: Request) -> Response:
        """Answer one Bot API method."""
        method = request.path_params["method"].lower()
        params, files = await self._read(request)
        call = Call(method, params, files)
        with self.lock:
            self.state.calls.append(call)
        try:
            if request.path_params["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params, files)
        except ApiError as error:
            call.status = error.code
            return error.response()
        return JSONResponse({"ok": True, "result": result})

    async def download(self, request: Request) -> Response:
        """Serve a file the way api.telegram.org/file/bot<token>/<path> does."""
        if request.path_params["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        with self.lock:
            for path, data in self.state.files.values():
                if path == request.path_params["path"]:
                    return Response(data, media_type="application/octet-stream")
        return ApiError(404, "Not Found").response()

    async def _read(self, request: Request) -> tuple[dict[str, Any], dict[str, Upload]]:
        """Merge query string and body parameters; keep uploaded files apart."""
        params: dict[str, Any] = dict(request.query_params)
        files: dict[str, Upload] = {}
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            params.update(await request.json())
        elif kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form(max_part_size=50 * 1024 * 1024)
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    files[name] = Upload(value.filename or "", value.content_type or "", data)
                else:
                    params[name] = value
        for name in JSON_PARAMS & params.keys():
            if isinstance(params[name], str):
                params[name] = json.loads(params[name])
        return params, files

    # sending checks -----------------------------------------------------------
    def _deliverable(self, params: dict[str, Any]) -> int:
        """Check the chat may receive a message now; return its id."""
        chat_id = _int(params.get("chat_id"))
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
            if _bool(params.get("drop_pending_updates")):
                self.state.updates.clear()
        return True

    async def api_deletewebhook(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        """Remove the webhook."""
        with self.lock:
            self.state.webhook = None
            if _bool(params.get("drop_pending_updates")):
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
        offset = _int(params.get("offset", 0))
        limit = min(max(_int(params.get("limit", 100)), 1), 100)
        deadline = time.monotonic() + max(_int(params.get("timeout", 0)), 0)
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
        voice = {**stored, "duration": _int(params.get("duration", 0)), "mime_type": "audio/ogg"}
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
        chat_id = _int(params.get("chat_id"))
        with self.lock:
            if chat_id in self.state.blocked:
                raise ApiError(403, BLOCKED)
            message = self.state.messages.get((chat_id, _int(params.get("message_id"))))
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
