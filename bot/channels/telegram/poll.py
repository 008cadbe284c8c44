"""Long polling for a laptop: getUpdates in a loop, through the same handler as the webhook.

An update is confirmed to Telegram (offset moved past it) only once the service committed it,
so stopping or crashing loses nothing; a redelivered update is a no-op thanks to dedupe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.channels.telegram.channel import TelegramChannel, retry_seconds
from bot.channels.telegram.updates import UpdateHandler

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_FAILURES = 5


class Poller:
    """Fetch updates until told to stop, handle each one, then send its replies."""

    def __init__(self, channel: TelegramChannel, handler: UpdateHandler) -> None:
        self.channel = channel
        self.handler = handler
        self.offset: int | None = None
        self.handled = 0

    async def _fetch(self, stop: asyncio.Event) -> tuple[Update, ...] | None:
        """Long-poll once; None when asked to stop first."""
        bot = self.channel.bot
        fetch = asyncio.ensure_future(
            bot.get_updates(
                offset=self.offset,
                timeout=self.channel.config.poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
            )
        )
        stopping = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in (fetch, stopping):
            if task not in done:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await task
        return fetch.result() if fetch in done else None

    async def _handle(self, update: Update, stop: asyncio.Event) -> None:
        """Handle one update, retrying a failure a few times before skipping it."""
        handled = None
        for attempt in range(1, MAX_FAILURES + 1):
            try:
                handled = await self.handler.process(update)
                break
            except Exception:
                log.exception("telegram update %s failed (attempt %d)", update.update_id, attempt)
                if attempt == MAX_FAILURES or stop.is_set():
                    log.error("telegram update %s skipped", update.update_id)
                    break
                await asyncio.sleep(min(2**attempt, 30))
        self.offset = update.update_id + 1
        self.handled += 1
        if handled is not None:
            try:
                await self.handler.follow_up(handled)
            except Exception:  # a garbled answer to an edit must not stop the bot for everyone
                log.exception("telegram update %s: follow-up failed (the outbox sends what is left)",
                              update.update_id)  # fmt: skip

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; delete any webhook first (Telegram allows one or the other)."""
        bot = await self.channel.ready()
        await bot.delete_webhook()
        log.info("polling Telegram as @%s", bot.username)
        delay = 1.0
        while not stop.is_set():
            try:
                updates = await self._fetch(stop)
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except (Conflict, InvalidToken):
                raise
            except Exception as exc:  # the network, a garbled answer, a bug: wait, then go on
                if isinstance(exc, NetworkError):
                    log.warning("polling failed (%s); retrying in %.0fs", type(exc).__name__, delay)
                else:
                    log.exception("polling failed; retrying in %.0fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60)
                continue
            if updates is None:
                break
            delay = 1.0
            for update in updates:
                await self._handle(update, stop)
        await self._confirm()

    async def _confirm(self) -> None:
        """Tell Telegram which updates are done, so they are not delivered again."""
        if self.offset is None:
            return
        try:
            await self.channel.bot.get_updates(offset=self.offset, timeout=0, limit=1)
        except Exception:  # a garbled answer: unconfirmed updates come again and are known by id
            log.warning("telegram: confirming the last updates failed; a redelivery is recognised")
