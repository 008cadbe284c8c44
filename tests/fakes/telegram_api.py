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
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.telegram_methods import BotApiMethods
from tests.fakes.telegram_state import ApiError, Call, RateLimit, State, Upload

JSON_PARAMS = {"reply_markup", "allowed_updates", "entities", "caption_entities"}


class FakeTelegram(BotApiMethods):
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
        self.garbage: dict[str, list[bytes]] = {}
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

    def garble(self, method: str, body: bytes, times: int = 1) -> None:
        """Answer the next `times` calls of a method with a raw body (a broken API or proxy)."""
        with self.lock:
            self.garbage.setdefault(method.lower(), []).extend([body] * times)

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
            garbled = self.garbage.get(method) or []
            if garbled:
                return Response(garbled.pop(0), media_type="application/json")
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
