"""Facilitators set what became of each recommendation; no one else can."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from storage.dashboard_models import AuditEntry
from storage.report_back_models import Recommendation
from tests.dashboard.conftest import LiveServer, add_account, login
from tests.report_back.helpers import plain, recommend

BUS, EASY_BUS = "Un bus le dimanche matin", "Un bus le dimanche"
REASON = "Le budget de cette année est déjà pris.\nNous en reparlons en juin."


def test_a_facilitator_adds_a_recommendation_and_sets_its_status(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        added = recommend(client, live.url, "Un bus le dimanche matin", "Un bus le dimanche")
        assert added.status_code == 200
        assert "Un bus le dimanche matin — Pas encore décidée" in plain(added.text)
        with services.db.transaction() as session:
            rid = session.scalars(select(Recommendation.id)).one()
        # "Pas adoptée" and "En partie" need a reason in easy words: refused without one, nothing lost
        refused = recommend(client, live.url, "Un bus le dimanche matin", "Un bus le dimanche",
                            "not_adopted", rid=rid)  # fmt: skip
        assert refused.status_code == 400
        assert "« Pas adoptée » : écrivez pourquoi, en mots faciles." in plain(refused.text)
        partly = recommend(client, live.url, BUS, EASY_BUS, "partly", rid=rid)
        assert partly.status_code == 400 and "« En partie » : écrivez pourquoi" in plain(partly.text)
        done = recommend(client, live.url, BUS, EASY_BUS, "not_adopted", REASON, rid=rid)
        assert "Un bus le dimanche matin — Pas adoptée" in plain(done.text)
        adopted = recommend(client, live.url, "Plus de lumière au parc", "Plus de lumière au parc", "adopted")
        assert "Plus de lumière au parc — Adoptée" in plain(adopted.text)
    with services.db.transaction() as session:
        kept = session.get(Recommendation, rid)
        assert kept is not None and kept.reason == REASON
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("recomm%")))
        actions = [e.action for e in entries]
    assert actions == ["recommendation_added", "recommendation_changed", "recommendation_added",
                       "recommendation_changed"]  # fmt: skip


def test_without_login_no_recommendation_can_be_added_or_changed(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        recommend(client, live.url, "Un bus le dimanche", "Un bus le dimanche")
    form = {"title": "Piraté", "easy_title": "Piraté", "status": "adopted", "reason": "", "pictogram": ""}
    with httpx.Client(timeout=30) as stranger:
        assert stranger.post(live.url + "/facilitator/recommendations/1", data=form).status_code == 401
        assert stranger.post(live.url + "/facilitator/recommendations/add", data=form).status_code == 401
        page = stranger.get(live.url + "/facilitator/recommendations")
        assert page.status_code == 303 and page.headers["location"].startswith("/facilitator/login")
    with services.db.transaction() as session:
        assert [(r.title, r.status) for r in session.scalars(select(Recommendation))] == [
            ("Un bus le dimanche", "pending")]
