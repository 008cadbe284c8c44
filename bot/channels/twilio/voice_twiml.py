"""Voice TwiML: replies played from pre-rendered audio, keypad menus, recordings, silences."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlencode

import anyio
from twilio.twiml.voice_response import VoiceResponse

from bot.channels.base import OutboundMessage
from bot.channels.twilio.keypad import SAY_NAV, SAY_RECORD, SAY_SKIP, menu_keys, spoken_body, spoken_menu

log = logging.getLogger(__name__)
VOICE_PATH = "/webhooks/twilio/voice"
SAY_LANGUAGE = {"fr": "fr-FR", "en": "en-GB"}
SAY_GOODBYE = "Nous n'avons rien entendu. Vos réponses sont gardées. Rappelez quand vous voulez. Au revoir."
SAY_OPTED_OUT = "Vous avez demandé à arrêter. Nous ne vous envoyons plus rien. Au revoir."
SAY_UNKNOWN_KEY = "Cette touche ne sert pas ici."
SAY_NO_AUDIO = "Nous n'avons pas entendu votre message."
SAY_ANSWERED = "Merci, vous avez déjà répondu au questionnaire. Vos réponses sont gardées."
SAY_AGAIN_KEY = "Pour répondre encore une fois, tapez 1."
SAY_ROUND_TWO_KEY = "Pour donner votre avis sur les idées des autres habitants, tapez 2."
SAY_ERASE_SOS_KEYS = "Pour effacer vos réponses, tapez 8. En danger, tapez 9."
SAY_BYE = "Merci. Au revoir."
AGAIN_PATH = f"{VOICE_PATH}/again"


class AudioService(Protocol):
    """The audio cache: a URL for a text, and the rendered clip behind it."""

    def url_for(self, text: str, lang: str = "fr", fmt: str = "mp3") -> str: ...

    def clip(self, text: str, lang: str = "fr", fmt: str = "mp3") -> Any: ...


@dataclass(frozen=True)
class CallState:
    """Where a call is, carried in the (signed) URLs Twilio calls back."""

    step: str = ""
    turn: int = 0
    kind: str = "none"
    keys: tuple[str, ...] = ()
    quiet: int = 0
    easy: bool = False
    optional: bool = False

    def query(self) -> str:
        """Encode the state as a URL query."""
        return urlencode({"step": self.step, "turn": self.turn, "kind": self.kind,
                          "keys": ",".join(self.keys), "quiet": self.quiet,
                          "easy": int(self.easy), "optional": int(self.optional)})  # fmt: skip

    @classmethod
    def parse(cls, params: Any) -> CallState:
        """Decode the state from a callback's query (bad values start afresh)."""
        try:
            turn, quiet = int(params.get("turn", 0)), int(params.get("quiet", 0))
        except ValueError:
            turn, quiet = 0, 0
        keys = tuple(k for k in str(params.get("keys", "")).split(",") if k)
        return cls(step=str(params.get("step", ""))[:64], turn=turn, kind=str(params.get("kind", "none")),
                   keys=keys, quiet=quiet, easy=params.get("easy") == "1",
                   optional=params.get("optional") == "1")  # fmt: skip


@dataclass(frozen=True)
class VoiceOptions:
    """How calls behave: timeouts, recording length, silences before goodbye."""

    base_url: str
    gather_timeout: int = 6
    record_max_seconds: int = 120
    max_silences: int = 2


class Speaker:
    """Put a text in TwiML: <Play> of our pre-rendered audio, <Say> only if audio fails."""

    def __init__(self, audio: AudioService | None, base_url: str, fmt: str = "mp3") -> None:
        self.audio = audio
        self.base_url = base_url.rstrip("/")
        self.fmt = fmt  # what the call plays: the voice channel's audio capability

    async def urls(self, texts: Sequence[str], lang: str) -> list[str | None]:
        """Render (or find cached) every clip at once; None where a clip cannot be made."""
        return list(await asyncio.gather(*(self._url(text, lang) for text in texts)))

    async def _url(self, text: str, lang: str) -> str | None:
        if self.audio is None:
            return None
        try:
            await anyio.to_thread.run_sync(self.audio.clip, text, lang, self.fmt)
            return self.base_url + self.audio.url_for(text, lang, self.fmt)
        except Exception:  # a voice that fails must not hang up on the caller
            log.exception("audio clip failed; falling back to <Say>")
            return None

    async def speak(self, parent: Any, texts: Sequence[str], lang: str) -> None:
        """Append one <Play> (or <Say>) per text to a TwiML element."""
        texts = [t for t in texts if t.strip()]
        for text, url in zip(texts, await self.urls(texts, lang), strict=True):
            if url:
                parent.play(url)
            else:
                parent.say(text, language=SAY_LANGUAGE.get(lang, "fr-FR"))


def action(options: VoiceOptions, name: str, state: CallState) -> str:
    """Return the absolute URL of a voice callback carrying the call state."""
    return f"{options.base_url.rstrip('/')}{VOICE_PATH}/{name}?{state.query()}"


async def render(
    replies: Sequence[OutboundMessage],
    state: CallState,
    options: VoiceOptions,
    speaker: Speaker,
    before: Sequence[str] = (),
) -> VoiceResponse:
    """Play the replies; wait for keys after a question, record after an open one, else hang up."""
    response = VoiceResponse()
    prompt = replies[-1] if replies and replies[-1].expects != "none" else None
    lang = replies[-1].lang if replies else "fr"
    said = [*before, *(spoken_body(m) for m in (replies[:-1] if prompt else replies))]
    await speaker.speak(response, said, lang)
    if prompt is None:
        if not replies:
            await speaker.speak(response, [SAY_OPTED_OUT], lang)
        response.hangup()
        return response
    nxt = replace(state, step=prompt.step or "", turn=state.turn + 1, kind=prompt.expects,
                  keys=menu_keys(prompt), easy=prompt.easy, optional=prompt.optional)  # fmt: skip
    if prompt.expects == "text":
        gather = response.gather(input="dtmf", num_digits=1, timeout=1, finish_on_key="",
                                 action=action(options, "gather", nxt), method="POST")  # fmt: skip
        skip = [SAY_SKIP] if prompt.optional else []  # '#' before the beep skips, after it ends
        await speaker.speak(gather, [spoken_body(prompt), *skip, SAY_NAV, SAY_RECORD], lang)
        response.record(action=action(options, "record", nxt), method="POST",
                        max_length=options.record_max_seconds, timeout=5, finish_on_key="#",
                        play_beep=True, trim="trim-silence")  # fmt: skip
    else:
        gather = response.gather(input="dtmf", num_digits=1, timeout=options.gather_timeout,
                                 finish_on_key="", action=action(options, "gather", nxt),
                                 method="POST")  # fmt: skip
        await speaker.speak(gather, [spoken_body(prompt), *spoken_menu(prompt), SAY_NAV], lang)
    response.redirect(action(options, "silence", nxt), method="POST")
    return response


def record_now(state: CallState, options: VoiceOptions) -> VoiceResponse:
    """Start the recording at once (a key was pressed during an open question)."""
    response = VoiceResponse()
    response.record(action=action(options, "record", state), method="POST",
                    max_length=options.record_max_seconds, timeout=5, finish_on_key="#",
                    play_beep=True, trim="trim-silence")  # fmt: skip
    response.redirect(action(options, "silence", state), method="POST")
    return response


async def goodbye(speaker: Speaker, lang: str = "fr") -> VoiceResponse:
    """Say goodbye after too many silences and hang up (the run waits where it is)."""
    response = VoiceResponse()
    await speaker.speak(response, [SAY_GOODBYE], lang)
    response.hangup()
    return response


async def answered_before(options: VoiceOptions, speaker: Speaker, round_two: bool = False,
                          lang: str = "fr") -> VoiceResponse:  # fmt: skip
    """Greet a caller who already finished: answer again (1), round two when open (2), erase (8),
    danger (9); anything else, goodbye."""
    keys = " ".join([SAY_AGAIN_KEY, *([SAY_ROUND_TWO_KEY] if round_two else []), SAY_ERASE_SOS_KEYS])
    response = VoiceResponse()
    gather = response.gather(input="dtmf", num_digits=1, timeout=options.gather_timeout, finish_on_key="",
                             action=options.base_url.rstrip("/") + AGAIN_PATH, method="POST")  # fmt: skip
    await speaker.speak(gather, [SAY_ANSWERED, keys], lang)
    await speaker.speak(response, [SAY_BYE], lang)
    response.hangup()
    return response
