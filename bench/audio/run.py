"""Benchmark the audio service: cold render per message, then cached serving through the route.

Messages: every distinct spoken text of the default flow (config.yml `default_flow`, loaded
from `flows_dir`, i.e. flows/definitions), both registers; when that flow is not installed,
the system messages of flows/system.yml. Cold: espeak-ng (fitted to the target rate) plus
one ffmpeg run for OGG/Opus + MP3 plus decoding both to measure, into an empty cache.
Cached: GET /audio/<digest>.<fmt> through the real route over httpx's ASGI transport.

    .venv/bin/python bench/audio/run.py [--rounds 20] [--limit N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
from starlette.applications import Starlette

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.audio.cache import AudioCache
from bot.audio.catalog import Utterance, flow_utterances, system_utterances, unique
from bot.audio.config import AudioConfig
from bot.audio.registry import build_engine
from bot.audio.routes import routes
from bot.audio.service import AudioService
from bot.audio.text import count_words
from bot.settings import load_settings
from flows.loader import load_directory


def messages() -> tuple[list[Utterance], str]:
    """Return the default flow's messages, or the system messages when it is not installed."""
    settings = load_settings()
    flows = load_directory(settings.flows_dir) if settings.flows_dir.is_dir() else {}
    flow = flows.get(settings.default_flow)
    if flow is None:
        note = f"flow '{settings.default_flow}' not in {settings.flows_dir}: flows/system.yml"
        return unique(system_utterances()), note
    return unique(flow_utterances(flow)), f"flow '{flow.id}' v{flow.version}"


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (nearest rank) of some values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def serve(service: AudioService, urls: list[str], rounds: int) -> list[float]:
    """GET every URL `rounds` times through the route; return latencies in ms."""
    app = Starlette(routes=routes(SimpleNamespace(audio=service, settings=load_settings())))
    latencies: list[float] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(rounds):
            for url in urls:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200 and response.content
    return latencies


def main() -> None:
    """Print the cold render table and the cached serve latency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    texts, origin = messages()
    texts = texts[: args.limit] if args.limit else texts
    config = load_settings().typed(AudioConfig)
    print(f"{len(texts)} messages from {origin}; engine espeak (sequential, cold cache)")
    print(f"{'message':<44} {'words':>5} {'audio s':>7} {'wpm':>5} {'render ms':>9} "
          f"{'ogg KiB':>7} {'mp3 KiB':>7}")  # fmt: skip
    renders: list[float] = []
    urls: list[str] = []
    sizes: dict[str, list[float]] = {"ogg": [], "mp3": []}
    with tempfile.TemporaryDirectory() as tmp:
        service = AudioService(build_engine("espeak", config), AudioCache(Path(tmp)))
        for utterance in texts:
            started = time.perf_counter()
            entry = service.render(utterance.text, utterance.lang).entry
            renders.append((time.perf_counter() - started) * 1000)
            kib = {f: p.stat().st_size / 1024 for f, p in entry.paths.items()}
            for fmt in sizes:
                sizes[fmt].append(kib[fmt])
                urls.append(f"/audio/{entry.digest}.{fmt}")
            words, seconds = count_words(utterance.text), entry.durations["ogg"]
            print(f"{utterance.source[-44:]:<44} {words:>5} {seconds:>7.2f} "
                  f"{words * 60 / seconds:>5.0f} {renders[-1]:>9.0f} {kib['ogg']:>7.1f} "
                  f"{kib['mp3']:>7.1f}")  # fmt: skip
        latencies = asyncio.run(serve(service, urls, args.rounds))
    print()
    print(f"cold render ms: median {statistics.median(renders):.0f}, "
          f"p90 {percentile(renders, 90):.0f}, max {max(renders):.0f}, "
          f"total {sum(renders) / 1000:.1f} s for {len(renders)} messages")  # fmt: skip
    print(f"sizes KiB: ogg max {max(sizes['ogg']):.1f} (Telegram limit 1024), "
          f"mp3 max {max(sizes['mp3']):.1f}")  # fmt: skip
    print(f"cached serve ms over {len(latencies)} GETs: p50 {percentile(latencies, 50):.2f}, "
          f"p99 {percentile(latencies, 99):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
