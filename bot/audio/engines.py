"""The text-to-speech protocol and the offline espeak-ng engine."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from xml.sax.saxutils import escape

from bot.audio.text import count_words, sentences, speakable, words_per_minute

DEFAULT_PAUSE_MS = 450
FIT_MIN_WORDS = 4  # below this, a rate in words per minute means little
FIT_TOLERANCE_WPM = 5.0
ESPEAK_RATES = (80, 320)  # what espeak-ng -s accepts


class EngineError(RuntimeError):
    """A text-to-speech engine could not render a text."""


class EngineNotConfigured(EngineError):
    """An engine is missing its package, program or voice model."""


@dataclass(frozen=True)
class Speech:
    """Audio produced by an engine, in the container it came in (wav or mp3)."""

    data: bytes
    container: str


class Engine(Protocol):
    """A text-to-speech engine: renders one text in one language."""

    @property
    def name(self) -> str:
        """Return the engine's name (espeak, gtts, piper), part of the cache key."""
        ...

    @property
    def native_rate(self) -> bool:
        """Say whether the engine meets words_per_minute itself (else the service fits it)."""
        ...

    def identity(self, lang: str) -> dict[str, Any]:
        """Return what, besides the text, changes this engine's output (voice, rate, pause)."""
        ...

    def synthesize(self, text: str, lang: str) -> Speech:
        """Render a text; raise EngineError when that is impossible."""
        ...


@dataclass(frozen=True)
class VoiceChoice:
    """Which voice speaks which language: the configured voice, or one per language."""

    default_language: str
    default_voice: str
    by_language: Mapping[str, str]

    def voice(self, lang: str) -> str:
        """Return the voice for a language."""
        if lang in self.by_language:
            return self.by_language[lang]
        if lang == self.default_language:
            return self.default_voice
        return lang

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> VoiceChoice:
        """Read `voice`, `language` and `voices` from the audio section."""
        language = str(config.get("language", "fr"))
        voices = config.get("voices") or {}
        return cls(language, str(config.get("voice", language)), dict(voices))


def wav_seconds(data: bytes) -> float:
    """Return the duration of PCM WAV bytes (also when streamed with a placeholder size)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineError("not a WAV stream")
    rate = int.from_bytes(data[24:28], "little")
    block = int.from_bytes(data[32:34], "little")
    start = data.find(b"data", 12)
    if start < 0 or rate <= 0 or block <= 0:
        raise EngineError("WAV stream without audio data")
    return (len(data) - start - 8) / (rate * block)


class EspeakEngine:
    """espeak-ng from Debian, driven as a subprocess that writes WAV to stdout.

    espeak-ng's -s is a nominal rate: at -s 140 the shipped flows' easy-read messages measure
    from 94 to 171 words per minute (median 140), depending on word length and how many
    sentence pauses they have. So each rendering of 4 words or more is measured, and rendered
    again at a corrected -s when it is more than 5 wpm off the target (at most twice).
    """

    name = "espeak"
    native_rate = True

    def __init__(
        self,
        voices: VoiceChoice,
        rate: int = 140,
        pause_ms: int = DEFAULT_PAUSE_MS,
        target_wpm: int | None = 140,
        program: str = "espeak-ng",
        timeout: float = 60.0,
    ) -> None:
        self.voices = voices
        self.rate = rate
        self.pause_ms = pause_ms
        self.target_wpm = target_wpm
        self.program = program
        self.timeout = timeout

    def identity(self, lang: str) -> dict[str, Any]:
        """Return voice, first rate (espeak-ng -s), target rate and sentence pause."""
        return {"voice": self.voices.voice(lang), "rate": self.rate, "pause_ms": self.pause_ms,
                "wpm": self.target_wpm}  # fmt: skip

    def ssml(self, text: str) -> str:
        """Build the SSML document: one sentence after another, a break between them."""
        pause = f'<break time="{self.pause_ms}ms"/>'
        body = pause.join(escape(speakable(s)) for s in sentences(text))
        return f"<speak>{body}</speak>"

    def synthesize(self, text: str, lang: str) -> Speech:
        """Render a text at the target rate, measured on the audio produced."""
        rate = self.rate
        speech = self.run(text, lang, rate)
        if self.target_wpm is None or count_words(text) < FIT_MIN_WORDS:
            return speech
        for _ in range(2):
            measured = words_per_minute(text, wav_seconds(speech.data))
            if abs(measured - self.target_wpm) <= FIT_TOLERANCE_WPM:
                break
            corrected = round(rate * self.target_wpm / measured)
            corrected = min(max(corrected, ESPEAK_RATES[0]), ESPEAK_RATES[1])
            if corrected == rate:
                break
            rate = corrected
            speech = self.run(text, lang, rate)
        return speech

    def run(self, text: str, lang: str, rate: int) -> Speech:
        """Run espeak-ng once at a rate (text on stdin, never on the command line)."""
        program = shutil.which(self.program)
        if program is None:
            raise EngineNotConfigured(f"{self.program} is not installed (Debian: apt-get install espeak-ng)")
        if not sentences(text):
            raise EngineError("nothing to say: the text has no words")
        voice = self.voices.voice(lang)
        command = [program, "-m", "-v", voice, "-s", str(rate), "--stdin", "--stdout"]
        try:
            done = subprocess.run(
                command, input=self.ssml(text).encode("utf-8"), capture_output=True,
                timeout=self.timeout, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"espeak-ng took more than {self.timeout:.0f} s") from exc
        if done.returncode != 0 or len(done.stdout) <= 44:
            reason = done.stderr.decode("utf-8", "replace").strip() or "no audio"
            raise EngineError(f"espeak-ng failed with voice {voice!r}: {reason}")
        return Speech(done.stdout, "wav")


def build_engine(name: str, config: Mapping[str, Any]) -> Engine:
    """Build the engine a name designates, from the audio section of config.yml."""
    voices = VoiceChoice.from_config(config)
    pause_ms = int(config.get("sentence_pause_ms", DEFAULT_PAUSE_MS))
    if name == "espeak":
        target = config.get("words_per_minute", 140)
        return EspeakEngine(
            voices,
            rate=int(config.get("espeak_rate", 140)),
            pause_ms=pause_ms,
            target_wpm=int(target) if target else None,
        )
    if name == "gtts":
        from bot.audio.gtts_engine import GttsEngine

        return GttsEngine.from_config(config)
    if name == "piper":
        from bot.audio.piper_engine import PiperEngine

        return PiperEngine.from_config(config)
    raise EngineNotConfigured(f"unknown audio engine {name!r} (espeak, gtts or piper)")
