"""The public report back (no login): what became of the recommendations, in easy-read and audio.

GET /retours shows the report back published last: its synthesis, each recommendation with
its status pictogram and reason, a standard/easy switch, and an MP3 of the text shown rendered
by the audio service. It shows only what facilitators published (checked for small groups when
published), never a participant's words.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.kiosk_news import ResultsConfig
from bot.security_headers import KIOSK_HEADERS
from dashboard import report_words
from storage import report_back

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).with_name("templates")
VERSIONS = ("facile", "standard")


def page_of(services: Any, version: str) -> dict[str, Any]:
    """Read the latest report back and what the page shows of it (blocking: database, audio)."""
    with services.db.sessions() as session:
        report = report_back.latest(session)
        if report is None:
            return {"report": None}
        easy = version == "facile"
        items = [{**item, "status_of": report_words.status(item["status"]),
                  "topic": report_words.pictogram(item.get("pictogram", ""))}
                 for item in report.items["items"]]  # fmt: skip
        intro = report.intro_easy if easy else report.intro_text
        spoken = report.spoken if easy else report_words.spoken(report.text)
        when = report.published_at.strftime("%d/%m/%Y")
    return {"report": True, "intro": [line for line in intro.splitlines() if line.strip()],
            "items": items, "audio_url": audio_url(services, spoken), "when": when}  # fmt: skip


def audio_url(services: Any, spoken: str) -> str | None:
    """Return the MP3 of the text shown, rendered (or found) by the audio service; None if it fails."""
    audio = getattr(services, "audio", None)
    if audio is None:
        return None
    try:
        return str(audio.url_for(spoken, "fr", "mp3"))
    except Exception:  # the text stays readable without its sound
        log.exception("report back audio unavailable")
        return None


def routes(services: Any) -> list[BaseRoute]:
    """Return the public report-back page."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), auto_reload=False)
    results = services.settings.typed(ResultsConfig)

    async def show(request: Request) -> Response:
        version = request.query_params.get("version", "facile")
        if version not in VERSIONS:
            version = "facile"
        kiosk = request.query_params.get("depuis") == "borne"
        data = await anyio.to_thread.run_sync(page_of, services, version)
        html = env.get_template("retours.html").render(version=version, easy=version == "facile",
                                                       kiosk=kiosk, results=results, **data)  # fmt: skip
        return HTMLResponse(html, headers=KIOSK_HEADERS)

    return [Route(report_words.PUBLIC_PATH, show, methods=["GET", "HEAD"])]
