"""Erase one participant on an admin's request: the CLI's `erase` and the dashboard's form."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels import registry
from bot.channels.phone import PhoneNumberError, forget_numbers, to_e164
from bot.channels.sms_text import SmsSection
from bot.retention_files import delete_recordings_of, forget_clips
from bot.settings import Settings
from storage.audit import record
from storage.db import Database
from storage.privacy import Crypto
from storage.repo import find_participant
from storage.retention import erase, message_texts, recordings_of

# The channels an admin can name a person on (phone channels share one identity).
CHANNELS = {"sms": "Téléphone (SMS, appel)", "telegram": "Telegram (numéro de la conversation)"}


class PersonErasureError(Exception):
    """Nothing was erased: no such participant, or recordings that Twilio kept (retry)."""


@dataclass(frozen=True)
class PersonErased:
    """What one erasure removed (counts only: the audit log keeps no personal data)."""

    answers: int
    recordings: int
    audio_clips: int


def erase_person(settings: Settings, db: Database, channel: str, address: str, actor: str) -> PersonErased:
    """Erase a participant, their recordings (Twilio first: all or nothing) and read-backs; audit it."""
    address = address.strip()
    identity = registry.capabilities(channel).identity
    if identity == "phone":  # as the phone channels store it: E.164
        try:
            address = to_e164(address, settings.typed(SmsSection).region)
        except PhoneNumberError as exc:
            raise PersonErasureError("not a phone number") from exc
    key = Crypto(settings.secret_key).participant_key(identity, address)
    with db.sessions() as session:
        participant = find_participant(session, key)
        if participant is None:
            raise PersonErasureError("no participant with that address on that channel")
        refs, texts = recordings_of(session, [participant.id]), message_texts(session, participant.id)
    removal = delete_recordings_of(settings, refs)
    if removal.failed:
        raise PersonErasureError(f"{len(removal.failed)} recordings could not be deleted at Twilio; "
                                 "nothing was erased: try again")  # fmt: skip
    clips = forget_clips(settings, texts)
    with db.transaction() as session:
        participant = find_participant(session, key)
        answers = erase(session, participant) if participant is not None else 0
        done = PersonErased(answers, removal.deleted, clips)
        record(session, actor, "erase", **done.__dict__)
    forget_numbers()
    return done
