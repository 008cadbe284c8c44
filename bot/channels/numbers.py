"""Read a reply against the last question sent: a number picks a choice, else it is text.

Every channel whose capabilities say `answers_by="numbers"` is read this way (SMS, and any
text channel that numbers its choices).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

from bot.channels.base import InboundMessage, OutboundMessage
from bot.channels.sms_text import sms_choices
from bot.service import Reader
from nlu.commands import normalise

MAX_REPLY = 1600
_ONE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
_NUMBERS = re.compile(r"^[\d\s,;.+&/-]*(?:\bet\b[\d\s,;.+&/-]*)*$", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    """What an SMS says: a choice key, several keys (multiple choice), or free text."""

    text: str | None = None
    choice: str | None = None
    keys: tuple[str, ...] = ()
    step: str | None = None
    start_flow: str | None = None


def parse_reply(body: str, prompt: OutboundMessage | None, keywords: Collection[str] = ()) -> Reply:
    """Map a reply onto the prompt's numbered choices, or a campaign keyword; else it is text.

    A keyword (a flow id such as EGALITE, any case or accents) starts or resumes that flow,
    except as the answer to an open question, where it is the participant's words.
    """
    text = body.strip()[:MAX_REPLY]
    keyword = normalise(text)
    if keyword in keywords and (prompt is None or prompt.expects != "text"):
        return Reply(text=text, start_flow=keyword)
    choices = sms_choices(prompt) if prompt is not None else ()
    if prompt is None or not choices or not text:
        return Reply(text=text)
    keys = [button.key for button in choices]
    if prompt.expects == "multi":
        picked = _numbers(text, len(keys))
        if picked:
            return Reply(keys=tuple(keys[n - 1] for n in picked), step=prompt.step)
        return Reply(text=text)
    match = _ONE_NUMBER.match(text)
    if match and 1 <= int(match.group(1)) <= len(keys):
        return Reply(choice=keys[int(match.group(1)) - 1], step=prompt.step)
    return Reply(text=text)


def reader(keywords: Collection[str]) -> Reader:
    """Return a reader of replies against the last question: numbers pick choices, keywords start."""

    def read(inbound: InboundMessage, prompt_of: Callable[[], dict[str, Any] | None]) -> InboundMessage:
        body = inbound.text or ""
        payload = prompt_of() if needs_prompt(body, keywords) else None
        reply = parse_reply(body, OutboundMessage.from_payload(payload) if payload else None, keywords)
        return replace(inbound, text=reply.text, choice=reply.choice, step=reply.step,
                       keys=reply.keys, start_flow=reply.start_flow)  # fmt: skip

    return read


def needs_prompt(body: str, keywords: Collection[str] = ()) -> bool:
    """Say whether reading a reply needs the last question (numbers, or a campaign keyword)."""
    text = body.strip()
    return bool(re.search(r"\d", text) and _NUMBERS.match(text)) or normalise(text) in keywords


def _numbers(text: str, count: int) -> list[int]:
    """Read a list of choice numbers ("1 3", "1,3", "1 et 3", "13"); empty when not one."""
    if not _NUMBERS.match(text) or not re.search(r"\d", text):
        return []
    picked: list[int] = []
    for token in re.findall(r"\d+", text):
        value = int(token)
        if 1 <= value <= count:
            numbers = [value]
        elif count <= 9 and all(1 <= int(d) <= count for d in token):
            numbers = [int(d) for d in token]  # "13" typed without a space
        else:
            return []
        picked.extend(n for n in numbers if n not in picked)
    return picked
