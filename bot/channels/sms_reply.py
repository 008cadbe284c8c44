"""Read an SMS reply against the last question sent: a number picks a choice, else it is text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.channels.base import OutboundMessage
from bot.channels.sms_text import sms_choices

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


def parse_reply(body: str, prompt: OutboundMessage | None) -> Reply:
    """Map a reply onto the prompt's numbered choices; anything else goes on as text."""
    text = body.strip()[:MAX_REPLY]
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
