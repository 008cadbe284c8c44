"""What retention removes outside the database: recordings at Twilio, audio read-backs."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx

from bot.audio.catalog import flow_utterances, system_utterances
from bot.audio.service import AudioService
from bot.channels.base import OutboundMessage, SendResult
from bot.channels.twilio.api import TwilioConfig
from bot.settings import Settings
from flows.loader import load_directory
from storage.retention import remove_recording

log = logging.getLogger(__name__)
# A Twilio RecordingUrl: https://api.twilio.com/2010-04-01/Accounts/AC.../Recordings/RE...[.mp3]
_TWILIO_RECORDING = re.compile(r"^https?://[^/]+/2010-04-01/Accounts/(AC\w+)/Recordings/(RE\w+)")


@dataclass
class Removal:
    """Which references were deleted where they live, and which must be tried again."""

    deleted: int = 0
    failed: list[str] = field(default_factory=list)


def delete_recordings(refs: Iterable[str], config: TwilioConfig, local_root: Path | None = None) -> Removal:
    """Delete recordings at Twilio (DELETE Recording) or on disk; 404 counts as gone."""
    removal = Removal()
    with httpx.Client(timeout=15, auth=(config.account_sid, config.auth_token)) as http:
        for ref in set(refs):
            match = _TWILIO_RECORDING.match(ref)
            if match:
                account, recording = match.groups()
                url = f"{config.api_base}/2010-04-01/Accounts/{account}/Recordings/{recording}.json"
                try:
                    status = http.delete(url).status_code
                except httpx.HTTPError as exc:
                    status = 0
                    log.warning("twilio unreachable to delete a recording: %s", type(exc).__name__)
                if status in (200, 204, 404):
                    removal.deleted += 1
                else:
                    removal.failed.append(ref)
            elif remove_recording(ref, local_root):
                removal.deleted += 1
            elif ref.startswith(("http://", "https://")):
                removal.failed.append(ref)  # somewhere we cannot delete: keep the reference
            else:
                removal.deleted += 1  # a local reference whose file is already gone
    return removal


def delete_recordings_of(settings: Settings, refs: Iterable[str]) -> Removal:
    """Delete recordings with the configured Twilio account and the local recordings directory."""
    return delete_recordings(refs, TwilioConfig.load(settings), settings.data_dir / "recordings")


class RecordingDeletions:
    """The outbox's channel for deleting recordings kept at Twilio (see RECORDING_DELETION)."""

    def __init__(self, config: TwilioConfig) -> None:
        self.config = config

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Delete the recording whose URL is the message's text; a failure is retried later."""
        removal = await anyio.to_thread.run_sync(delete_recordings, [message.text], self.config)
        if removal.failed:
            return SendResult(ok=False, error="twilio did not delete the recording")
        return SendResult(ok=True)


def flow_clips(settings: Any, audio: AudioService) -> set[str]:
    """Return the digests of every message of the installed flows (never personal)."""
    flows = load_directory(settings.flows_dir) if settings.flows_dir.is_dir() else {}
    utterances = [u for flow in flows.values() for u in flow_utterances(flow)] + system_utterances()
    engines = [audio.engine, *([audio.fallback] if audio.fallback else [])]
    return {audio.digest(u.text, u.lang, engine) for u in utterances for engine in engines}


def prune_clips(settings: Settings, days: float) -> tuple[int, int]:
    """Delete cached clips that are no flow's message and older than `days` (read-backs)."""
    audio = AudioService.from_settings(settings)
    keep = flow_clips(settings, audio)
    cutoff = time.time() - days * 86400
    removed = kept = 0
    for digest, written in list(audio.cache.entries()):
        if digest in keep or written > cutoff:
            kept += 1
        else:
            audio.cache.remove(digest)
            removed += 1
    for digest in audio.cache.published() - keep:  # a message no installed flow says any more
        audio.cache.unpublish(digest)
    return removed, kept


class ClipForgetter:
    """Delete the cached clips of texts a participant was sent (read-backs), never a flow's.

    The flows' clips are listed once, on the first call that has texts: the conversation
    service calls it on every read-back answered and every erasure.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._known: tuple[AudioService, set[str]] | None = None

    def warm(self) -> tuple[AudioService, set[str]]:
        """List the flows' clips now (a serving process does it at start, not in a conversation)."""
        if self._known is None:
            audio = AudioService.from_settings(self.settings)
            self._known = audio, flow_clips(self.settings, audio)
        return self._known

    def __call__(self, texts: Iterable[str], lang: str = "fr") -> int:
        """Delete these texts' clips; return how many files went."""
        texts = list(texts)
        if not texts:
            return 0
        audio, keep = self.warm()
        engines = [audio.engine, *([audio.fallback] if audio.fallback else [])]
        removed = 0
        for text in texts:
            for engine in engines:
                digest = audio.digest(text, lang, engine)
                if digest not in keep and audio.cache.lookup(digest) is not None:
                    audio.cache.remove(digest)
                    removed += 1
        return removed


def forget_clips(settings: Settings, texts: Iterable[str], lang: str = "fr") -> int:
    """Delete the cached clips of these texts (what a participant was read back), not flow clips."""
    return ClipForgetter(settings)(texts, lang)
