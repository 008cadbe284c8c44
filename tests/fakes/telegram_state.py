"""The fake Bot API's records and errors: what it remembers, and how it says no."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse


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


def read_int(value: Any) -> int:
    """Read an integer parameter (forms carry strings)."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, f"Bad Request: invalid integer {value!r}") from exc


def read_bool(value: Any) -> bool:
    """Read a boolean parameter."""
    return value in (True, "true", "True", "1", 1)
