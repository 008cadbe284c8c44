"""The Telegram channel: sends outbound messages through the Bot API with python-telegram-bot.

Text goes as escaped HTML split at sentence ends, the last part carrying the inline keyboard;
in audio mode an OGG/Opus voice note from the audio service comes first, so the buttons stay
at the bottom. Sends are paced (about 30 a second overall, about 1 a second per chat), a short
RetryAfter is waited out, a long one goes back to the outbox, and a user who blocked the bot
is reported as blocked so the dispatcher marks them opted out.
"""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import anyio
from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.channels.base import OutboundMessage, SendResult
from bot.channels.plugin import ChannelPlugin
from bot.channels.telegram.callback import CallbackCodec
from bot.channels.telegram.config import TelegramConfig, telegram_config
from bot.channels.telegram.format import CAPABILITIES, CHANNEL, Rendered, render
from bot.channels.telegram.limits import SendLimiter
from bot.channels.telegram.webhook import routes
from bot.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
VOICE_NOTE_BYTES = 1024 * 1024  # larger files show as documents, not voice notes
VOICE_CACHE = 2048  # Telegram file ids of voice clips already uploaded
IN_PLACE_HINTS = 10_000  # multiple-choice messages to edit rather than send again
GONE = ("blocked by the user", "user is deactivated", "bot was kicked")


class AudioClips(Protocol):
    """The audio service, as far as this channel uses it."""

    def clip(self, text: str, lang: str = "fr", fmt: str = "ogg") -> Any:
        """Return a Clip(path, duration, mime, digest) for a text."""
        ...


def retry_seconds(exc: RetryAfter) -> float:
    """Return how long Telegram asks to wait, whatever PTB's deprecation state."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class RedactToken(logging.Filter):
    """Hide bot tokens in log lines (httpx logs every request URL, token included, at INFO)."""

    PATTERN = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without the token; never drop it."""
        message = record.getMessage()
        if "/bot" in message:
            record.msg, record.args = self.PATTERN.sub("/bot<token>", message), None
        return True


def redact_tokens() -> None:
    """Install the token filter on the HTTP client's logger, once."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactToken) for f in logger.filters):
        logger.addFilter(RedactToken())


def make_bot(config: TelegramConfig) -> Bot:
    """Build the PTB bot on the configured Bot API server."""
    redact_tokens()
    return Bot(
        config.token,
        base_url=config.base_url,
        base_file_url=config.base_file_url,
        request=HTTPXRequest(
            connection_pool_size=32, read_timeout=15, write_timeout=15, media_write_timeout=60
        ),
        get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=config.poll_timeout + 10),
    )


class TelegramChannel:
    """Deliver outbound messages to Telegram chats (the address is the chat id)."""

    def __init__(
        self,
        config: TelegramConfig,
        audio: AudioClips | None = None,
        limiter: SendLimiter | None = None,
        bot: Bot | None = None,
    ) -> None:
        self.config = config
        self.audio = audio
        self.codec = CallbackCodec(config.callback_secret)
        self.limiter = limiter or SendLimiter(config.overall_rate, config.chat_rate, config.chat_burst)
        self.bot = bot or make_bot(config)
        self._ready: asyncio.Lock | None = None
        self._initialised = False
        self._voice_ids: OrderedDict[str, str] = OrderedDict()
        self._in_place: OrderedDict[tuple[int, int | None, str | None], int] = OrderedDict()

    # lifecycle -----------------------------------------------------------------
    async def ready(self) -> Bot:
        """Initialise the bot once (getMe), and return it."""
        if self._initialised:
            return self.bot
        if self._ready is None:
            self._ready = asyncio.Lock()
        async with self._ready:
            if not self._initialised:
                await self.bot.initialize()
                self._initialised = True
        return self.bot

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.bot.shutdown()
        self._initialised = False

    # pacing ----------------------------------------------------------------------
    async def call(self, chat_id: int, make: Callable[[], Awaitable[T]], new_message: bool = True) -> T:
        """Make one paced Bot API call to a chat, waiting out a short RetryAfter.

        Edits of an existing message count against the overall limit only.
        """
        for attempt in range(3):
            await self.limiter.acquire(chat_id, per_chat=new_message)
            try:
                return await make()
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                self.limiter.penalise(chat_id, wait)
                if wait > self.config.max_retry_wait or attempt == 2:
                    raise
                log.info("telegram asked to wait %.1fs before the next send", wait)
        raise AssertionError("unreachable")

    # sending ---------------------------------------------------------------------
    def edit_next_in_place(self, chat_id: int, run_id: int | None, step: str, message_id: int) -> None:
        """Show the next prompt of this step by editing a message (multiple-choice toggles)."""
        self._in_place[(chat_id, run_id, step)] = message_id
        while len(self._in_place) > IN_PLACE_HINTS:
            self._in_place.popitem(last=False)

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Deliver one message to a chat."""
        try:
            chat_id = int(address)
        except ValueError:
            return SendResult(ok=False, error="not a Telegram chat id")
        rendered = render(message, self.codec)
        try:
            await self.ready()
            target = self._in_place.pop((chat_id, message.run_id, message.step), None)
            edited = target is not None and message.expects == "multi"
            if edited and target is not None and await self._edit(chat_id, target, rendered):
                return SendResult(ok=True, external_id=str(target))
            if message.audio and self.audio is not None:
                await self._send_voice(chat_id, message)
            last: Message | None = None
            for index, part in enumerate(rendered.parts):
                markup = rendered.markup if index == len(rendered.parts) - 1 else None
                last = await self._send_text(chat_id, part, markup)
        except Forbidden as exc:
            gone = any(reason in str(exc).lower() for reason in GONE)
            return SendResult(ok=False, error=str(exc)[:200], blocked=gone)
        except RetryAfter as exc:
            return SendResult(ok=False, error="rate limited", retry_after=retry_seconds(exc))
        except TelegramError as exc:
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:200])
        return SendResult(ok=True, external_id=str(last.message_id) if last else None)

    async def _send_text(self, chat_id: int, html: str, markup: InlineKeyboardMarkup | None) -> Message:
        """Send one HTML text part."""
        return await self.call(
            chat_id,
            lambda: self.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup),
        )

    async def _edit(self, chat_id: int, message_id: int, rendered: Rendered) -> bool:
        """Replace a message's text and keyboard; False when it cannot be edited."""
        if len(rendered.parts) != 1:
            return False
        try:
            await self.call(
                chat_id,
                lambda: self.bot.edit_message_text(
                    rendered.parts[0],
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=rendered.markup,
                ),
                new_message=False,
            )
        except BadRequest as exc:
            return "not modified" in str(exc).lower()
        return True

    async def _clip(self, message: OutboundMessage) -> Any:
        """Ask the audio service for the clip of a message, in the format Telegram plays."""
        assert self.audio is not None
        text, fmt = message.spoken or message.text, CAPABILITIES.audio
        aclip = getattr(self.audio, "aclip", None)
        if aclip is not None:
            return await aclip(text, lang=message.lang, fmt=fmt)
        return await anyio.to_thread.run_sync(lambda: self.audio.clip(text, message.lang, fmt))  # type: ignore[union-attr]

    async def _send_voice(self, chat_id: int, message: OutboundMessage) -> None:
        """Send the voice note of a message; audio trouble never blocks the text."""
        try:
            clip = await self._clip(message)
        except Exception as exc:  # the audio engine failing must not lose the text
            log.warning("no voice note for a message: %s", type(exc).__name__)
            return
        digest, path = str(clip.digest), Path(clip.path)
        duration = max(1, round(float(clip.duration)))
        file_id = self._voice_ids.get(digest)
        if file_id is not None:
            try:
                await self.call(chat_id, lambda: self.bot.send_voice(chat_id, file_id, duration=duration))
                self._voice_ids.move_to_end(digest)
                return
            except BadRequest:
                self._voice_ids.pop(digest, None)
        if path.stat().st_size > VOICE_NOTE_BYTES:
            log.warning("voice clip of %d bytes will not show as a voice note", path.stat().st_size)
        sent = await self.call(chat_id, lambda: self.bot.send_voice(chat_id, path, duration=duration))
        if sent.voice is not None:
            self._voice_ids[digest] = sent.voice.file_id
            while len(self._voice_ids) > VOICE_CACHE:
                self._voice_ids.popitem(last=False)


def build_channel(
    settings: Settings, audio: AudioClips | None = None, env: Mapping[str, str] | None = None
) -> TelegramChannel | None:
    """Return the Telegram channel, or None when no bot token is configured."""
    config = telegram_config(settings, env)
    return TelegramChannel(config, audio) if config is not None else None



def build(settings: Settings, env: Mapping[str, str], audio: AudioClips | None) -> TelegramChannel | None:
    """Build the channel for the registry (None without TELEGRAM_BOT_TOKEN: no route either)."""
    return build_channel(settings, audio, env)


PLUGIN = ChannelPlugin(name=CHANNEL, label="Telegram", capabilities=CAPABILITIES, build=build,
                       routes=routes)  # fmt: skip
