"""The safety queue: messages that disclosed danger, waiting for a facilitator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import SafetyFlag, utcnow


def waiting(session: Session) -> list[SafetyFlag]:
    """Return the flags not handled yet, oldest first."""
    return list(
        session.scalars(select(SafetyFlag).where(SafetyFlag.handled_at.is_(None)).order_by(SafetyFlag.id))
    )


def handled(session: Session, limit: int = 50) -> list[SafetyFlag]:
    """Return the latest handled flags."""
    return list(
        session.scalars(
            select(SafetyFlag)
            .where(SafetyFlag.handled_at.is_not(None))
            .order_by(SafetyFlag.handled_at.desc())
            .limit(limit)
        )
    )


def mark_handled(session: Session, flag_id: int, by: str) -> bool:
    """Mark a flag handled; say whether it was waiting."""
    flag = session.get(SafetyFlag, flag_id)
    if flag is None or flag.handled_at is not None:
        return False
    flag.handled_at = utcnow()
    flag.handled_by = by
    return True
