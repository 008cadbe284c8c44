"""Handle one Telegram update: translate, hand to the service, answer the press, edit the question.

The same path serves the webhook and long polling. `process` returns once the service
committed (the webhook then answers 200); `follow_up` answers the press, edits the question
to show the chosen answer, and only then sends the next step.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import anyio
from sqlalchemy import select
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.base import InboundMessage, OutboundMessage
from bot.channels.plugin import Hub
from bot.channels.telegram.format import answered
from bot.channels.telegram.inbound import Press, Translated, translate
from bot.service import HandleResult
from flows.events import DONE_KEY
from storage.models import Answer

if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel

log = logging.getLogger(__name__)
STALE_NOTICE = "Ce bouton est ancien."
BROKEN_BUTTON = "Ce bouton ne marche plus. Écrivez « répéter »."


def is_stale(inbound: InboundMessage, replies: list[OutboundMessage]) -> bool:
    """Say whether the service treated a button press as coming from an old question.

    A tagged stale notice settles it; otherwise the engine's shape does: a system message
    first, and no prompt for the pressed step (the current question is asked again instead).
    """
    if inbound.step is None or not inbound.choice or inbound.choice.startswith("cmd:"):
        return False
    if any(r.extra.get("system") == "stale_button" for r in replies):
        return True
    if not replies or replies[0].role != "system":
        return False
    return all(r.step != inbound.step for r in replies if r.expects != "none")


@dataclass
class Handled:
    """An update whose answer is committed: the feedback to give, then the replies to send."""

    chat_id: int = 0
    outbox_ids: list[int] = field(default_factory=list)
    press: Press | None = None
    toast: str | None = None
    chosen: str | None = None
    lang: str = "fr"


class UpdateHandler:
    """Turn updates into service calls and give the participant immediate feedback."""

    def __init__(self, channel: TelegramChannel, hub: Hub) -> None:
        self.channel = channel
        self.hub = hub

    async def process(self, update: Update) -> Handled:
        """Hand one update to the service; its answer is committed when this returns.

        Raises Flooded when one chat sends more than the throttle lets through.
        """
        bot = await self.channel.ready()
        config = self.channel.config
        translated = translate(update, self.channel.codec, config.default_flow, bot.username)
        if translated is None:
            return Handled()
        press = translated.press
        if press is not None and press.data is None:
            log.info("refused a button press with unreadable or forged data")
            return Handled(translated.chat_id, press=press, toast=BROKEN_BUTTON)
        inbound = translated.inbound
        if translated.voice_file_id is not None:
            inbound = replace(inbound, audio_ref=await self._download(translated))
        result = await self.hub.receive(inbound, dispatch=False)
        if inbound.audio_ref:
            await anyio.to_thread.run_sync(self._forget_unused, inbound.audio_ref)
        handled = Handled(translated.chat_id, list(result.outbox_ids), press)
        if press is not None:
            self._plan_press(translated, press, result, handled)
        return handled

    async def follow_up(self, handled: Handled) -> None:
        """Answer the press and show the chosen answer on the question, then send the replies."""
        feedback = []
        if handled.press is not None:
            feedback.append(self._answer(handled.press, handled.toast))
            if handled.chosen is not None:
                feedback.append(self._show_answer(handled, handled.press, handled.chosen))
        await asyncio.gather(*feedback)
        if handled.outbox_ids:
            await self.hub.dispatch(handled.outbox_ids)

    # voice notes ---------------------------------------------------------------
    async def _download(self, translated: Translated) -> str | None:
        """Keep a received voice note with the recordings; return its path relative to them."""
        config = self.channel.config
        if (translated.voice_size or 0) > config.max_voice_bytes:
            log.info("voice note over %d bytes not kept", config.max_voice_bytes)
            return None
        assert translated.voice_file_id is not None
        config.voice_dir.mkdir(parents=True, exist_ok=True)
        target = config.voice_dir / f"{uuid.uuid4().hex}.oga"
        file = await self.channel.bot.get_file(translated.voice_file_id)
        await file.download_to_drive(target)
        if target.stat().st_size > config.max_voice_bytes:
            target.unlink()
            return None
        return str(target.relative_to(config.recordings_dir))

    def _forget_unused(self, audio_ref: str) -> None:
        """Delete a downloaded voice note no answer keeps (a duplicate, or not a text step)."""
        with self.hub.db.sessions() as session:
            kept = session.scalar(select(Answer.id).where(Answer.audio_ref == audio_ref).limit(1))
        if kept is None:
            (self.channel.config.recordings_dir / audio_ref).unlink(missing_ok=True)

    # button presses --------------------------------------------------------------
    async def _answer(self, press: Press, text: str | None = None) -> None:
        """Answer a callback query (stops the client's spinner; shows text as a toast)."""
        try:
            await self.channel.bot.answer_callback_query(press.query_id, text=text)
        except BadRequest:
            log.debug("callback query already answered or too old")
        except TelegramError as exc:
            log.warning("could not answer a callback query: %s", type(exc).__name__)

    def _plan_press(
        self, translated: Translated, press: Press, result: HandleResult, handled: Handled
    ) -> None:
        """Decide the feedback to a press: a toast when stale, the chosen answer when it moved on."""
        inbound, data = translated.inbound, press.data
        stale = not result.duplicate and is_stale(inbound, result.replies)
        handled.toast = STALE_NOTICE if stale else None
        if result.duplicate or stale or data is None or press.message_id is None:
            return
        if data.is_command and data.value != "cmd:passer":
            return
        again = [r for r in result.replies if r.step == data.step and r.expects != "none"]
        if again:
            toggled = again[-1].expects == "multi" and data.value != DONE_KEY
            if toggled and len(result.replies) == 1 and data.step is not None:
                self.channel.edit_next_in_place(
                    translated.chat_id, again[-1].run_id, data.step, press.message_id
                )
            return
        handled.chosen = press.button or ""
        if data.value == DONE_KEY and press.selected:
            handled.chosen = ", ".join(press.selected)
        handled.lang = result.replies[0].lang if result.replies else "fr"

    async def _show_answer(self, handled: Handled, press: Press, chosen: str) -> None:
        """Edit the question to show the chosen answer and drop its buttons."""
        assert press.message_id is not None
        html = answered(press.question, chosen, handled.lang) if press.question else None
        bot, chat_id, message_id = self.channel.bot, handled.chat_id, press.message_id
        try:
            if html is not None:
                await self.channel.call(
                    chat_id,
                    lambda: bot.edit_message_text(
                        html, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
                    ),
                    new_message=False,
                )
            else:
                await self.channel.call(
                    chat_id,
                    lambda: bot.edit_message_reply_markup(
                        chat_id=chat_id, message_id=message_id, reply_markup=None
                    ),
                    new_message=False,
                )
        except (BadRequest, Forbidden) as exc:
            log.debug("question not edited: %s", type(exc).__name__)
        except TelegramError as exc:
            log.warning("question not edited: %s", type(exc).__name__)
