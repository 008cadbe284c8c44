"""Retention and erasure: what personal data is removed, and when.

Files and remote copies (recordings at Twilio, audio read-backs) are the caller's: these
functions say which references go, and keep those the caller could not delete, so the next
purge tries again (bot/cli/privacy.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage import round_two
from storage.models import Answer, InboundEvent, OutboxMessage, Participant, Run, SafetyFlag

ERASED_TEXT = ""
# An outbox row on this channel deletes a recording kept at Twilio (its text is the URL): an
# erasure asked in the conversation queues it, and the outbox sends it, with retries, after
# the transaction that deleted the answer.
RECORDING_DELETION = "twilio-recording"


@dataclass
class PurgeReport:
    """What a purge removed."""

    participants: int = 0
    verbatims: int = 0
    recordings: int = 0
    recordings_kept: int = 0
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


def _stale(session: Session, cutoff: datetime) -> list[Participant]:
    """Return the participants last seen before cutoff who still have an address."""
    return list(session.scalars(
        select(Participant).where(Participant.last_seen_at < cutoff, Participant.address_enc != b"")
    ))  # fmt: skip


def _aged(session: Session, cutoff: datetime) -> list[int]:
    """Return the ids of everyone last seen before cutoff (already anonymised or not)."""
    return list(session.scalars(select(Participant.id).where(Participant.last_seen_at < cutoff)))


def stale_recordings(session: Session, cutoff: datetime) -> list[str]:
    """Return the recording references a purge at this cutoff removes (and earlier leftovers)."""
    return recordings_of(session, _aged(session, cutoff))


def recordings_of(session: Session, participant_ids: Collection[int]) -> list[str]:
    """Return the recording references of some participants' answers, and deletions queued."""
    if not participant_ids:
        return []
    ids = list(participant_ids)
    refs = [ref for ref in session.scalars(
        select(Answer.audio_ref).where(Answer.participant_id.in_(ids), Answer.audio_ref.is_not(None))
    ) if ref]  # fmt: skip
    queued = session.scalars(select(OutboxMessage.payload).where(
        OutboxMessage.participant_id.in_(ids), OutboxMessage.channel == RECORDING_DELETION,
        OutboxMessage.status.in_(("pending", "sending")),
    ))  # fmt: skip
    return refs + [str(payload["text"]) for payload in queued]


def remote_recordings(refs: Collection[str]) -> list[str]:
    """Return the references that live outside this machine (URLs), which only their host deletes."""
    return [ref for ref in refs if ref.startswith(("http://", "https://"))]


def message_texts(session: Session, participant_id: int) -> set[str]:
    """Return every text sent to a participant (its audio clips are read-backs of them)."""
    texts: set[str] = set()
    for payload in session.scalars(select(OutboxMessage.payload)
                                   .where(OutboxMessage.participant_id == participant_id)):  # fmt: skip
        texts.update(str(payload.get(k) or "") for k in ("text", "spoken"))
    return texts - {""}


def purge(session: Session, cutoff: datetime, audio_root: Path | None = None,
          keep_refs: Collection[str] = ()) -> PurgeReport:  # fmt: skip
    """Anonymise everyone last seen before cutoff and drop old messages.

    Kept: the structured answers (choice keys, themes) that no longer point to anyone.
    Removed: addresses, the link between key and address, verbatim texts (and round-two
    statements they proposed that were never approved), recording
    references (local files under audio_root are deleted here; those in keep_refs, which
    could not be deleted where they live, stay for the next purge), every message
    sent to them, inbound records and handled safety flags older than the cutoff.
    """
    report = PurgeReport()
    stale = _stale(session, cutoff)
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
            report.verbatims += 1
            scrub.setdefault(answer.run_id, set()).add(answer.result)
            if answer.raw_text is not None and answer.value == answer.raw_text:
                answer.value = ERASED_TEXT  # the verbatim itself; a category ("Autre commune") stays
            answer.raw_text = None
        session.execute(
            update(SafetyFlag).where(SafetyFlag.participant_id.in_(ids)).values(excerpt="")
        )
        report.verbatims += round_two.forget_proposals(session, ids)
        for run in session.scalars(select(Run).where(Run.participant_id.in_(ids))):
            state = dict(run.state)
            results = dict(state.get("results", {}))
            for name in scrub.get(run.id, ()):
                results[name] = ERASED_TEXT
            run.state = {**state, "results": results, "pending": None}
        theirs = delete(OutboxMessage).where(OutboxMessage.participant_id.in_(ids))
        report.messages += _count(session.execute(theirs))
    aged = _aged(session, cutoff)
    for answer in session.scalars(select(Answer).where(Answer.participant_id.in_(aged),
                                                       Answer.audio_ref.is_not(None))):  # fmt: skip
        if answer.audio_ref in keep_refs:
            report.recordings_kept += 1
        else:
            remove_recording(answer.audio_ref, audio_root)
            report.recordings += 1
            answer.audio_ref = None
    report.messages += _count(session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < cutoff)))
    report.inbound = _count(session.execute(delete(InboundEvent).where(InboundEvent.received_at < cutoff)))
    report.flags = _count(session.execute(
        delete(SafetyFlag).where(SafetyFlag.created_at < cutoff, SafetyFlag.handled_at.is_not(None))
    ))  # fmt: skip
    return report


def erase(session: Session, participant: Participant, audio_root: Path | None = None) -> int:
    """Remove one participant and everything linked to them; return the answers removed.

    Local recordings under audio_root go too; recordings kept elsewhere (Twilio) are the
    caller's to delete first (bot/retention_files.py).
    """
    pid = participant.id
    for ref in recordings_of(session, [pid]):
        remove_recording(ref, audio_root)
    answers = len(list(session.scalars(select(Answer.id).where(Answer.participant_id == pid))))
    session.execute(delete(Answer).where(Answer.participant_id == pid))
    round_two.erase(session, pid)
    session.execute(delete(SafetyFlag).where(SafetyFlag.participant_id == pid))
    session.execute(delete(OutboxMessage).where(OutboxMessage.participant_id == pid))
    session.execute(delete(InboundEvent).where(InboundEvent.participant_id == pid))
    session.execute(delete(Run).where(Run.participant_id == pid))
    session.execute(delete(Participant).where(Participant.id == pid))
    session.expunge(participant)
    return answers


def _count(result: object) -> int:
    """Return the rowcount of a DML result."""
    return int(getattr(result, "rowcount", 0) or 0)
