"""Erasing participation data (admins only): a whole flow, or what is past retention."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage import proposals, round_two
from storage.forget import sweep_erased
from storage.models import Answer, Participant, Run, utcnow
from storage.retention import (
    PurgeReport,
    erase,
    message_texts,
    purge,
    recordings_of,
    remove_recording,
    stale_recordings,
)


def flow_recordings(session: Session, flow_id: str) -> list[str]:
    """Return the recording references an erasure of this flow removes (and queued deletions)."""
    refs = [ref for ref in session.scalars(
        select(Answer.audio_ref).where(Answer.flow_id == flow_id, Answer.audio_ref.is_not(None))
    ) if ref]  # fmt: skip
    people = session.scalars(select(Run.participant_id).where(Run.flow_id == flow_id).distinct())
    return sorted(set(refs) | set(recordings_of(session, list(people))))


def flow_texts(session: Session, flow_id: str) -> set[str]:
    """Return what was sent to the people of a flow (their audio read-backs are clips of it)."""
    people = session.scalars(select(Run.participant_id).where(Run.flow_id == flow_id).distinct())
    return {text for pid in people for text in message_texts(session, pid)}


def erase_flow(session: Session, flow_id: str, recordings: Path | None) -> tuple[int, int]:
    """Delete every run, answer and round-two vote or proposal of a flow, the people left with no
    run at all, and the people who erased their own data (nothing of theirs is left to tie to a flow)."""
    runs = int(session.scalar(select(func.count(Run.id)).where(Run.flow_id == flow_id)) or 0)
    people = list(
        session.scalars(select(Participant).where(Participant.id.in_(
            select(Run.participant_id).where(Run.flow_id == flow_id))))
    )  # fmt: skip
    for ref in flow_recordings(session, flow_id):  # before their answers go with the runs
        remove_recording(ref, recordings)
    session.execute(delete(Run).where(Run.flow_id == flow_id))
    round_two.erase_flow(session, flow_id)
    proposals.erase_flow(session, flow_id)
    erased = 0
    for person in people:
        if session.scalar(select(Run.id).where(Run.participant_id == person.id).limit(1)) is None:
            erase(session, person, recordings)
            erased += 1
    return runs, erased + sweep_erased(session)


def expired_recordings(session: Session, retention_days: int) -> list[str]:
    """Return the recording references an erasure of expired data removes."""
    return stale_recordings(session, utcnow() - timedelta(days=retention_days))


def erase_expired(session: Session, retention_days: int, recordings: Path | None,
                  keep_refs: Collection[str] = ()) -> PurgeReport:  # fmt: skip
    """Anonymise the people not seen for longer than the retention period (storage.retention).

    keep_refs: recordings that could not be deleted where they live (kept for the next time).
    """
    report = purge(session, utcnow() - timedelta(days=retention_days), recordings, keep_refs)
    report.participants += sweep_erased(session)
    return report
