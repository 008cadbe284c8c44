"""The audit log: who did what and when, never with personal data in the detail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.dashboard_models import AuditEntry

ALLOWED_DETAIL = (str, int, float, bool, type(None))


def record(session: Session, actor: str, action: str, **detail: Any) -> AuditEntry:
    """Append one entry; detail values must be plain scalars or lists of them."""
    for key, value in detail.items():
        items = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(item, ALLOWED_DETAIL) for item in items):
            raise TypeError(f"audit detail '{key}' must be a scalar or a list of scalars")
    entry = AuditEntry(
        actor=actor,
        action=action,
        detail={k: list(v) if isinstance(v, tuple) else v for k, v in detail.items()},
    )
    session.add(entry)
    session.flush()
    return entry


def recent(session: Session, limit: int = 200) -> list[AuditEntry]:
    """Return the latest entries, newest first."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
