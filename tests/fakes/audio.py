"""A minimal stand-in for the audio service: espeak-ng speech encoded to OGG/Opus by ffmpeg.

It has the audio service's API (`clip`, `aclip` -> Clip(path, duration, mime, digest)) and
caches by digest; the channel's unit tests use it to send real, decodable voice notes and to
make the audio engine fail on purpose. End-to-end tests use the real `bot.audio` service.
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import anyio


@dataclass(frozen=True)
class Clip:
    """One rendered clip."""

    path: Path
    duration: float
    mime: str
    digest: str


def probe_duration(path: Path) -> float:
    """Return the duration of an audio file, decoded by ffprobe."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name",
         "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return float(json.loads(out.stdout)["format"]["duration"])


class SpeakingAudio:
    """Speak texts with espeak-ng and encode them as OGG/Opus voice notes."""

    def __init__(self, cache_dir: Path, fail: bool = False) -> None:
        self.cache_dir = cache_dir
        self.fail = fail
        self.texts: list[str] = []

    def clip(self, text: str, lang: str = "fr", fmt: str = "ogg") -> Clip:
        """Return the clip of a text, rendering it once."""
        if self.fail:
            raise RuntimeError("audio engine down")
        self.texts.append(text)
        digest = hashlib.sha256(f"{lang}\x00{fmt}\x00{text}".encode()).hexdigest()[:32]
        target = self.cache_dir / f"{digest}.{fmt}"
        if not target.exists():
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            speech = subprocess.run(["espeak-ng", "-v", lang, "-s", "140", "--stdout", text],
                                    check=True, capture_output=True).stdout  # fmt: skip
            scratch = target.with_suffix(".part")
            subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "wav", "-i", "-", "-c:a", "libopus",
                            "-b:a", "24k", "-f", "ogg", str(scratch)], input=speech, check=True)  # fmt: skip
            scratch.replace(target)
            rate = struct.unpack("<I", speech[24:28])[0]
            target.with_suffix(".seconds").write_text(str((len(speech) - 44) / (rate * 2)))
        seconds = float(target.with_suffix(".seconds").read_text())
        return Clip(target, seconds, "audio/ogg", digest)

    async def aclip(self, text: str, lang: str = "fr", fmt: str = "ogg") -> Clip:
        """Return the clip of a text without blocking the event loop."""
        return await anyio.to_thread.run_sync(lambda: self.clip(text, lang, fmt))
