"""The offline espeak-ng engine, with the voice chosen per language."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from bot.audio.config import AudioConfig
from bot.audio.engines import (
    DEFAULT_PAUSE_MS,
    FIT_MIN_WORDS,
    EngineError,
    EngineNotConfigured,
    Speech,
    wav_seconds,
)
from bot.audio.text import count_words, sentences, speakable, words_per_minute

FIT_TOLERANCE_WPM = 5.0
ESPEAK_RATES = (80, 320)  # what espeak-ng -s accepts


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
    def from_config(cls, config: AudioConfig) -> VoiceChoice:
        """Read `voice`, `language` and `voices` from the audio section."""
        return cls(config.language, config.voice, config.voices)


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

    @classmethod
    def from_config(cls, config: AudioConfig) -> EspeakEngine:
        """Read the voices, espeak_rate, sentence_pause_ms and words_per_minute (0: no fitting)."""
        return cls(VoiceChoice.from_config(config), rate=config.espeak_rate,
                   pause_ms=config.sentence_pause_ms, target_wpm=config.words_per_minute or None)  # fmt: skip

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
