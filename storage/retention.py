"""Retention and erasure: what personal data is removed, and when."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import Answer, InboundEvent, OutboxMessage, Participant, Run, SafetyFlag

ERASED_TEXT = ""


@dataclass
class PurgeReport:
    """What a purge removed."""

    participants: int = 0
    verbatims: int = 0
    recordings: int = 0
    messages: int = 0
    inbound: int = 0
    flags: int = 0


def remove_recording(ref: str | None, audio_root: Path | None) -> bool:
    """Delete a recorded answer's file when it is a local file under audio_root."""
    if not ref or audio_root is None:
        return False
    path = (audio_root / ref).resolve()
    if audio_root.resolve() in path.parents and path.is_file():
        path.unlink()
        return True
    return False


def purge(session: Session, cutoff: datetime, audio_root: Path | None = None) -> PurgeReport:
    """Anonymise everyone last seen before cutoff and drop old messages.

    Kept: the structured answers (choice keys, themes) that no longer point to anyone.
    Removed: addresses, the link between key and address, verbatim texts, recordings,
    message payloads, inbound records and handled safety flags older than the cutoff.
    """
    report = PurgeReport()
    stale = list(session.scalars(
        select(Participant).where(Participant.last_seen_at < cutoff,
                                  Participant.address_enc != b"")
    ))  # fmt: skip
    ids = [p.id for p in stale]
    for participant in stale:
        participant.address_enc = b""
        participant.key = "purged-" + secrets.token_hex(16)
        participant.pending_action = None
    report.participants = len(stale)
    scrub: dict[int, set[str]] = {}
    if ids:
        for answer in session.scalars(
            select(Answer).where(Answer.participant_id.in_(ids),
                                 (Answer.raw_text.is_not(None)) | (Answer.audio_ref.is_not(None)))
        ):  # fmt: skip
            report.recordings += int(remove_recording(answer.audio_ref, audio_root))
            report.verbatims += 1
            scrub.setdefault(answer.run_id, set()).add(answer.result)
            answer.value = ERASED_TEXT if answer.raw_text is not None else answer.value
            answer.raw_text = None
            answer.audio_ref = None
        session.execute(
            update(SafetyFlag).where(SafetyFlag.participant_id.in_(ids)).values(excerpt="")
        )
        for run in session.scalars(select(Run).where(Run.participant_id.in_(ids))):
            state = dict(run.state)
            results = dict(state.get("results", {}))
            for name in scrub.get(run.id, ()):
                results[name] = ERASED_TEXT
            run.state = {**state, "results": results, "pending": None}
    report.messages = _count(session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < cutoff)))
    report.inbound = _count(session.execute(delete(InboundEvent).where(InboundEvent.received_at < cutoff)))
    report.flags = _count(session.execute(
        delete(SafetyFlag).where(SafetyFlag.created_at < cutoff, SafetyFlag.handled_at.is_not(None))
    ))  # fmt: skip
    return report


def erase(session: Session, participant: Participant, audio_root: Path | None = None) -> int:
    """Remove one participant and everything linked to them; return the answers removed."""
    answers = list(session.scalars(select(Answer).where(Answer.participant_id == participant.id)))
    for answer in answers:
        remove_recording(answer.audio_ref, audio_root)
    pid = participant.id
    session.execute(delete(Answer).where(Answer.participant_id == pid))
    session.execute(delete(SafetyFlag).where(SafetyFlag.participant_id == pid))
    session.execute(delete(OutboxMessage).where(OutboxMessage.participant_id == pid))
    session.execute(delete(InboundEvent).where(InboundEvent.participant_id == pid))
    session.execute(delete(Run).where(Run.participant_id == pid))
    session.execute(delete(Participant).where(Participant.id == pid))
    session.expunge(participant)
    return len(answers)


def _count(result: object) -> int:
    """Return the rowcount of a DML result."""
    return int(getattr(result, "rowcount", 0) or 0)
