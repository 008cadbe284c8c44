"""A client that hangs up mid-upload is ordinary: one INFO line, no traceback."""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

log = logging.getLogger(__name__)


async def client_gone(request: Request, exc: Exception) -> Response:
    """Log the disconnect once; the answer goes nowhere (nothing was handled)."""
    log.info("client disconnected during %s %s", request.method, request.url.path)
    return Response(status_code=400)


HANDLERS = {ClientDisconnect: client_gone}
