"""Format conversion with ffmpeg, and duration measured by decoding with libsndfile.

ffmpeg encodes both formats in one process (bench/audio/convert.py measured it against
soundfile+soxr: see the README of bench/audio). soundfile decodes in-process to measure.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import soundfile

from bot.audio.engines import FIT_MIN_WORDS, EngineError, Speech

MIME = {"ogg": "audio/ogg", "mp3": "audio/mpeg"}
FORMATS = tuple(MIME)
TEMPO_RANGE = (0.75, 1.35)


class ConversionError(EngineError):
    """ffmpeg could not encode or decode audio."""


@dataclass(frozen=True)
class Encoding:
    """How each format is encoded: Opus for voice notes, MP3 for calls and browsers."""

    opus_bitrate: str = "24k"
    mp3_bitrate: str = "48k"

    def arguments(self, fmt: str) -> list[str]:
        """Return the ffmpeg output options of one format."""
        if fmt == "ogg":
            return ["-c:a", "libopus", "-b:a", self.opus_bitrate, "-application", "voip",
                    "-ar", "48000", "-f", "ogg"]  # fmt: skip
        if fmt == "mp3":
            return ["-c:a", "libmp3lame", "-b:a", self.mp3_bitrate, "-f", "mp3"]
        raise ValueError(f"unknown audio format {fmt!r}")


def _ffmpeg() -> str:
    """Return the ffmpeg program, or say how to install it."""
    program = shutil.which("ffmpeg")
    if program is None:
        raise ConversionError("ffmpeg is not installed (Debian: apt-get install ffmpeg)")
    return program


def encode(
    speech: Speech,
    outputs: dict[str, Path],
    encoding: Encoding | None = None,
    tempo: float | None = None,
    timeout: float = 120.0,
) -> None:
    """Encode engine audio into every requested format in one ffmpeg run, mono."""
    encoding = encoding or Encoding()
    command = [_ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
               "-f", speech.container, "-i", "pipe:0"]  # fmt: skip
    for fmt, path in outputs.items():
        command += ["-map", "0:a", "-map_metadata", "-1", "-ac", "1"]
        if tempo is not None:
            command += ["-af", f"atempo={tempo:.4f}"]
        command += [*encoding.arguments(fmt), str(path)]
    try:
        done = subprocess.run(command, input=speech.data, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ConversionError(f"ffmpeg took more than {timeout:.0f} s") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()[-500:]
        raise ConversionError(f"ffmpeg could not encode {speech.container}: {reason}")


def decoded_duration(path: Path) -> float:
    """Return the duration of an audio file in seconds, by decoding every frame."""
    try:
        samples, rate = soundfile.read(str(path), dtype="int16", always_2d=True)
        return len(samples) / rate
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise ConversionError(f"cannot decode {path.name}: {exc}") from exc


def speech_duration(speech: Speech, scratch: Path) -> float:
    """Return the duration of engine audio (written to a scratch file and decoded)."""
    scratch.write_bytes(speech.data)
    try:
        return decoded_duration(scratch)
    finally:
        scratch.unlink(missing_ok=True)


def fit_tempo(words: int, seconds: float, target_wpm: float) -> float | None:
    """Return the atempo factor that brings a rendering to the target rate, or None if close."""
    if words < FIT_MIN_WORDS or seconds <= 0:
        return None
    factor = target_wpm / (words * 60.0 / seconds)
    if abs(factor - 1.0) < 0.03:
        return None
    return min(max(factor, TEMPO_RANGE[0]), TEMPO_RANGE[1])
