"""Erasing participation data (admins only): a whole flow, or what is past retention."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import Participant, Run, utcnow
from storage.retention import PurgeReport, erase, purge


def erase_flow(session: Session, flow_id: str, recordings: Path | None) -> tuple[int, int]:
    """Delete every run and answer of a flow, and the people left with no run at all."""
    runs = int(session.scalar(select(func.count(Run.id)).where(Run.flow_id == flow_id)) or 0)
    people = list(
        session.scalars(select(Participant).where(Participant.id.in_(
            select(Run.participant_id).where(Run.flow_id == flow_id))))
    )  # fmt: skip
    session.execute(delete(Run).where(Run.flow_id == flow_id))
    erased = 0
    for person in people:
        if session.scalar(select(Run.id).where(Run.participant_id == person.id).limit(1)) is None:
            erase(session, person, recordings)
            erased += 1
    return runs, erased


def erase_expired(session: Session, retention_days: int, recordings: Path | None) -> PurgeReport:
    """Anonymise the people not seen for longer than the retention period (storage.retention)."""
    return purge(session, utcnow() - timedelta(days=retention_days), recordings)
