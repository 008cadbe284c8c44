"""Recommendations and report backs: read, change (every change audited), publish."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storage import audit
from storage.models import utcnow
from storage.report_back_models import STATUSES, Recommendation, ReportBack
from storage.theme_models import Proposal

NEEDS_REASON = ("partly", "not_adopted")  # a reason in easy words is required for these


def recommendations(session: Session) -> list[Recommendation]:
    """Return every recommendation, oldest first."""
    return list(session.scalars(select(Recommendation).order_by(Recommendation.id)))


def proposal_exists(session: Session, proposal_id: int) -> bool:
    """Say whether a proposal a recommendation may link to exists."""
    return session.get(Proposal, proposal_id) is not None


def add(session: Session, title: str, easy_title: str, by: str, proposal_id: int | None = None,
        pictogram: str = "") -> Recommendation:  # fmt: skip
    """Add a recommendation (status pending) and audit it."""
    found = Recommendation(title=title, easy_title=easy_title, proposal_id=proposal_id,
                           pictogram=pictogram, status="pending", reason="", updated_by=by)  # fmt: skip
    session.add(found)
    session.flush()
    audit.record(session, by, "recommendation_added", recommendation=found.id, proposal=proposal_id)
    return found


def change(session: Session, recommendation_id: int, by: str, **fields: Any) -> Recommendation | None:
    """Change a recommendation's fields (title, easy_title, status, reason, pictogram, proposal_id).

    Returns None when it does not exist; the audit entry names the fields that changed and
    the new status, never the texts.
    """
    found = session.get(Recommendation, recommendation_id)
    if found is None:
        return None
    allowed = {"title", "easy_title", "status", "reason", "pictogram", "proposal_id"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown recommendation fields: {sorted(unknown)}")
    if "status" in fields and fields["status"] not in STATUSES:
        raise ValueError(f"unknown status {fields['status']!r}")
    changed = sorted(k for k, v in fields.items() if getattr(found, k) != v)
    for key in changed:
        setattr(found, key, fields[key])
    if changed:
        found.updated_at, found.updated_by = utcnow(), by
        audit.record(session, by, "recommendation_changed", recommendation=found.id,
                     fields=changed, status=found.status)  # fmt: skip
    return found


def snapshot(found: list[Recommendation]) -> list[dict[str, str]]:
    """Return the recommendations as a report back keeps them (what was told, as it stood)."""
    return [{"title": r.title, "easy_title": r.easy_title, "status": r.status, "reason": r.reason,
             "pictogram": r.pictogram} for r in found]  # fmt: skip


PUBLISHING_LOCK = 7_402_114  # a PostgreSQL advisory lock key: one report back published at a time


def lock_publishing(session: Session) -> None:
    """Make concurrent publications wait for each other until commit (SQLite's BEGIN IMMEDIATE
    already does: one writer at a time), so a double click is seen as one by the second request."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISHING_LOCK})


def publish(session: Session, by: str, *, intro_text: str, intro_easy: str, items: list[dict[str, str]],
            text: str, easy: str, spoken: str, sms: str) -> ReportBack:  # fmt: skip
    """Store a published report back and audit it."""
    report = ReportBack(intro_text=intro_text, intro_easy=intro_easy, items={"items": items},
                        text=text, easy=easy, spoken=spoken, sms=sms, published_by=by)  # fmt: skip
    session.add(report)
    session.flush()
    audit.record(session, by, "report_back_published", report_back=report.id, recommendations=len(items))
    return report


def attach(session: Session, report_id: int, campaign_id: int) -> None:
    """Remember the feedback campaign that sent a report back."""
    report = session.get(ReportBack, report_id)
    if report is not None:
        report.campaign_id = campaign_id


def latest(session: Session) -> ReportBack | None:
    """Return the report back published last, or None."""
    return session.scalar(select(ReportBack).order_by(ReportBack.id.desc()).limit(1))


def published(session: Session) -> list[ReportBack]:
    """Return every report back, newest first."""
    return list(session.scalars(select(ReportBack).order_by(ReportBack.id.desc())))


def named_proposals(session: Session) -> list[tuple[int, str]]:
    """Return (id, title) of the proposals facilitators named (a recommendation may link to one)."""
    rows = session.execute(select(Proposal.id, Proposal.title).where(Proposal.title.is_not(None))
                           .order_by(Proposal.rank.is_(None), Proposal.rank, Proposal.id))  # fmt: skip
    return [(i, str(t)) for i, t in rows]
