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
from bot.audio.cache import AudioCache
from bot.audio.espeak_engine import EspeakEngine, VoiceChoice
from bot.audio.service import AudioService
from bot.audio.text import words_per_minute
from bot.container import Services, build_services
from bot.settings import Settings
from storage.db import Database
from tests.live import live_server

TEST_FLOWS = Path(__file__).resolve().parent.parent / "data" / "flows"


@pytest.fixture
def demo(settings: Settings, sqlite_database: Database) -> Services:
    """Services on the demo flow, with the audio service config.yml describes."""
    demo = dataclasses.replace(settings, flows_dir=TEST_FLOWS, default_flow="demo")
    return build_services(demo, sqlite_database)


@pytest.fixture
def kiosk(demo: Services) -> Iterator[httpx.Client]:
    """A browser-like client on a real server running the demo flow."""
    app = create_app(demo.settings, demo)
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
    tag = re.search(r'<audio preload="none" id="[^"]+" data-spoken="([^"]*)">', block)
    assert tag  # no autoplay attribute: the script plays it when the browser allows
    assert "autoplay" not in page
    assert re.search(r'<button type="button" class="big replay" data-audio="[^"]+"', block)
    # The button says what it reads; the page says what the sound says.
    assert 'aria-label="Écouter : Comment voulez-vous lire ?"' in unescape(block)
    caption = " ".join(unescape(p) for p in re.findall(r"<p>(.*?)</p>", block))
    assert caption == "Comment voulez-vous lire ?"  # the text is shown with the audio
    choice = r'class="big choice"[^>]*>.*?<span>(.*?)</span>'
    labels = [unescape(label) for label in re.findall(choice, block)]
    spoken = caption + " " + " ".join(f"{label}." for label in labels)
    assert unescape(tag.group(1)) == spoken

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


def test_without_a_working_voice_the_page_keeps_the_text_and_says_so(
    demo: Services, kiosk: httpx.Client, tmp_path: Path
) -> None:
    broken = EspeakEngine(VoiceChoice("fr", "fr", {}), program="espeak-ng-not-installed")
    demo.audio = AudioService(broken, AudioCache(tmp_path / "audio"))
    page = post(kiosk, kiosk.get("/kiosk").text, "/kiosk/start", flow="demo")
    page = post(kiosk, page, "/kiosk/answer", choice="cmd:audio")
    assert "<audio" not in page
    assert "Le son n'est pas encore disponible" in page
    assert "Comment voulez-vous lire ?" in page
