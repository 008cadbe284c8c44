"""What every channel speaks: inbound and outbound messages and the Channel protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

AnswersBy = Literal["buttons", "kiosk", "numbers", "keypad"]


@dataclass(frozen=True)
class Capabilities:
    """Everything a channel can do; the service and the renderers follow it."""

    # How an answer is given: buttons to press, a number to send (SMS), a key to tap (calls).
    answers_by: AnswersBy
    max_length: int  # longest text in one message; longer texts are split
    markup: Literal["none", "html"]  # how message text is marked up ("html" escapes it)
    audio: Literal["none", "ogg", "mp3"]  # the audio format it plays ("none": text only)
    audio_choice: bool  # the participant may turn audio on and off here
    stop_is_final: bool  # after STOP nothing more is ever sent, not even "you stopped"
    identity: str  # addresses are keyed under this family (sms, voice, gateway: "phone")
    sends_later: bool  # can reach the participant outside a reply (feedback, invitations)

    @property
    def offers_audio_choice(self) -> bool:
        """Say whether asking 'do you want audio?' makes sense on this channel."""
        return self.audio != "none" and self.audio_choice


def unregistered(channel: str) -> Capabilities:
    """Return what a channel no plug-in declares is taken to do: buttons, its own identity."""
    return Capabilities(answers_by="buttons", max_length=4096, markup="none", audio="mp3",
                        audio_choice=True, stop_is_final=False, identity=channel,
                        sends_later=False)  # fmt: skip


@dataclass(frozen=True)
class InboundMessage:
    """A participant's message, translated from the platform's payload."""

    channel: str
    address: str
    external_id: str
    text: str | None = None
    choice: str | None = None
    step: str | None = None
    run_id: int | None = None
    keys: tuple[str, ...] = ()
    start_flow: str | None = None
    audio_ref: str | None = None
    assisted: bool = False
    received_at: datetime | None = None


@dataclass(frozen=True)
class ButtonView:
    """A button to show: the key sent back when pressed, a label and a pictogram."""

    key: str
    label: str
    icon: str


@dataclass(frozen=True)
class OutboundMessage:
    """A message to deliver, independent of the platform."""

    text: str
    spoken: str = ""
    buttons: tuple[ButtonView, ...] = ()
    expects: str = "none"
    step: str | None = None
    run_id: int | None = None
    selected: tuple[str, ...] = ()
    optional: bool = False
    role: str = "prompt"
    easy: bool = False
    audio: bool = False
    lang: str = "fr"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """Serialise for the outbox (never holds an address)."""
        return {
            "text": self.text,
            "spoken": self.spoken,
            "buttons": [[b.key, b.label, b.icon] for b in self.buttons],
            "expects": self.expects,
            "step": self.step,
            "run_id": self.run_id,
            "selected": list(self.selected),
            "optional": self.optional,
            "role": self.role,
            "easy": self.easy,
            "audio": self.audio,
            "lang": self.lang,
            "extra": self.extra,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> OutboundMessage:
        """Load from an outbox payload."""
        values = dict(data)
        values["buttons"] = tuple(ButtonView(*b) for b in values.get("buttons", []))
        values["selected"] = tuple(values.get("selected", []))
        return cls(**values)


@dataclass(frozen=True)
class SendResult:
    """What the platform said about one send."""

    ok: bool
    external_id: str | None = None
    error: str | None = None
    retry_after: float | None = None
    blocked: bool = False
    segments: int | None = None


class Channel(Protocol):
    """A platform adapter's sender: delivers outbound messages the outbox hands it."""

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Deliver one message to an address."""
        ...
