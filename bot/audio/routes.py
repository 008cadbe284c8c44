"""HTTP route serving cached audio: GET /audio/<sha256>.ogg|mp3, range-aware.

The flows' own messages are public and immutable; any other clip (a read-back quotes what a
participant said) is private: no shared or lasting cache, and gone once erased or pruned.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.audio.service import AudioService
from bot.retention_files import flow_clips

NAME = re.compile(r"(?P<digest>[0-9a-f]{64})\.(?P<fmt>ogg|mp3)")
# Content-addressed: a URL's bytes never change, so browsers and proxies may keep them a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"
PRIVATE = "private, no-store"


def routes(services: Any) -> list[BaseRoute]:
    """Return the audio route, serving the clips of `services.audio`."""
    audio: AudioService = services.audio
    public: set[str] = set()

    def cache_control(digest: str) -> str:
        """Return the caching a clip allows: a year for a flow's message, none for the rest."""
        if not public:  # on first use, not at start-up
            public.update(flow_clips(services.settings, audio) or {""})
        return CACHE_CONTROL if digest in public else PRIVATE

    async def serve(request: Request) -> Response:
        """Serve one clip, 400 for a malformed name, 404 for an unknown digest."""
        match = NAME.fullmatch(request.path_params["name"])
        if match is None:
            return PlainTextResponse(
                "bad audio name: expected /audio/<64 hex digits>.ogg or .mp3", status_code=400
            )
        clip = audio.lookup(match["digest"], match["fmt"])
        if clip is None:
            return PlainTextResponse("no such audio", status_code=404)
        etag = f'"{clip.digest}.{clip.fmt}"'
        headers = {"Cache-Control": cache_control(clip.digest), "ETag": etag,
                   "X-Audio-Duration": f"{clip.duration:.3f}"}  # fmt: skip
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return FileResponse(clip.path, media_type=clip.mime, headers=headers)

    return [Route("/audio/{name}", serve, methods=["GET", "HEAD"], name="audio")]
