"""SMS rendering: numbered choices, a help hint, GSM-7 normalisation and segment counts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.channels.base import ButtonView, Capabilities, OutboundMessage
from flows.events import DONE_KEY
from flows.gsm7 import SmsBudget, budget, strip_pictographs, to_gsm7

# What SMS can do, through Twilio or the Android gateway: numbered answers, a body of at most
# 1600 characters (Twilio refuses more; the gateway splits like a phone does), STOP is final,
# and one number is one participant across SMS and calls.
SMS = Capabilities(answers_by="numbers", max_length=1600, markup="none", audio="none",
                   audio_choice=False, stop_is_final=True, identity="phone",
                   sends_later=True)  # fmt: skip
AccentPolicy = Literal["auto", "keep", "fold"]


@dataclass(frozen=True)
class SmsSection:
    """config.yml `sms:`: how numbers are read and SMS written, for Twilio and the gateway."""

    SECTION: ClassVar[str] = "sms"
    region: str
    accents: AccentPolicy
    max_body_bytes: int
# French guillemets carry inner spaces (« oui »); straight quotes do not ("oui").
_GUILLEMETS = re.compile(r"«[\s\u00a0\u202f]*|[\s\u00a0\u202f]*»")

HELP_HINT = {False: "Besoin d'aide ? Envoyez AIDE", True: "Besoin d'aide ?\nEnvoyez AIDE"}
MULTI_HINT = {
    False: "Envoyez un ou plusieurs numéros, par exemple : 1 3",
    True: "Vous pouvez choisir plusieurs réponses.\nEnvoyez les numéros.\nExemple : 1 3",
}


@dataclass(frozen=True)
class SmsPart:
    """One SMS to send: its body, its cost, and the replies (by index) it carries."""

    body: str
    budget: SmsBudget
    replies: tuple[int, ...]

    @property
    def segments(self) -> int:
        """Return the number of segments this SMS is billed as."""
        return self.budget.segments


def sms_choices(message: OutboundMessage) -> tuple[ButtonView, ...]:
    """Return the choices an SMS numbers (a multiple choice is validated by sending numbers)."""
    return tuple(b for b in message.buttons if b.key != DONE_KEY)


def compose(message: OutboundMessage) -> str:
    """Write a message as SMS text: the text, numbered choices, then how to get help."""
    lines = [message.text.strip()]
    choices = sms_choices(message)
    if choices:
        lines.append("")
        lines.extend(f"{number} - {button.label}" for number, button in enumerate(choices, 1))
    if message.expects == "multi":
        lines.append(MULTI_HINT[message.easy])
    if message.expects != "none" and "aide" not in message.text.lower():
        lines.append(HELP_HINT[message.easy])
    return "\n".join(lines)


def fit(text: str, accents: AccentPolicy = "auto") -> str:
    """Normalise typography to GSM-7; fold accents and drop emoji when that saves segments."""
    typographic = to_gsm7(_GUILLEMETS.sub('"', text), typographic_only=True)
    if accents == "keep":
        return typographic
    folded = to_gsm7(strip_pictographs(typographic))
    if accents == "fold":
        return folded
    return folded if budget(folded).segments < budget(typographic).segments else typographic


def render(message: OutboundMessage, accents: AccentPolicy = "auto") -> str:
    """Return the SMS body of one outbound message."""
    return fit(compose(message), accents)


def pack(
    messages: Sequence[OutboundMessage], accents: AccentPolicy = "auto", limit: int = SMS.max_length
) -> list[SmsPart]:
    """Join consecutive replies into as few SMS as fit, so they arrive together and in order."""
    parts: list[SmsPart] = []
    body, members = "", list[int]()
    for index, message in enumerate(messages):
        for chunk in split_long(render(message, accents), limit):
            joined = f"{body}\n\n{chunk}" if body else chunk
            if body and len(joined) > limit:
                parts.append(SmsPart(body, budget(body), tuple(members)))
                joined, members = chunk, []
            body = joined
            if index not in members:
                members.append(index)
    if body:
        parts.append(SmsPart(body, budget(body), tuple(members)))
    return parts


def split_long(text: str, limit: int = SMS.max_length) -> list[str]:
    """Cut a text longer than one SMS body at line or word boundaries."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def segments_by_reply(parts: Sequence[SmsPart], count: int) -> list[int]:
    """Attribute each SMS's segments to the last reply it carries (others cost 0)."""
    result = [0] * count
    for part in parts:
        if part.replies:
            result[part.replies[-1]] += part.segments
    return result
