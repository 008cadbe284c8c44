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

from bot.audio.routes import CACHE_CONTROL, routes
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


async def test_a_flow_message_is_linked_for_the_web_server_a_read_back_never(
    service: AudioService, client: httpx.AsyncClient
) -> None:
    message = service.clip(TEXT, "fr", "ogg")
    read_back = service.clip("Vous avez dit : des bancs rue Haute", "fr", "ogg")
    for clip in (message, read_back):
        assert (await client.get(clip.url)).status_code == 200
    public = service.cache.root / "public"
    assert sorted(link.name for link in public.iterdir()) == sorted(
        [f"{message.digest}.mp3", f"{message.digest}.ogg"]
    )
    assert (public / f"{message.digest}.ogg").read_bytes() == message.path.read_bytes()


async def test_a_clip_served_again_is_the_same_and_ranges_still_work(
    service: AudioService, client: httpx.AsyncClient
) -> None:
    url = service.url_for(TEXT, "fr", "ogg")
    first, again = await client.get(url), await client.get(url)
    assert again.content == first.content == service.clip(TEXT, "fr", "ogg").path.read_bytes()
    assert again.headers["content-length"] == str(len(first.content))
    assert again.headers["etag"] == first.headers["etag"] and "last-modified" in again.headers
    head = await client.head(url)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(first.content))
    part = await client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == first.content[10:20]
    cached = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304 and cached.headers["cache-control"] == CACHE_CONTROL


async def test_an_erased_read_back_is_gone_at_once(service: AudioService, client: httpx.AsyncClient) -> None:
    clip = service.clip("Vous avez dit : mon voisin me fait peur", "fr", "mp3")
    assert (await client.get(clip.url)).status_code == 200
    service.cache.remove(clip.digest)
    assert (await client.get(clip.url)).status_code == 404


async def test_a_clip_bigger_than_the_memory_budget_is_served_from_its_file(
    service: AudioService, tmp_path: Path
) -> None:
    service.memory_cache_bytes = 100  # smaller than any clip
    app = Starlette(routes=routes(SimpleNamespace(audio=service, settings=SimpleNamespace(flows_dir=FLOWS))))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://k") as http:
        clip = service.clip(TEXT, "fr", "mp3")
        response = await http.get(clip.url)
    assert response.status_code == 200 and response.content == clip.path.read_bytes()
    assert response.headers["cache-control"] == CACHE_CONTROL
