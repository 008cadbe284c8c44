"""A content-addressed disk cache of rendered audio: one digest, every format, atomic writes.

Layout: `<root>/<digest[:2]>/<digest>.ogg|.mp3|.json`. The JSON sidecar (durations, sizes,
engine; never the text) is written last, so an entry exists only once it is complete.
`<root>/public/<digest>.ogg|.mp3` are relative symbolic links to the clips anyone may have
(the flows' own messages, never a read-back): a web server in front may serve that directory
itself (deploy/nginx.conf) and hand everything else to the app.
Every file is written to a temporary name and renamed, so concurrent renders of the same
text, in threads or processes, never expose a half-written file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.audio.convert import FORMATS, decoded_duration

DIGEST = re.compile(r"[0-9a-f]{64}")
PUBLIC = "public"


def digest_of(engine: str, identity: Mapping[str, Any], lang: str, text: str) -> str:
    """Return the sha256 key of a rendering: engine, its voice settings, language, text."""
    payload = json.dumps(
        {"engine": engine, "lang": lang, "text": text, "settings": dict(identity)},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """A complete cache entry: one file per format, with its decoded duration."""

    digest: str
    engine: str
    words: int
    durations: dict[str, float]
    paths: dict[str, Path]


class AudioCache:
    """Rendered audio on disk, addressed by digest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def path(self, digest: str, fmt: str) -> Path:
        """Return where one format of a digest lives (whether or not it exists)."""
        if not DIGEST.fullmatch(digest) or (fmt not in FORMATS and fmt != "json"):
            raise ValueError("not an audio cache name")
        return self.root / digest[:2] / f"{digest}.{fmt}"

    def lookup(self, digest: str) -> Entry | None:
        """Return the complete entry of a digest, or None."""
        try:
            meta = json.loads(self.path(digest, "json").read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        paths = {fmt: self.path(digest, fmt) for fmt in FORMATS}
        if not all(path.is_file() for path in paths.values()):
            return None
        return Entry(digest, meta["engine"], meta["words"], meta["durations"], paths)

    def entries(self) -> Iterator[tuple[str, float]]:
        """Yield (digest, time it was written) for every complete entry."""
        for meta in self.root.glob("??/*.json"):
            if DIGEST.fullmatch(meta.stem):
                with suppress(FileNotFoundError):
                    yield meta.stem, meta.stat().st_mtime

    def remove(self, digest: str) -> None:
        """Delete an entry: its public links, its sidecar, then its files."""
        self.unpublish(digest)
        for fmt in ("json", *FORMATS):
            with suppress(FileNotFoundError):
                self.path(digest, fmt).unlink()

    def public_path(self, digest: str, fmt: str) -> Path:
        """Return where the public link of one format of a digest lives."""
        self.path(digest, fmt)  # validates the name
        return self.root / PUBLIC / f"{digest}.{fmt}"

    def publish(self, digest: str) -> None:
        """Link every format of a complete entry into the public directory (idempotent)."""
        folder = self.root / PUBLIC
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in FORMATS:
            link = self.public_path(digest, fmt)
            if link.is_symlink():
                continue
            temp = folder / f".{digest}.{uuid.uuid4().hex[:12]}.{fmt}.tmp"
            os.symlink(Path("..") / digest[:2] / f"{digest}.{fmt}", temp)
            os.replace(temp, link)

    def unpublish(self, digest: str) -> None:
        """Remove the public links of a digest, if any."""
        for fmt in FORMATS:
            with suppress(FileNotFoundError):
                self.public_path(digest, fmt).unlink()

    def published(self) -> set[str]:
        """Return the digests that have a public link."""
        folder = self.root / PUBLIC
        if not folder.is_dir():
            return set()
        stems = (link.name.split(".")[0] for link in folder.iterdir())
        return {stem for stem in stems if DIGEST.fullmatch(stem)}

    @contextmanager
    def locked(self, digest: str) -> Iterator[None]:
        """Hold this process's lock for one digest, so a text is rendered once at a time."""
        with self._guard:
            lock = self._locks.setdefault(digest, threading.Lock())
        with lock:
            yield

    def store(self, digest: str, engine: str, words: int, write: Callable[[dict[str, Path]], None]) -> Entry:
        """Write every format through `write(temporary paths)`, measure, then publish."""
        shard = self.root / digest[:2]
        shard.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:12]
        temps = {fmt: shard / f".{digest}.{token}.{fmt}.tmp" for fmt in FORMATS}
        try:
            write(temps)
            durations = {fmt: round(decoded_duration(path), 3) for fmt, path in temps.items()}
            for fmt, temp in temps.items():
                os.replace(temp, self.path(digest, fmt))
        finally:
            for temp in temps.values():
                with suppress(FileNotFoundError):
                    temp.unlink()
        sizes = {fmt: self.path(digest, fmt).stat().st_size for fmt in FORMATS}
        meta = {"engine": engine, "words": words, "durations": durations, "sizes": sizes}
        meta_temp = shard / f".{digest}.{token}.json.tmp"
        meta_temp.write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
        os.replace(meta_temp, self.path(digest, "json"))
        paths = {fmt: self.path(digest, fmt) for fmt in FORMATS}
        return Entry(digest, engine, words, durations, paths)
