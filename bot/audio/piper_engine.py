"""Piper (piper-tts), a local neural voice, when a voice model path is configured.

No voice is shipped. Get one (for instance fr_FR-siwis-medium: the .onnx file and its
.onnx.json) with `python -m piper.download_voices fr_FR-siwis-medium` on a machine with
internet, copy both files to the server and set `audio.piper_model` to the .onnx path.
"""

from __future__ import annotations

import io
import threading
import wave
from pathlib import Path
from typing import Any

from bot.audio.config import AudioConfig
from bot.audio.engines import DEFAULT_PAUSE_MS, EngineError, EngineNotConfigured, Speech
from bot.audio.text import sentences, speakable


class PiperEngine:
    """piper-tts, imported only when first used; sentences joined with a silence."""

    name = "piper"
    native_rate = False

    def __init__(
        self,
        model: Path | None,
        target_wpm: int = 140,
        pause_ms: int = DEFAULT_PAUSE_MS,
        speaker: int | None = None,
    ) -> None:
        self.model = model
        self.target_wpm = target_wpm
        self.pause_ms = pause_ms
        self.speaker = speaker
        self._voice: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: AudioConfig) -> PiperEngine:
        """Read piper_model, piper_speaker, words_per_minute and sentence_pause_ms."""
        model = Path(config.piper_model).expanduser() if config.piper_model else None
        return cls(model, target_wpm=config.words_per_minute, pause_ms=config.sentence_pause_ms,
                   speaker=config.piper_speaker)  # fmt: skip

    def identity(self, lang: str) -> dict[str, Any]:
        """Return the voice model, speaker, target rate and pause."""
        voice = self.model.name if self.model else None
        return {"voice": voice, "speaker": self.speaker, "rate": self.target_wpm,
                "pause_ms": self.pause_ms}  # fmt: skip

    def voice(self) -> Any:
        """Load the voice model once; say clearly what is missing."""
        with self._lock:
            if self._voice is not None:
                return self._voice
            if self.model is None:
                raise EngineNotConfigured(
                    "audio.engine is piper but audio.piper_model is not set: give the path "
                    "of a Piper .onnx voice (none is shipped; see bot/audio/piper_engine.py)"
                )
            if not self.model.is_file():
                raise EngineNotConfigured(f"Piper voice model not found: {self.model}")
            if not Path(f"{self.model}.json").is_file():
                raise EngineNotConfigured(f"Piper voice config not found: {self.model}.json")
            try:
                from piper import PiperVoice
            except ImportError as exc:
                raise EngineNotConfigured(
                    "piper-tts is not installed (pip install 'porte-voix[piper]')"
                ) from exc
            self._voice = PiperVoice.load(str(self.model))
            return self._voice

    def synthesize(self, text: str, lang: str) -> Speech:
        """Render each sentence with Piper and join them with the configured silence."""
        parts = [speakable(s) for s in sentences(text)]
        if not parts:
            raise EngineError("nothing to say: the text has no words")
        voice = self.voice()
        from piper import SynthesisConfig

        config = SynthesisConfig(speaker_id=self.speaker)
        frames: list[bytes] = []
        rate = 0
        for index, sentence in enumerate(parts):
            if index and rate:
                frames.append(b"\x00\x00" * (rate * self.pause_ms // 1000))
            for chunk in voice.synthesize(sentence, syn_config=config):
                rate = chunk.sample_rate
                frames.append(chunk.audio_int16_bytes)
        if not rate:
            raise EngineError("Piper produced no audio")
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(b"".join(frames))
        return Speech(buffer.getvalue(), "wav")
