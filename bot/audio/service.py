"""The audio service: text in, cached audio out (OGG/Opus and MP3), with an offline fallback."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from bot.audio.cache import AudioCache, Entry, digest_of
from bot.audio.config import AudioConfig
from bot.audio.convert import MIME, Encoding, encode, fit_tempo, speech_duration
from bot.audio.engines import Engine, EngineError
from bot.audio.registry import build_engine
from bot.audio.text import count_words, normalize
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Clip:
    """One rendered text in one format, ready to send or serve."""

    digest: str
    fmt: str
    path: Path
    duration: float
    engine: str = ""

    @property
    def mime(self) -> str:
        """Return the content type of the clip."""
        return MIME[self.fmt]

    @property
    def url(self) -> str:
        """Return the relative URL the audio route serves this clip at."""
        return f"/audio/{self.digest}.{self.fmt}"


@dataclass(frozen=True)
class Rendering:
    """The cache entry of a text, and whether this call had to render it."""

    entry: Entry
    rendered: bool


class AudioService:
    """Render texts with the configured engine, cache them by content, fall back offline."""

    def __init__(
        self,
        engine: Engine,
        cache: AudioCache,
        fallback: Engine | None = None,
        target_wpm: int = 140,
        encoding: Encoding | None = None,
        cooldown: float = 60.0,
        memory_cache_bytes: int = 16 * 2**20,
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.fallback = fallback
        self.target_wpm = target_wpm
        self.encoding = encoding or Encoding()
        self.cooldown = cooldown
        self.memory_cache_bytes = memory_cache_bytes  # public clips the route keeps in memory
        self._engine_down_until = 0.0
        self._state = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> AudioService:
        """Build the service from the `audio` section of the settings."""
        config = settings.typed(AudioConfig)
        fallback_name = config.fallback or "none"
        fallback = None
        if fallback_name not in ("none", config.engine):
            fallback = build_engine(fallback_name, config)
        return cls(
            build_engine(config.engine, config),
            AudioCache(settings.data_dir / config.cache_dir),  # an absolute cache_dir wins
            fallback=fallback,
            target_wpm=config.words_per_minute,
            encoding=Encoding(opus_bitrate=config.opus_bitrate, mp3_bitrate=config.mp3_bitrate),
            cooldown=config.fallback_cooldown_seconds,
            memory_cache_bytes=int(config.memory_cache_mb * 2**20),
        )

    # keys ------------------------------------------------------------------
    def digest(self, text: str, lang: str = "fr", engine: Engine | None = None) -> str:
        """Return the cache key of a text spoken by an engine (the configured one by default)."""
        engine = engine or self.engine
        return digest_of(engine.name, engine.identity(lang), lang, normalize(text))

    # rendering -------------------------------------------------------------
    def render(self, text: str, lang: str = "fr") -> Rendering:
        """Make sure a text is in the cache in every format; render it when missing."""
        spoken = normalize(text)
        if count_words(spoken) == 0:
            raise ValueError("nothing to say: the text has no words")
        entry = self.cache.lookup(self.digest(spoken, lang))
        if entry is not None:
            return Rendering(entry, rendered=False)
        if self.fallback is not None and time.monotonic() < self._engine_down_until:
            return self._render_with(self.fallback, spoken, lang)
        try:
            return self._render_with(self.engine, spoken, lang)
        except EngineError as exc:
            if self.fallback is None:
                raise
            with self._state:
                self._engine_down_until = time.monotonic() + self.cooldown
            log.warning(
                "audio engine %s failed (%s); falling back to %s for %.0f s",
                self.engine.name, exc, self.fallback.name, self.cooldown,
            )  # fmt: skip
            return self._render_with(self.fallback, spoken, lang)

    def _render_with(self, engine: Engine, spoken: str, lang: str) -> Rendering:
        """Render with one engine into its own cache entry (rendered once per process)."""
        digest = self.digest(spoken, lang, engine)
        with self.cache.locked(digest):
            entry = self.cache.lookup(digest)
            if entry is not None:
                return Rendering(entry, rendered=False)
            started = time.perf_counter()
            speech = engine.synthesize(spoken, lang)
            words = count_words(spoken)
            tempo = None
            if not engine.native_rate:
                self.cache.root.mkdir(parents=True, exist_ok=True)
                scratch = self.cache.root / f".{digest}.{uuid.uuid4().hex[:12]}.{speech.container}"
                seconds = speech_duration(speech, scratch)
                tempo = fit_tempo(words, seconds, self.target_wpm)

            def write(paths: dict[str, Path]) -> None:
                encode(speech, paths, self.encoding, tempo=tempo)

            entry = self.cache.store(digest, engine.name, words, write)
            log.debug(
                "audio %s rendered by %s in %.0f ms",
                digest[:12], engine.name, (time.perf_counter() - started) * 1000,
            )  # fmt: skip
            return Rendering(entry, rendered=True)

    # public API ------------------------------------------------------------
    def clip(self, text: str, lang: str = "fr", fmt: str = "mp3") -> Clip:
        """Return the clip of a text in a format (ogg or mp3), rendering it if missing."""
        if fmt not in MIME:
            raise ValueError(f"unknown audio format {fmt!r} (ogg or mp3)")
        entry = self.render(text, lang).entry
        return Clip(entry.digest, fmt, entry.paths[fmt], entry.durations[fmt], entry.engine)

    def url_for(self, text: str, lang: str = "fr", fmt: str = "mp3") -> str:
        """Return the relative URL of a text's audio, rendered so the URL works when fetched."""
        return self.clip(text, lang, fmt).url

    async def aclip(self, text: str, lang: str = "fr", fmt: str = "mp3") -> Clip:
        """Return a clip from async code (rendering runs in a worker thread)."""
        return await anyio.to_thread.run_sync(self.clip, text, lang, fmt)

    async def aurl_for(self, text: str, lang: str = "fr", fmt: str = "mp3") -> str:
        """Return a clip's URL from async code (rendering runs in a worker thread)."""
        return (await self.aclip(text, lang, fmt)).url

    def lookup(self, digest: str, fmt: str) -> Clip | None:
        """Return the cached clip of a digest, or None (never renders)."""
        entry = self.cache.lookup(digest)
        if entry is None or fmt not in MIME:
            return None
        return Clip(entry.digest, fmt, entry.paths[fmt], entry.durations[fmt], entry.engine)
