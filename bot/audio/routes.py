"""HTTP route serving cached audio: GET /audio/<sha256>.ogg|mp3, range-aware.

The flows' own messages are public and immutable; any other clip (a read-back quotes what a
participant said) is private: no shared or lasting cache, and gone once erased or pruned.

A public clip is read from disk once per process and then answered from memory with headers
built once (content-addressed: its bytes never change); a byte range and every private clip
are served from the file on each request, so an erased read-back is gone at once. In
production nginx serves the public clips itself (deploy/nginx.conf): the app links each one
it serves into the cache's public directory, where nginx finds it next time.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from email.utils import formatdate
from threading import Lock
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.audio.service import AudioService, Clip
from bot.retention_files import flow_clips

NAME = re.compile(r"(?P<digest>[0-9a-f]{64})\.(?P<fmt>ogg|mp3)")
# Content-addressed: a URL's bytes never change, so browsers and proxies may keep them a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"
PRIVATE = "private, no-store"


class Prebuilt(Response):
    """A response whose status, headers and body were all built before the request came."""

    def __init__(self, status_code: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code = status_code
        self.raw_headers = raw_headers
        self.body = body
        self.background = None


class Memorised:
    """One public clip held in memory: its body, its 200 and 304 headers, its ETag."""

    def __init__(self, clip: Clip, body: bytes, modified: float) -> None:
        self.etag = f'"{clip.digest}.{clip.fmt}"'
        common = [(b"cache-control", CACHE_CONTROL.encode()), (b"etag", self.etag.encode()),
                  (b"x-audio-duration", f"{clip.duration:.3f}".encode()),
                  (b"last-modified", formatdate(modified, usegmt=True).encode())]  # fmt: skip
        self.ok = Prebuilt(200, [(b"content-type", clip.mime.encode()),
                                 (b"content-length", str(len(body)).encode()),
                                 (b"accept-ranges", b"bytes"), *common], body)  # fmt: skip
        self.not_modified = Prebuilt(304, common, b"")

    def answer(self, request: Request) -> Response:
        """Return 304 when the client holds this clip, else the clip."""
        if self.etag in request.headers.get("if-none-match", ""):
            return self.not_modified
        return self.ok


class PublicClips:
    """A process's memory of public clips, least recently used first out, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._clips: OrderedDict[str, Memorised] = OrderedDict()
        self._lock = Lock()

    def get(self, name: str) -> Memorised | None:
        """Return the memorised clip of a URL name, or None."""
        return self._clips.get(name)

    def keep(self, name: str, clip: Clip) -> Memorised | None:
        """Read a public clip into memory if it fits in the budget; return it (None if too big)."""
        stat = clip.path.stat()
        if stat.st_size > self.budget:
            return None
        entry = Memorised(clip, clip.path.read_bytes(), stat.st_mtime)
        with self._lock:
            if name in self._clips:
                return self._clips[name]
            while self._clips and self.used + len(entry.ok.body) > self.budget:
                _, old = self._clips.popitem(last=False)
                self.used -= len(old.ok.body)
            self._clips[name] = entry
            self.used += len(entry.ok.body)
        return entry


def routes(services: Any) -> list[BaseRoute]:
    """Return the audio route, serving the clips of `services.audio`."""
    audio: AudioService = services.audio
    public: set[str] = set()
    memory = PublicClips(audio.memory_cache_bytes if audio is not None else 0)  # None: no audio built

    def is_public(digest: str) -> bool:
        """Say whether a clip is a flow's message (cacheable by anyone) or a read-back."""
        if not public:  # on first use, not at start-up
            public.update(flow_clips(services.settings, audio) or {""})
        return digest in public

    async def serve(request: Request) -> Response:
        """Serve one clip, 400 for a malformed name, 404 for an unknown digest."""
        name = request.path_params["name"]
        ranged = "range" in request.headers
        known = memory.get(name)
        if known is not None and not ranged:
            return known.answer(request)
        match = NAME.fullmatch(name)
        if match is None:
            return PlainTextResponse(
                "bad audio name: expected /audio/<64 hex digits>.ogg or .mp3", status_code=400
            )
        clip = audio.lookup(match["digest"], match["fmt"])
        if clip is None:
            return PlainTextResponse("no such audio", status_code=404)
        shared = is_public(clip.digest)
        if shared and not ranged:
            audio.cache.publish(clip.digest)  # the web server in front serves it from now on
            kept = memory.keep(name, clip)
            if kept is not None:
                return kept.answer(request)
        etag = f'"{clip.digest}.{clip.fmt}"'
        headers = {"Cache-Control": CACHE_CONTROL if shared else PRIVATE, "ETag": etag,
                   "X-Audio-Duration": f"{clip.duration:.3f}"}  # fmt: skip
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return FileResponse(clip.path, media_type=clip.mime, headers=headers)

    return [Route("/audio/{name}", serve, methods=["GET", "HEAD"], name="audio")]
