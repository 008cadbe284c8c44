"""What every webhook shares: a body read within a limit, and a refused signature."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request


class SignatureError(Exception):
    """A webhook request is not signed as it should be (reason: missing, invalid, stale)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, refusing (413) anything over the limit before it is all read."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, "request body too large")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, "request body too large")
    return bytes(body)
