"""Google's voice through gTTS: needs internet; retries with backoff and honours HTTP 429."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from typing import Any

from bot.audio.config import AudioConfig
from bot.audio.engines import EngineError, EngineNotConfigured, Speech
from bot.audio.text import sentences, speakable

log = logging.getLogger(__name__)

RETRYABLE = frozenset({429, 500, 502, 503, 504})


def _retry_after(response: Any) -> float | None:
    """Return the delay a Retry-After header asks for, in seconds, when it gives one."""
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _terminated(sentence: str) -> str:
    """End a sentence with a full stop unless it already ends with punctuation."""
    return sentence if sentence[-1] in ".!?…" else sentence + "."


class GttsEngine:
    """gTTS (Google Translate's voice), rendered as MP3; the service fits its rate afterwards."""

    name = "gtts"
    native_rate = False

    def __init__(
        self,
        target_wpm: int = 140,
        tld: str = "fr",
        slow: bool = False,
        retries: int = 3,
        backoff: float = 1.0,
        max_delay: float = 8.0,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.target_wpm = target_wpm
        self.tld = tld
        self.slow = slow
        self.retries = retries
        self.backoff = backoff
        self.max_delay = max_delay
        self.timeout = timeout
        self.sleep = sleep

    @classmethod
    def from_config(cls, config: AudioConfig) -> GttsEngine:
        """Read words_per_minute and the gtts_* keys of the audio section."""
        return cls(target_wpm=config.words_per_minute, tld=config.gtts_tld, retries=config.gtts_retries)

    def identity(self, lang: str) -> dict[str, Any]:
        """Return the Google host, the speed flag and the target rate."""
        return {"voice": f"google.{self.tld}", "slow": self.slow, "rate": self.target_wpm}

    def _request(self, text: str, lang: str) -> bytes:
        """Make one attempt: every HTTP request gTTS needs for this text."""
        from gtts import gTTS

        buffer = io.BytesIO()
        gTTS(text, tld=self.tld, lang=lang, slow=self.slow, timeout=self.timeout).write_to_fp(buffer)
        return buffer.getvalue()

    def synthesize(self, text: str, lang: str) -> Speech:
        """Render a text, retrying on 429, 5xx and network errors with exponential backoff."""
        try:
            from gtts import gTTSError
        except ImportError as exc:
            raise EngineNotConfigured("gTTS is not installed (pip install gTTS)") from exc
        spoken = " ".join(_terminated(speakable(s)) for s in sentences(text))
        if not spoken:
            raise EngineError("nothing to say: the text has no words")
        for attempt in range(self.retries + 1):
            try:
                data = self._request(spoken, lang)
            except gTTSError as exc:
                response = getattr(exc, "rsp", None)
                status = getattr(response, "status_code", None)
                what = f"HTTP {status}" if status is not None else "no connection"
                if status is not None and status not in RETRYABLE:
                    raise EngineError(f"Google TTS refused the request ({what})") from exc
                if attempt == self.retries:
                    raise EngineError(f"Google TTS failed after {attempt + 1} attempts ({what})") from exc
                delay = _retry_after(response)
                delay = self.backoff * 2**attempt if delay is None else delay
                delay = min(delay, self.max_delay)
                log.info("gTTS %s, retry %d/%d in %.2f s", what, attempt + 1, self.retries, delay)
                self.sleep(delay)
            except ValueError as exc:
                raise EngineError(f"Google TTS cannot speak language {lang!r}") from exc
            else:
                if not data:
                    raise EngineError("Google TTS returned no audio")
                return Speech(data, "mp3")
        raise EngineError("Google TTS made no attempt")  # unreachable: retries >= 0
