"""The kiosk in audio mode: each message carries an <audio> whose URL returns audio of its text."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest
import soundfile

from bot.app import create_app
from bot.audio.text import words_per_minute
from bot.container import build_services
from bot.settings import Settings
from storage.db import Database
from tests.live import live_server

TEST_FLOWS = Path(__file__).resolve().parent.parent / "data" / "flows"


@pytest.fixture
def kiosk(settings: Settings, sqlite_database: Database) -> Iterator[httpx.Client]:
    """A browser-like client on a real server running the demo flow, audio wired in."""
    demo = dataclasses.replace(settings, flows_dir=TEST_FLOWS, default_flow="demo")
    app = create_app(demo, build_services(demo, sqlite_database))
    with live_server(app) as url, httpx.Client(base_url=url, follow_redirects=True) as http:
        yield http


def post(http: httpx.Client, page: str, path: str, **data: str) -> str:
    """Submit a kiosk form with the page's hidden fields; return the next page."""
    fields = dict(re.findall(r'name="(csrf|nonce|step)" value="([^"]*)"', page))
    response = http.post(path, data={**fields, **data})
    assert response.status_code == 200
    return response.text


def test_audio_mode_plays_each_message_after_a_tap(kiosk: httpx.Client) -> None:
    page = post(kiosk, kiosk.get("/kiosk").text, "/kiosk/start", flow="demo")
    assert "<audio" not in page  # text mode: no audio
    page = post(kiosk, page, "/kiosk/answer", choice="cmd:audio")

    question = re.search(r'<div class="bubble prompt question" id="question">(.*?)</form>', page, re.S)
    assert question, page
    block = question.group(1)
    assert re.search(r'<audio preload="none" id="[^"]+">', block)  # no autoplay attribute
    assert "autoplay" not in page
    assert re.search(r'<button type="button" class="big replay" data-audio="[^"]+"', block)
    caption = " ".join(unescape(p) for p in re.findall(r"<p>(.*?)</p>", block))
    assert caption == "Comment voulez-vous lire ?"  # the text is shown with the audio
    labels = [unescape(label) for label in re.findall(r'class="big choice">.*?<span>(.*?)</span>', block)]
    spoken = caption + " " + " ".join(f"{label}." for label in labels)

    sources = dict(
        (kind, src) for src, kind in re.findall(r'<source src="([^"]+)" type="(audio/[a-z]+)">', block)
    )
    assert set(sources) == {"audio/mpeg", "audio/ogg"}
    durations = []
    for kind, url in sources.items():
        assert re.fullmatch(r"/audio/[0-9a-f]{64}\.(mp3|ogg)", url)
        response = kiosk.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == kind
        samples, rate = soundfile.read(io.BytesIO(response.content))
        durations.append(len(samples) / rate)
    assert abs(durations[0] - durations[1]) < 0.01
    # The audio says the question and its choices at a calm rate: its length fits the text.
    assert 130 <= words_per_minute(spoken, durations[0]) <= 150

    script = kiosk.get("/static/kiosk.js").text
    assert "button.replay" in script and ".play()" in script
