"""Compare the two ways to make OGG/Opus + MP3 from espeak-ng's WAV: ffmpeg or soundfile+soxr.

Prints, per method, the median wall time and CPU time (this process + children) to make
both files for a few system messages, and the resulting sizes and bitrates.

    .venv/bin/python bench/audio/convert.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import soundfile
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.audio.convert import Encoding, decoded_duration, encode
from bot.audio.engines import Speech
from bot.audio.espeak_engine import EspeakEngine, VoiceChoice

TEXTS = [
    "Merci.\nNous avons votre message vocal.",
    "D'accord, on fait une pause.\nVos réponses sont gardées.\nRevenez quand vous voulez.",
    "Appuyez sur un bouton pour répondre.\nVous pouvez aussi écrire.\n"
    "Retour : revenir à la question d'avant.\nPause : faire une pause.\nStop : arrêter.",
]


def with_ffmpeg(speech: Speech, out: dict[str, Path]) -> None:
    """Encode both formats in one ffmpeg process (what the service does)."""
    encode(speech, out, Encoding())


def with_soundfile(speech: Speech, out: dict[str, Path]) -> None:
    """Decode in-process, resample to 48 kHz with soxr for Opus, write with libsndfile."""
    data, rate = soundfile.read(io.BytesIO(speech.data), dtype="float32")
    opus = soxr.resample(data, rate, 48000)
    # compression_level 0.95 gives about 24 kbit/s on speech (libsndfile maps it to bitrate)
    soundfile.write(out["ogg"], opus, 48000, format="OGG", subtype="OPUS", compression_level=0.95)
    soundfile.write(out["mp3"], data, rate, format="MP3", subtype="MPEG_LAYER_III",
                    compression_level=0.5, bitrate_mode="CONSTANT")  # fmt: skip


def cpu() -> float:
    """Return the CPU seconds used so far by this process and its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run(method: Callable[[Speech, dict[str, Path]], None], speech: Speech, repeat: int) -> tuple:
    """Time one method on one speech; return median wall ms, median cpu ms, files."""
    walls, cpus = [], []
    tmp = Path(tempfile.mkdtemp())
    out = {"ogg": tmp / "a.ogg", "mp3": tmp / "a.mp3"}
    for _ in range(repeat):
        c0, w0 = cpu(), time.perf_counter()
        method(speech, out)
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((cpu() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    """Print the comparison table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    engine = EspeakEngine(VoiceChoice("fr", "fr", {}), target_wpm=None)
    print(
        f"{'method':<10} {'audio s':>7} {'wall ms':>8} {'cpu ms':>7} {'ogg KiB':>8} "
        f"{'ogg kbps':>8} {'mp3 KiB':>8} {'mp3 kbps':>8}"
    )
    for text in TEXTS:
        speech = engine.synthesize(text, "fr")
        for name, method in (("ffmpeg", with_ffmpeg), ("soundfile", with_soundfile)):
            wall, used, out = run(method, speech, args.repeat)
            seconds = decoded_duration(out["ogg"])
            sizes = {fmt: path.stat().st_size for fmt, path in out.items()}
            kbps = {fmt: size * 8 / seconds / 1000 for fmt, size in sizes.items()}
            print(
                f"{name:<10} {seconds:>7.2f} {wall:>8.0f} {used:>7.0f} "
                f"{sizes['ogg'] / 1024:>8.1f} {kbps['ogg']:>8.1f} "
                f"{sizes['mp3'] / 1024:>8.1f} {kbps['mp3']:>8.1f}"
            )


if __name__ == "__main__":
    main()
