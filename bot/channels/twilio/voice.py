"""Twilio voice webhooks: a call plays the flow, keys answer, silences simplify, speech records."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import anyio
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.voice_response import VoiceResponse

from bot.channels.base import Capabilities, InboundMessage
from bot.channels.phone import PhoneNumberError, to_e164
from bot.channels.plugin import ChannelPlugin, Hub, RepliesOnly, in_response
from bot.channels.twilio import voice_news
from bot.channels.twilio.api import TwilioConfig
from bot.channels.twilio.keypad import ERASE_DIGIT, SAY_HELP, SOS_DIGIT, read_key
from bot.channels.twilio.voice_twiml import (
    AGAIN_PATH,
    SAY_BYE,
    SAY_NO_AUDIO,
    SAY_UNKNOWN_KEY,
    VOICE_PATH,
    CallState,
    Speaker,
    VoiceOptions,
    answered_before,
    goodbye,
    record_now,
    render,
)
from bot.channels.twilio.web import require, signed_form, twiml
from bot.intake import Flooded
from bot.settings import Settings
from storage import delivery, round_two
from storage.round_two import RoundTwoConfig

log = logging.getLogger(__name__)
CHANNEL = "voice"
ANONYMOUS = "anonymous:"  # a withheld number: the participant lives for one call
MAX_RECORDING_URL = 255  # answers.audio_ref
# A call is always heard and answered on the keypad; its replies are spoken in the call's
# TwiML, so it cannot reach anyone later. One number is one participant with its SMS.
CAPABILITIES = Capabilities(answers_by="keypad", max_length=1600, markup="none", audio="mp3",
                            audio_choice=False, stop_is_final=True, identity="phone",
                            sends_later=False)  # fmt: skip


@dataclass(frozen=True)
class VoiceSection:
    """config.yml `voice:`."""

    SECTION: ClassVar[str] = "voice"
    flow: str  # the flow a new caller starts (default_flow when empty)
    gather_timeout_seconds: int
    max_silences: int
    record_max_seconds: int


@dataclass(frozen=True)
class VoiceConfig:
    """Twilio's account (for signatures) and how calls behave."""

    twilio: TwilioConfig
    options: VoiceOptions
    flow: str
    round_two_flow: str

    @classmethod
    def load(cls, settings: Settings, env: Mapping[str, str] | None = None, audio: Any = None) -> VoiceConfig:
        """Read config.yml `voice:` and the Twilio settings."""
        twilio, section = TwilioConfig.load(settings, env), settings.typed(VoiceSection)
        options = VoiceOptions(twilio.public_base_url, section.gather_timeout_seconds,
                               section.record_max_seconds, section.max_silences)  # fmt: skip
        round_two_flow = settings.typed(RoundTwoConfig).flow
        return cls(twilio, options, section.flow or settings.default_flow, round_two_flow)


class VoiceWebhooks:
    """The routes Twilio calls during a phone call."""

    def __init__(self, config: VoiceConfig, hub: Hub) -> None:
        self.hub = hub
        self.config = config.twilio
        self.options = config.options
        self.flow = config.flow
        self.round_two_flow = config.round_two_flow
        self.speaker = Speaker(hub.audio, self.config.public_base_url, CAPABILITIES.audio)

    async def _call(self, request: Request) -> tuple[FormData, str, str, CallState]:
        """Check the request and return its form, the call id, the caller's key and the state."""
        form = await signed_form(request, self.config.auth_token, self.config.public_base_url,
                                 self.config.max_body_bytes)  # fmt: skip
        call_sid, caller = require(form, "CallSid", "From")
        try:
            address = to_e164(caller, self.config.region)
        except PhoneNumberError:
            address = ANONYMOUS + call_sid  # a withheld number takes part for this call only
        return form, call_sid, address, CallState.parse(request.query_params)

    def _where(self, address: str) -> tuple[str, bool]:
        """Say whether the caller is answering ("running"), finished before, or is new; and
        whether round two is open."""
        key = self.hub.participant_key(CHANNEL, address)
        with self.hub.db.sessions() as session:
            return delivery.where_is(session, key), round_two.is_open(session)

    async def _answer(self, inbound: InboundMessage, state: CallState,
                      before: tuple[str, ...] = ()) -> Response:  # fmt: skip
        try:
            result = await self.hub.receive(inbound, reply_inline=in_response)
        except Flooded as exc:
            raise HTTPException(429, "too many callbacks for this call") from exc
        return twiml(await render(result.replies, state, self.options, self.speaker, before))

    async def incoming(self, request: Request) -> Response:
        """Answer a call: the news first when a report back is published, then the questions."""
        _, call_sid, address, _ = await self._call(request)
        if await anyio.to_thread.run_sync(voice_news.latest_news, self.hub.db):
            return twiml(await voice_news.offer(self.options, self.speaker))
        return await self._begin(call_sid, address)

    async def news(self, request: Request) -> Response:
        """A key at the news menu: 5 plays the news; any other key goes on to the questions."""
        form, call_sid, address, _ = await self._call(request)
        news = await anyio.to_thread.run_sync(voice_news.latest_news, self.hub.db)
        if news and str(form.get("Digits") or "").strip()[:1] == voice_news.NEWS_DIGIT:
            return twiml(await voice_news.play(news, self.options, self.speaker))
        return await self._begin(call_sid, address)

    async def start(self, request: Request) -> Response:
        """After the news menu: the questions."""
        _, call_sid, address, _ = await self._call(request)
        return await self._begin(call_sid, address)

    async def _begin(self, call_sid: str, address: str, again: str = "") -> Response:
        """Continue the caller's run where it is, or start a flow (asking first after a finished one)."""
        where, round_two_open = await anyio.to_thread.run_sync(self._where, address)
        if where == "finished" and not again:
            return twiml(await answered_before(self.options, self.speaker, round_two_open))
        running = where == "running" and not again
        inbound = InboundMessage(channel=CHANNEL, address=address, external_id=f"{call_sid}:start",
                                 choice="cmd:repeter" if running else None,
                                 start_flow=None if running else again or self.flow)  # fmt: skip
        return await self._answer(inbound, CallState())

    async def again(self, request: Request) -> Response:
        """A key after "vous avez déjà répondu": 1 answers again, 2 round two (when open), 8 erases,
        9 the helplines."""
        form, call_sid, address, _ = await self._call(request)
        digit = str(form.get("Digits") or "").strip()[:1]
        if digit == "1":
            return await self._begin(call_sid, address, again=self.flow)
        if digit == "2" and await anyio.to_thread.run_sync(self._round_two_open):
            return await self._begin(call_sid, address, again=self.round_two_flow)
        if digit in (ERASE_DIGIT, SOS_DIGIT):
            command = "effacer" if digit == ERASE_DIGIT else "sos"
            inbound = InboundMessage(channel=CHANNEL, address=address, external_id=f"{call_sid}:again",
                                     choice=f"cmd:{command}")  # fmt: skip
            return await self._answer(inbound, CallState())
        return twiml(await self.speaker_says(SAY_BYE))

    def _round_two_open(self) -> bool:
        with self.hub.db.sessions() as session:
            return round_two.is_open(session)

    async def speaker_says(self, text: str) -> Any:
        """A short goodbye, then hang up."""
        response = VoiceResponse()
        await self.speaker.speak(response, [text], "fr")
        response.hangup()
        return response

    async def gather(self, request: Request) -> Response:
        """Apply the key pressed at a question."""
        form, call_sid, address, state = await self._call(request)
        press = read_key(str(form.get("Digits") or ""), state.kind, state.keys, state.optional)
        if press.kind == "record":
            return twiml(record_now(state, self.options))
        before: tuple[str, ...] = ()
        if press.kind == "choice":
            choice, step = press.value, state.step or None
        elif press.kind == "command" and press.value in ("sos", "passer", "effacer"):
            choice, step = f"cmd:{press.value}", state.step or None
        elif press.kind == "command":
            # The generic help talks of buttons and typing: a caller hears the keypad's help.
            choice, step = "cmd:repeter", None
            before = (SAY_HELP,) if press.value == "aide" else ()
        else:
            choice, step, before = "cmd:repeter", None, (SAY_UNKNOWN_KEY,)
        inbound = InboundMessage(channel=CHANNEL, address=address, external_id=self._id(call_sid, state),
                                 choice=choice, step=step)  # fmt: skip
        return await self._answer(inbound, replace(state, quiet=0), before)

    async def record(self, request: Request) -> Response:
        """Keep a spoken answer: the recording's URL becomes the answer's audio."""
        form, call_sid, address, state = await self._call(request)
        url = require(form, "RecordingUrl")[0]
        if len(url) > MAX_RECORDING_URL or not url.startswith("http") or not url.isprintable():
            raise HTTPException(400, "RecordingUrl is not a recording's URL")
        if str(form.get("RecordingDuration") or "1").strip() in ("0", ""):
            return await self._silent(call_sid, address, state, (SAY_NO_AUDIO,))
        inbound = InboundMessage(channel=CHANNEL, address=address, external_id=self._id(call_sid, state),
                                 audio_ref=url, step=state.step or None)  # fmt: skip
        return await self._answer(inbound, replace(state, quiet=0))

    async def silence(self, request: Request) -> Response:
        """Nothing was pressed or said: simplify and repeat, and after a few times say goodbye."""
        _, call_sid, address, state = await self._call(request)
        return await self._silent(call_sid, address, state)

    async def _silent(self, call_sid: str, address: str, state: CallState,
                      before: tuple[str, ...] = ()) -> Response:  # fmt: skip
        quiet = state.quiet + 1
        if quiet > self.options.max_silences:
            return twiml(await goodbye(self.speaker))
        command = "repeter" if state.easy else "facile"
        inbound = InboundMessage(channel=CHANNEL, address=address,
                                 external_id=self._id(call_sid, state) + ":silence",
                                 choice=f"cmd:{command}")  # fmt: skip
        return await self._answer(inbound, replace(state, quiet=quiet), before)

    @staticmethod
    def _id(call_sid: str, state: CallState) -> str:
        """Return the dedupe id of one callback: the call, the step and the turn."""
        return f"{call_sid}:{state.step[:40]}:{state.turn}"


def routes(channel: RepliesOnly, hub: Hub) -> list[BaseRoute]:
    """Return the Twilio voice webhook routes."""
    hooks = VoiceWebhooks(channel.config, hub)
    return [
        Route(VOICE_PATH, hooks.incoming, methods=["POST"]),
        Route(f"{VOICE_PATH}/gather", hooks.gather, methods=["POST"]),
        Route(f"{VOICE_PATH}/record", hooks.record, methods=["POST"]),
        Route(f"{VOICE_PATH}/silence", hooks.silence, methods=["POST"]),
        Route(voice_news.NEWS_PATH, hooks.news, methods=["POST"]),
        Route(voice_news.START_PATH, hooks.start, methods=["POST"]),
        Route(AGAIN_PATH, hooks.again, methods=["POST"]),
    ]


PLUGIN = ChannelPlugin(name=CHANNEL, label="Téléphone", capabilities=CAPABILITIES,
                       build=VoiceConfig.load, routes=routes)  # fmt: skip
