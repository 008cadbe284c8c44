"""Turn engine messages into outbound messages: buttons, navigation and progress."""

from __future__ import annotations

from bot.channels.base import ButtonView, OutboundMessage
from flows.events import MessageCreated, Prefs
from flows.model import Flow

NAV_COMMANDS = ("aide", "repeter", "retour", "pause")
COMMAND_PREFIX = "cmd:"


def nav_buttons(flow: Flow, prefs: Prefs, optional: bool) -> list[list[str]]:
    """Return the navigation buttons as [key, label] pairs, always in the same order."""
    names = NAV_COMMANDS + (("passer",) if optional else ())
    return [
        [COMMAND_PREFIX + name, flow.system[f"nav_{name}"].get(prefs.lang).pick(prefs.easy)]
        for name in names
    ]


def progress(flow: Flow, step_id: str | None) -> list[int] | None:
    """Return [position, total] of a question among the flow's questions."""
    number = flow.question_number(step_id)
    return None if number is None else list(number)


def outbound(flow: Flow, message: MessageCreated, prefs: Prefs, run_id: int | None) -> OutboundMessage:
    """Build the outbound message for one engine message."""
    extra: dict[str, object] = {}
    if message.expects != "none":
        extra["nav"] = nav_buttons(flow, prefs, message.optional)
        extra["progress"] = progress(flow, message.step)
        extra["flow"] = flow.id
    return OutboundMessage(
        text=message.text,
        spoken=message.spoken,
        buttons=tuple(ButtonView(c.key, c.label, c.icon) for c in message.choices),
        expects=message.expects,
        step=message.step,
        run_id=run_id,
        selected=message.selected,
        optional=message.optional,
        role=message.role,
        easy=prefs.easy,
        audio=prefs.audio,
        lang=prefs.lang,
        extra=extra,
    )
