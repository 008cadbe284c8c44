"""Calibrate espeak-ng's rate: print the words per minute measured on the produced audio.

For each espeak-ng rate (-s) and sentence pause, every easy-read message of the shipped
flows (flows/definitions, else the system messages of flows/system.yml) of 4 words or more
is rendered to OGG/Opus exactly as the service does, decoded, and measured:
words of the text / decoded duration (pauses and the short tail included).

    .venv/bin/python bench/audio/calibrate.py [--rates 140,150,160] [--pauses 450]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.audio.cache import AudioCache
from bot.audio.catalog import Utterance, flow_utterances, system_utterances, unique
from bot.audio.espeak_engine import EspeakEngine, VoiceChoice
from bot.audio.service import AudioService
from bot.audio.text import count_words
from flows.loader import DEFINITIONS, load_directory

MIN_WORDS = 4
SENTENCE_END = re.compile(r"[.!?]\s*$")


def corpus() -> tuple[list[Utterance], str]:
    """Return the easy-read texts to measure, and where they come from."""
    flows = load_directory(DEFINITIONS) if DEFINITIONS.is_dir() else {}
    if flows:
        found = [u for flow in flows.values() for u in flow_utterances(flow)]
        origin = "flows/definitions: " + ", ".join(sorted(flows))
    else:
        found, origin = system_utterances(), "flows/system.yml (no flow in flows/definitions)"
    easy = [u for u in unique(found) if u.source.endswith("/easy") or "/easy/" in u.source]
    sentences = [u for u in easy if SENTENCE_END.search(u.text)]  # not label fragments
    return [u for u in sentences if count_words(u.text) >= MIN_WORDS and u.lang == "fr"], origin


def measure(
    rate: int, pause: int, texts: list[Utterance], root: Path, target: int | None = None
) -> list[tuple[int, float]]:
    """Render every text at one rate and pause (fitted to a target or not): (words, seconds)."""
    engine = EspeakEngine(VoiceChoice("fr", "fr", {}), rate=rate, pause_ms=pause, target_wpm=target)
    service = AudioService(engine, AudioCache(root))
    results = []
    for utterance in texts:
        clip = service.clip(utterance.text, "fr", "ogg")
        results.append((count_words(utterance.text), clip.duration))
    return results


def main() -> None:
    """Print a table of measured words per minute by espeak-ng rate and sentence pause."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="140,150,155,160,170,180")
    parser.add_argument("--pauses", default="450")
    parser.add_argument("--target", type=int, default=140, help="words_per_minute to fit to")
    args = parser.parse_args()
    texts, origin = corpus()
    words = sum(count_words(u.text) for u in texts)
    print(f"corpus: {len(texts)} easy-read messages, {words} words, from {origin}")
    print(
        f"{'-s':>4} {'pause':>6} {'fitted':>7} {'overall':>8} {'median':>7} {'min':>6} "
        f"{'max':>6} {'in 130-150':>11}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for pause in (int(p) for p in args.pauses.split(",")):
            for rate in (int(r) for r in args.rates.split(",")):
                for target in (None, args.target):
                    results = measure(rate, pause, texts, Path(tmp), target)
                    row(rate, pause, target, results)


def row(rate: int, pause: int, target: int | None, results: list[tuple[int, float]]) -> None:
    """Print one line of the table."""
    per_text = [w * 60 / s for w, s in results]
    overall = sum(w for w, _ in results) * 60 / sum(s for _, s in results)
    inside = sum(1 for v in per_text if 130 <= v <= 150)
    fitted = f"to {target}" if target else "no"
    print(
        f"{rate:>4} {pause:>6} {fitted:>7} {overall:>8.1f} {statistics.median(per_text):>7.1f} "
        f"{min(per_text):>6.1f} {max(per_text):>6.1f} {inside:>5}/{len(per_text)}"
    )


if __name__ == "__main__":
    main()
