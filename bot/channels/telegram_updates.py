"""Handle one Telegram update: translate, hand to the service, answer the press, edit the question.

The same path serves the webhook and long polling. It returns the outbox ids to dispatch;
the caller dispatches them after acknowledging the update, so the question message is edited
to show the chosen answer before the next step is sent.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

import anyio
from sqlalchemy import select
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.base import InboundMessage, OutboundMessage
from bot.channels.telegram_format import answered
from bot.channels.telegram_inbound import Press, Translated, translate
from bot.intake import receive
from bot.service import HandleResult
from storage.models import Answer

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel
    from bot.container import Services

log = logging.getLogger(__name__)
DONE = "_valider"
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


class UpdateHandler:
    """Turn updates into service calls and give the participant immediate feedback."""

    def __init__(self, channel: TelegramChannel, services: Services) -> None:
        self.channel = channel
        self.services = services

    async def process(self, update: Update) -> list[int]:
        """Handle one update after its transaction commits; return the outbox ids to send.

        Raises Flooded when one chat sends more than the throttle lets through.
        """
        bot = await self.channel.ready()
        config = self.channel.config
        translated = translate(update, self.channel.codec, config.default_flow, bot.username)
        if translated is None:
            return []
        press = translated.press
        if press is not None and press.data is None:
            log.info("refused a button press with unreadable or forged data")
            await self._answer(press, BROKEN_BUTTON)
            return []
        inbound = translated.inbound
        if translated.voice_file_id is not None:
            inbound = replace(inbound, audio_ref=await self._download(translated))
        result = await receive(self.services, inbound, dispatch=False)
        if inbound.audio_ref:
            await anyio.to_thread.run_sync(self._forget_unused, inbound.audio_ref)
        if press is not None:
            await self._after_press(translated, press, result)
        return list(result.outbox_ids)

    # voice notes ---------------------------------------------------------------
    async def _download(self, translated: Translated) -> str | None:
        """Keep a received voice note under the data dir; return its path relative to it."""
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
        return str(target.relative_to(config.data_dir))

    def _forget_unused(self, audio_ref: str) -> None:
        """Delete a downloaded voice note no answer keeps (a duplicate, or not a text step)."""
        with self.services.db.sessions() as session:
            kept = session.scalar(select(Answer.id).where(Answer.audio_ref == audio_ref).limit(1))
        if kept is None:
            (self.channel.config.data_dir / audio_ref).unlink(missing_ok=True)

    # button presses --------------------------------------------------------------
    async def _answer(self, press: Press, text: str | None = None) -> None:
        """Answer a callback query (stops the client's spinner; shows text as a toast)."""
        try:
            await self.channel.bot.answer_callback_query(press.query_id, text=text)
        except BadRequest:
            log.debug("callback query already answered or too old")
        except TelegramError as exc:
            log.warning("could not answer a callback query: %s", type(exc).__name__)

    async def _after_press(self, translated: Translated, press: Press, result: HandleResult) -> None:
        """Answer the press; show the chosen answer on the question when the run moved on."""
        inbound, data = translated.inbound, press.data
        stale = not result.duplicate and is_stale(inbound, result.replies)
        await self._answer(press, STALE_NOTICE if stale else None)
        if result.duplicate or stale or data is None or press.message_id is None:
            return
        if data.is_command and data.value != "cmd:passer":
            return
        again = [r for r in result.replies if r.step == data.step and r.expects != "none"]
        if again:
            toggled = again[-1].expects == "multi" and data.value != DONE
            if toggled and len(result.replies) == 1 and data.step is not None:
                self.channel.edit_next_in_place(
                    translated.chat_id, again[-1].run_id, data.step, press.message_id
                )
            return
        chosen = press.button or ""
        if data.value == DONE and press.selected:
            chosen = ", ".join(s.removeprefix("✅").strip() for s in press.selected)
        lang = result.replies[0].lang if result.replies else "fr"
        await self._show_answer(translated.chat_id, press, chosen, lang)

    async def _show_answer(self, chat_id: int, press: Press, chosen: str, lang: str) -> None:
        """Edit the question to show the chosen answer and drop its buttons."""
        assert press.message_id is not None
        html = answered(press.question, chosen, lang) if press.question else None
        bot, message_id = self.channel.bot, press.message_id
        try:
            if html is not None:
                await self.channel.call(
                    chat_id,
                    lambda: bot.edit_message_text(
                        html, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
                    ),
                )
            else:
                await self.channel.call(
                    chat_id,
                    lambda: bot.edit_message_reply_markup(
                        chat_id=chat_id, message_id=message_id, reply_markup=None
                    ),
                )
        except (BadRequest, Forbidden) as exc:
            log.debug("question not edited: %s", type(exc).__name__)
        except TelegramError as exc:
            log.warning("question not edited: %s", type(exc).__name__)
