"""Themes a facilitator can trust: texts without a theme are shown and reported, and corrected."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import httpx
import yaml
from sqlalchemy import select

from storage import audit
from storage.models import Answer
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people

UNTHEMED = "jai pa de papier pour la caf et personne maide"


def plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def seed(services: SimpleNamespace) -> None:
    people = [{"priorite": f"Des salaires égaux ({i})", "priorite_theme": "travail"} for i in range(6)]
    people += [{"priorite": f"{UNTHEMED} ({i})"} for i in range(6)]
    add_people(services.db, services.crypto, people)


def signed_in(live: LiveServer, services: SimpleNamespace) -> httpx.Client:
    add_account(services.db, "anne@example.org")
    client = httpx.Client(follow_redirects=True, timeout=30)
    login(client, live.url, "anne@example.org")
    return client


def test_texts_without_a_theme_are_shown_and_reported(live: LiveServer, services: SimpleNamespace) -> None:
    seed(services)
    client = signed_in(live, services)
    themes = plain(client.get(live.url + "/facilitator/themes").text)
    report = plain(client.get(live.url + "/facilitator/report").text)
    assert "Sans thème (6 personnes)" in themes and UNTHEMED in themes
    said = report.split("Ce que les personnes ont dit, par thème")[1].split("Les questions qui divisent")[0]
    assert "Sans thème — 6 personnes" in said and UNTHEMED in said


def test_a_correction_changes_the_counts_is_audited_and_exported(
    live: LiveServer, services: SimpleNamespace
) -> None:
    seed(services)
    with services.db.transaction() as session:
        answer_id = session.scalars(select(Answer.id).where(Answer.theme.is_(None))).first()
    client = signed_in(live, services)
    page = client.get(live.url + "/facilitator/themes/texts?theme=")
    assert page.text.count("Enregistrer le thème") == 6
    refused = client.post(live.url + f"/facilitator/themes/texts/{answer_id}", data={"theme": "travail"})
    assert refused.status_code == 403
    done = client.post(live.url + f"/facilitator/themes/texts/{answer_id}",
                       data={"theme": "acces_aux_droits", "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert done.status_code == 200
    themes = plain(client.get(live.url + "/facilitator/themes").text)
    assert "Sans thème (5 personnes)" in themes
    exported = client.get(live.url + "/facilitator/themes/corrections.yml")
    with services.db.transaction() as session:
        entry, exporting = audit.recent(session)[1], audit.recent(session)[0]
    assert exporting.action == "theme_corrections_exported"
    assert entry.action == "theme_corrected" and entry.actor == "anne@example.org"
    assert entry.detail == {"answer": answer_id, "before": "", "after": "acces_aux_droits"}
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = yaml.safe_load(exported.text)
    assert data["version"] == "3.1"
    assert data["nlu"][0]["intent"] == "acces_aux_droits"
    assert data["nlu"][0]["examples"].startswith(f"- {UNTHEMED}")


def test_only_known_themes_are_accepted(live: LiveServer, services: SimpleNamespace) -> None:
    seed(services)
    with services.db.transaction() as session:
        answer_id = session.scalars(select(Answer.id).where(Answer.theme.is_(None))).first()
    client = signed_in(live, services)
    token = csrf_of(client.get(live.url + "/facilitator/themes/texts").text)
    bad = client.post(live.url + f"/facilitator/themes/texts/{answer_id}",
                      data={"theme": "inconnu", "csrf_token": token})  # fmt: skip
    assert bad.status_code == 400
