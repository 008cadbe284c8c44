"""Who a message for later can reach: each channel's capability and its configured sender."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels import registry
from bot.channels.gateway.sms_gateway import GatewayConfig
from bot.channels.twilio.api import TwilioConfig, TwilioSection
from dashboard import labels
from storage.models import Participant

NEVER = {"kiosk": "la borne ne peut rien envoyer plus tard, et la personne n'a pas laissé de numéro"}
CANNOT = "ce canal ne peut rien envoyer plus tard"
UNCONFIGURED = "canal non configuré sur ce serveur"
PHONE = "phone"  # the identity family of phone numbers (SMS, calls, the gateway)
PHONE_NUMBER = re.compile(r"\+\d{8,15}")  # an E.164 number, as a number left at the kiosk is kept


@dataclass(frozen=True)
class Block:
    """Why a channel does not send now: never (it cannot send later), or not yet (no sender)."""

    reason: str
    never: bool


@dataclass(frozen=True)
class Reach:
    """The recipients of one channel and whether the message can reach them."""

    channel: str
    label: str
    people: int
    block: Block | None

    @property
    def now(self) -> int:
        """Count the people the message goes to at once."""
        return 0 if self.block else self.people


def block_of(services: Any, name: str) -> Block | None:
    """Say why a channel cannot send a message later now (None: it can)."""
    channels: Mapping[str, Any] = getattr(services, "channels", None) or {}
    channel = channels.get(name)
    if channel is None:
        return Block(UNCONFIGURED, False)
    if not registry.capabilities(name).sends_later:
        channel = getattr(channel, "later", None)  # the family's sender (a caller gets an SMS)
        if channel is None:
            return Block(NEVER.get(name, CANNOT), True)
    config = getattr(channel, "config", None)
    if isinstance(config, TwilioConfig) and not config.can_send:
        variable = services.settings.typed(TwilioSection).from_number_env
        return Block(f"aucun numéro d'envoi configuré ({variable})", False)
    if isinstance(config, GatewayConfig) and not config.url:
        return Block("passerelle SMS non configurée (SMS_GATEWAY_URL)", False)
    return None


def sender_for(services: Any, person: Participant) -> str:
    """Return the channel a message for later goes through: a number left at the kiosk gets an SMS."""
    if registry.capabilities(person.channel).sends_later or not person.address_enc:
        return person.channel  # an empty address: anonymised by the retention purge
    if not PHONE_NUMBER.fullmatch(services.crypto.decrypt(person.address_enc)):
        return person.channel
    channels: Mapping[str, Any] = getattr(services, "channels", None) or {}
    phones = [name for name in registry.labels() if name in channels
              and registry.capabilities(name).identity == PHONE
              and registry.capabilities(name).sends_later]  # fmt: skip
    return phones[0] if phones else person.channel


def reach(services: Any, people: Iterable[Participant]) -> list[Reach]:
    """Tell, sender by sender, how many recipients a message reaches and why not the others."""
    per_channel = Counter(sender_for(services, person) for person in people)
    return [Reach(name, labels.channel(name), n, block_of(services, name))
            for name, n in sorted(per_channel.items())]  # fmt: skip
