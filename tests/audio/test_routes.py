"""GET /audio/<digest>.<fmt>: real audio bodies with the right type, bad names refused."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import soundfile
from starlette.applications import Starlette

from bot.audio.routes import routes
from bot.audio.service import AudioService

FLOWS = Path(__file__).resolve().parents[2] / "flows" / "definitions"
TEXT = "Choisissez au moins une réponse.\nPuis appuyez sur J'ai fini."


@pytest.fixture
async def client(service: AudioService) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a Starlette app that mounts only the audio routes."""
    settings = SimpleNamespace(flows_dir=FLOWS)
    app = Starlette(routes=routes(SimpleNamespace(audio=service, settings=settings)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kiosk.test") as http:
        yield http


@pytest.mark.parametrize(("fmt", "mime"), [("ogg", "audio/ogg"), ("mp3", "audio/mpeg")])
async def test_the_url_serves_audio_of_the_clip_duration(
    service: AudioService, client: httpx.AsyncClient, fmt: str, mime: str
) -> None:
    url = service.url_for(TEXT, "fr", fmt)
    clip = service.clip(TEXT, "fr", fmt)
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == mime
    assert "immutable" in response.headers["cache-control"]
    samples, rate = soundfile.read(io.BytesIO(response.content))
    assert abs(len(samples) / rate - clip.duration) < 0.01
    assert clip.duration > 2


async def test_revalidation_and_ranges(service: AudioService, client: httpx.AsyncClient) -> None:
    url = service.url_for(TEXT, "fr", "mp3")
    first = await client.get(url)
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    part = await client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == first.content[:100]


@pytest.mark.parametrize(
    "name",
    [
        "abc.mp3",
        "0" * 64 + ".wav",
        "0" * 64,
        "0" * 63 + "G.ogg",
        "..%2F..%2Fconfig.yml",
        "%2e%2e%2fconfig.yml",
        "0" * 64 + ".mp3.json",
    ],
)
async def test_bad_names_are_refused(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/audio/{name}")
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith("text/plain")


async def test_a_malformed_name_is_a_400_and_an_unknown_digest_a_404(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/audio/not-a-digest.mp3")).status_code == 400
    assert (await client.get("/audio/" + "ab" * 32 + ".ogg")).status_code == 404


async def test_a_path_outside_the_cache_is_never_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/audio/../../config.yml")
    assert response.status_code == 404
    assert b"audio:" not in response.content


async def test_a_read_back_is_never_cached_publicly(service: AudioService, client: httpx.AsyncClient) -> None:
    response = await client.get(service.url_for("Vous avez dit : des bancs rue Haute", "fr", "mp3"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
