"""Erasing participation data (admins only): a whole flow, or what is past retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import Participant, Run, utcnow


def _drop_people_without_runs(session: Session) -> int:
    """Delete participants left with no run (their address, outbox and flags go with them)."""
    orphans = select(Participant.id).where(~Participant.id.in_(select(Run.participant_id)))
    ids = list(session.scalars(orphans))
    if ids:
        session.execute(delete(Participant).where(Participant.id.in_(ids)))
    return len(ids)


def erase_flow(session: Session, flow_id: str) -> tuple[int, int]:
    """Delete every run and answer of a flow; return (runs, participants) erased."""
    runs = int(session.scalar(select(func.count(Run.id)).where(Run.flow_id == flow_id)) or 0)
    session.execute(delete(Run).where(Run.flow_id == flow_id))
    return runs, _drop_people_without_runs(session)


def erase_expired(session: Session, retention_days: int) -> int:
    """Delete the participants not seen for longer than the retention period."""
    cutoff = utcnow() - timedelta(days=retention_days)
    ids = list(session.scalars(select(Participant.id).where(Participant.last_seen_at < cutoff)))
    if ids:
        session.execute(delete(Participant).where(Participant.id.in_(ids)))
    return len(ids)
