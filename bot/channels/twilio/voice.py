"""Twilio voice webhooks: a call plays the flow, keys answer, silences simplify, speech records."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import anyio
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import Capabilities, InboundMessage, OutboundMessage, SendResult
from bot.channels.keypad import SAY_HELP, read_key
from bot.channels.phone import PhoneNumberError, to_e164
from bot.channels.twilio_api import TwilioConfig
from bot.channels.twilio_web import require, signed_form, twiml
from bot.channels.voice_twiml import (
    SAY_NO_AUDIO,
    SAY_UNKNOWN_KEY,
    VOICE_PATH,
    CallState,
    Speaker,
    VoiceOptions,
    goodbye,
    record_now,
    render,
)
from bot.intake import Flooded, receive
from storage import delivery

if TYPE_CHECKING:
    from bot.container import Services
    from bot.service import HandleResult

log = logging.getLogger(__name__)
CHANNEL = "voice"
ANONYMOUS = "anonymous:"  # a withheld number: the participant lives for one call
MAX_RECORDING_URL = 255  # answers.audio_ref


class VoiceChannel:
    """A call's replies are spoken in its TwiML, so the outbox has nothing left to deliver."""

    name = CHANNEL
    capabilities = Capabilities(buttons=False, audio=True, max_length=1600, audio_format="mp3",
                                audio_choice=False, answers_by="keypad")  # a call is always heard

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Report a reply as delivered: the call that created it has played it.

        Every voice row answers a webhook that renders all of its replies; the repair loop can
        only meet one in the instant before that webhook claims it. Texting it instead would
        reach the caller twice. Messages for later (feedback) are queued on "sms".
        """
        return SendResult(ok=True)


class VoiceWebhooks:
    """The routes Twilio calls during a phone call."""

    def __init__(self, services: Services, config: TwilioConfig, options: VoiceOptions,
                 flow: str) -> None:  # fmt: skip
        self.services = services
        self.config = config
        self.options = options
        self.flow = flow
        self.speaker = Speaker(services.audio, config.public_base_url)

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

    def _running(self, address: str) -> bool:
        key = self.services.service.participant_key(CHANNEL, address)
        with self.services.db.sessions() as session:
            return delivery.has_open_run(session, key)

    def _claim(self, result: HandleResult) -> None:
        with self.services.db.transaction() as session:
            delivery.claim_replies(session, result.outbox_ids)

    async def _answer(self, inbound: InboundMessage, state: CallState,
                      before: tuple[str, ...] = ()) -> Response:  # fmt: skip
        try:
            result = await receive(self.services, inbound, dispatch=False)
        except Flooded as exc:
            raise HTTPException(429, "too many callbacks for this call") from exc
        await anyio.to_thread.run_sync(self._claim, result)
        return twiml(await render(result.replies, state, self.options, self.speaker, before))

    async def incoming(self, request: Request) -> Response:
        """Answer a call: continue the caller's run where it is, or start the flow."""
        _, call_sid, address, _ = await self._call(request)
        running = await anyio.to_thread.run_sync(self._running, address)
        inbound = InboundMessage(channel=CHANNEL, address=address, external_id=f"{call_sid}:start",
                                 choice="cmd:repeter" if running else None,
                                 start_flow=None if running else self.flow)  # fmt: skip
        return await self._answer(inbound, CallState())

    async def gather(self, request: Request) -> Response:
        """Apply the key pressed at a question."""
        form, call_sid, address, state = await self._call(request)
        press = read_key(str(form.get("Digits") or ""), state.kind, state.keys)
        if press.kind == "record":
            return twiml(record_now(state, self.options))
        before: tuple[str, ...] = ()
        if press.kind == "choice":
            choice, step = press.value, state.step or None
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


def voice_options(services: Services, config: TwilioConfig) -> tuple[VoiceOptions, str]:
    """Read config.yml `voice:` (timeouts, recording length, silences, the callers' flow)."""
    section = services.settings.section("voice")
    options = VoiceOptions(
        base_url=config.public_base_url,
        gather_timeout=int(section.get("gather_timeout_seconds", 6)),
        record_max_seconds=int(section.get("record_max_seconds", 120)),
        max_silences=int(section.get("max_silences", 2)),
    )
    return options, str(section.get("flow") or services.settings.default_flow)


def routes(services: Services, config: TwilioConfig | None = None) -> list[BaseRoute]:
    """Return the Twilio voice webhook routes."""
    sms = services.channels.get("sms")
    config = config or getattr(sms, "config", None) or TwilioConfig.load(services.settings)
    options, flow = voice_options(services, config)
    hooks = VoiceWebhooks(services, config, options, flow)
    return [
        Route(VOICE_PATH, hooks.incoming, methods=["POST"]),
        Route(f"{VOICE_PATH}/gather", hooks.gather, methods=["POST"]),
        Route(f"{VOICE_PATH}/record", hooks.record, methods=["POST"]),
        Route(f"{VOICE_PATH}/silence", hooks.silence, methods=["POST"]),
    ]
