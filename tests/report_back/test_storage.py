"""Recommendations keep their status and reason; every change is in the audit log; migrations run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage import report_back
from storage.dashboard_models import AuditEntry
from storage.db import Database


def test_a_status_change_is_kept_and_audited_without_its_texts(database: Database) -> None:
    with database.transaction() as session:
        found = report_back.add(session, "Un bus le dimanche", "Un bus le dimanche", "anne@example.org")
        report_back.change(session, found.id, "paul@example.org", status="not_adopted",
                           reason="Le budget de cette année est déjà pris.")  # fmt: skip
        report_back.change(session, found.id, "paul@example.org", status="not_adopted")  # no change
    with database.transaction() as session:
        (kept,) = report_back.recommendations(session)
        assert (kept.status, kept.updated_by) == ("not_adopted", "paul@example.org")
        entries = [(e.actor, e.action, e.detail) for e in session.scalars(select(AuditEntry))]
    assert entries == [
        ("anne@example.org", "recommendation_added", {"recommendation": kept.id, "proposal": None}),
        ("paul@example.org", "recommendation_changed",
         {"recommendation": kept.id, "fields": ["reason", "status"], "status": "not_adopted"}),
    ]  # fmt: skip
    assert "budget" not in str(entries)


def test_an_unknown_status_is_refused(database: Database) -> None:
    with database.transaction() as session:
        found = report_back.add(session, "Un bus", "Un bus", "anne@example.org")
        with pytest.raises(ValueError):
            report_back.change(session, found.id, "anne@example.org", status="maybe")
        assert report_back.change(session, found.id + 1, "anne@example.org", status="adopted") is None


def test_the_latest_report_back_is_the_one_published_last(database: Database) -> None:
    with database.transaction() as session:
        assert report_back.latest(session) is None
        for n in (1, 2):
            report_back.publish(session, "anne@example.org", intro_text=f"t{n}", intro_easy=f"e{n}", items=[],
                                text=f"t{n}", easy=f"e{n}", spoken=f"e{n}", sms=f"s{n}")  # fmt: skip
    with database.transaction() as session:
        latest = report_back.latest(session)
        assert latest is not None and latest.sms == "s2"
