"""The listening queue: a facilitator plays a recorded answer, writes it down and themes it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.twilio.api import TwilioConfig
from bot.retention_files import delete_recordings_of
from dashboard.corrections import CHOICES
from dashboard.web import PREFIX, SECURITY_HEADERS, Dashboard, form_of, guard, html_error, viewer_of
from nlu.interpretation import Expectation
from storage import audit, listening
from storage.masking import mask

PAGE = PREFIX + "/listening"
MAX_TRANSCRIPT = 2000
# A call's recording kept at Twilio: fetched from the configured API with the account's credentials.
TWILIO_RECORDING = re.compile(r"^https://[^/]+/2010-04-01/Accounts/(AC\w+)/Recordings/(RE\w+)")
MEDIA = {".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".webm": "audio/webm",
         ".mp3": "audio/mpeg", ".wav": "audio/wav", ".m4a": "audio/mp4"}  # fmt: skip


@dataclass(frozen=True)
class ListeningConfig:
    """config.yml `listening:`: whether a recording is deleted once written down."""

    SECTION: ClassVar[str] = "listening"
    delete_after_transcription: bool


def local_file(root: Path, ref: str) -> Path | None:
    """Return a recording's file when the reference is a file under the recordings directory."""
    path = (root / ref).resolve()
    return path if root.resolve() in path.parents and path.is_file() else None


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the listening queue's routes."""
    config = app.settings.typed(ListeningConfig)
    root = Path(app.settings.data_dir) / "recordings"

    def note(viewer: str, action: str, detail: dict[str, Any]) -> None:
        with app.db.transaction() as session:
            audit.record(session, viewer, action, **detail)

    @guard(app)
    async def page(request: Request) -> Response:
        def load() -> list[listening.Recorded]:
            with app.db.transaction() as session:
                return listening.pending(session)

        return app.render(request, "listening.html", {
            "title": "À écouter", "active": "/listening", "pending": await app.run(load), "choices": CHOICES,
            "deletes": config.delete_after_transcription,
        })  # fmt: skip

    @guard(app)
    async def play(request: Request) -> Response:
        answer_id = int(request.path_params["answer_id"])

        def find() -> str | None:
            with app.db.transaction() as session:
                return listening.recording(session, answer_id)

        ref = await app.run(find)
        if ref is None:
            return html_error(app, request, "Enregistrement introuvable.", 404)
        await app.run(note, viewer_of(request).email, "recording_played", {"answer": answer_id})
        path = local_file(root, ref)
        if path is not None:
            return FileResponse(path, media_type=MEDIA.get(path.suffix.lower(), "application/octet-stream"),
                                headers=SECURITY_HEADERS)  # fmt: skip
        found = TWILIO_RECORDING.match(ref)
        if found is None:
            return html_error(app, request, "Enregistrement introuvable.", 404)
        twilio = TwilioConfig.load(app.settings)
        url = f"{twilio.api_base}/2010-04-01/Accounts/{found[1]}/Recordings/{found[2]}.mp3"

        def fetch() -> httpx.Response:
            with httpx.Client(timeout=30, auth=(twilio.account_sid, twilio.auth_token)) as http:
                return http.get(url, follow_redirects=True)

        got = await app.run(fetch)
        if got.status_code != 200:
            return html_error(app, request, "L'enregistrement n'a pas pu être lu.", 502)
        media = got.headers.get("content-type", "audio/mpeg")
        return Response(got.content, media_type=media, headers=SECURITY_HEADERS)

    @guard(app)
    async def propose(request: Request) -> Response:
        answer_id, text = int(request.path_params["answer_id"]), str(form_of(request).get("text", "")).strip()
        if not text or len(text) > MAX_TRANSCRIPT:
            return html_error(app, request, f"Écrivez ce qui est dit ({MAX_TRANSCRIPT} caractères au plus).")
        text = mask(text)
        interpreter = getattr(app.services, "interpreter", None)
        meaning = await app.run(interpreter.interpret, text, Expectation("text")) if interpreter else None
        theme = meaning.theme if meaning and meaning.theme in dict(CHOICES) else ""
        detail = {"answer": answer_id, "proposed": theme}
        await app.run(note, viewer_of(request).email, "transcript_written", detail)
        return app.render(request, "listening_confirm.html", {
            "title": "Confirmer le thème", "active": "/listening", "answer_id": answer_id, "text": text,
            "theme": theme, "choices": CHOICES, "deletes": config.delete_after_transcription,
        })  # fmt: skip

    @guard(app)
    async def save(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        answer_id, text = int(request.path_params["answer_id"]), str(form.get("text", "")).strip()
        theme = str(form.get("theme", ""))
        if not text or len(text) > MAX_TRANSCRIPT or (theme and theme not in dict(CHOICES)):
            return html_error(app, request, "Écrivez ce qui est dit et choisissez un thème de la liste.")

        def find() -> str | None:
            with app.db.transaction() as session:
                return listening.recording(session, answer_id)

        ref = await app.run(find)
        deleted = bool(ref) and config.delete_after_transcription
        if ref and deleted:
            deleted = not (await app.run(delete_recordings_of, app.settings, [ref])).failed

        def store() -> bool:
            with app.db.transaction() as session:
                done = listening.transcribe(session, answer_id, text, theme, deleted)
                if done is not None:
                    audit.record(session, viewer.email, "recording_transcribed", answer=answer_id,
                                 theme=theme, recording_deleted=deleted)  # fmt: skip
                return done is not None

        if not await app.run(store):
            return html_error(app, request, "Cet enregistrement est déjà écrit ou n'existe plus.", 404)
        return RedirectResponse(PAGE, status_code=303)

    return [
        Route(PAGE, page, methods=["GET"]),
        Route(PAGE + "/{answer_id:int}/audio", play, methods=["GET"]),
        Route(PAGE + "/{answer_id:int}/propose", propose, methods=["POST"]),
        Route(PAGE + "/{answer_id:int}", save, methods=["POST"]),
    ]
