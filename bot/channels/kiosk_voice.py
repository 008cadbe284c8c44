"""Spoken answers recorded in the kiosk's browser: checked, kept with the recordings, erasable."""

from __future__ import annotations

import hmac
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import InboundMessage
from bot.channels.plugin import in_response
from bot.intake import Flooded
from storage.models import Answer

if TYPE_CHECKING:
    from bot.channels.kiosk import Kiosk

SUBDIR = "kiosk"
# What MediaRecorder produces in Chromium, Firefox and Safari, and how each file begins.
FORMATS = {
    "audio/webm": (".webm", b"\x1a\x45\xdf\xa3"),
    "audio/ogg": (".ogg", b"OggS"),
    "audio/mp4": (".m4a", b""),  # an ISO box: "ftyp" at offset 4, checked below
}


def media_type(header: str) -> str:
    """Return the base content type of a header ("audio/webm;codecs=opus" -> "audio/webm")."""
    return header.split(";", 1)[0].strip().lower()


def looks_like(kind: str, body: bytes) -> bool:
    """Say whether the body starts as a file of this audio type does."""
    if kind == "audio/mp4":
        return body[4:8] == b"ftyp"
    return body.startswith(FORMATS[kind][1])


class Recorder:
    """POST /kiosk/voix: keep one recorded answer and hand it to the service."""

    def __init__(self, kiosk: Kiosk, recordings: Path, max_bytes: int) -> None:
        self.kiosk = kiosk
        self.recordings = recordings
        self.max_bytes = max_bytes

    def refuse(self, status: int, error: str) -> Response:
        """Say in plain words why a recording was not kept."""
        return JSONResponse({"error": error}, status_code=status)

    async def receive(self, request: Request) -> Response:
        """Check the token, size and type, store the file, then answer the open question."""
        kiosk = self.kiosk
        session = kiosk.session(request)
        token = request.headers.get("x-csrf-token", "")
        if session.fresh or not hmac.compare_digest(token.encode(), session.csrf.encode()):
            return self.refuse(403, "La page a expiré. Rien n'a été enregistré.")
        kind = media_type(request.headers.get("content-type", ""))
        if kind not in FORMATS:
            return self.refuse(415, "Ce son n'a pas un format connu. Écrivez votre réponse.")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_bytes:
                return self.refuse(413, "Le message est trop long. Parlez moins longtemps.")
        if not body or not looks_like(kind, body):
            return self.refuse(415, "Ce son n'a pas un format connu. Écrivez votre réponse.")
        ref = await anyio.to_thread.run_sync(self.store, kind, body)
        inbound = InboundMessage(channel="kiosk", address=session.address,
                                 external_id=request.headers.get("x-nonce", "")[:64] or uuid.uuid4().hex,
                                 audio_ref=ref, step=request.headers.get("x-step") or None,
                                 assisted=session.assisted)  # fmt: skip
        try:
            await kiosk.hub.receive(inbound, reply_inline=in_response)
        except Flooded:
            await anyio.to_thread.run_sync(self.forget_unused, ref)
            return self.refuse(429, "Trop de messages d'un coup. Attendez un peu.")
        await anyio.to_thread.run_sync(self.forget_unused, ref)
        return kiosk.keep(JSONResponse({"next": "/kiosk"}), session)

    def store(self, kind: str, body: bytes) -> str:
        """Write a recording under recordings/kiosk; return its path relative to the recordings."""
        folder = self.recordings / SUBDIR
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{uuid.uuid4().hex}{FORMATS[kind][0]}"
        target.write_bytes(body)
        return str(target.relative_to(self.recordings))

    def forget_unused(self, ref: str) -> None:
        """Delete a recording no answer keeps (a duplicate, or the question was not open)."""
        with self.kiosk.hub.db.sessions() as session:
            kept = session.scalar(select(Answer.id).where(Answer.audio_ref == ref).limit(1))
        if kept is None:
            (self.recordings / ref).unlink(missing_ok=True)


def routes(kiosk: Kiosk, recordings: Path, max_bytes: int) -> list[BaseRoute]:
    """Return the recording route."""
    return [Route("/kiosk/voix", Recorder(kiosk, recordings, max_bytes).receive, methods=["POST"])]
