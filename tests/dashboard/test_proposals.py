"""Proposals: the same idea in different words is grouped, counted, and shaped by facilitators."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import httpx
from sqlalchemy import select

from dashboard.proposals import cluster
from storage import audit
from storage.theme_models import Proposal
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people

PAGE = "/facilitator/proposals"
CRECHES = ["Des crèches ouvertes le soir pour les mères seules", "il faudrait des creches ouverte le soir",
           "ouvrir les crèches plus tard le soir pour les mamans qui travaillent"]  # fmt: skip
LUMIERE = ["Plus de lumière dans les rues la nuit", "éclairer mieux les rues la nuit",
           "des lampadaires dans les rues, la nuit c'est trop sombre"]  # fmt: skip
SALAIRES = ["L'égalité des salaires entre hommes et femmes", "meme salaire pour les femmes et les hommes",
            "salaire egal femme homme svp"]  # fmt: skip
OTHERS = ["Plus de bus le dimanche", "aider les gens pour les papiers de la caf"]


def plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_paraphrases_of_one_idea_land_together_and_different_ideas_apart() -> None:
    texts = CRECHES + LUMIERE + SALAIRES + OTHERS
    groups = sorted(cluster(texts))
    assert groups == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9], [10]]


def seed(services: SimpleNamespace) -> None:
    people = [{"priorite": CRECHES[i % 3], "genre": "femme"} for i in range(7)]
    people += [{"priorite": LUMIERE[i % 3], "genre": "homme" if i < 5 else "femme"} for i in range(6)]
    people += [{"priorite": SALAIRES[i % 3]} for i in range(2)]
    add_people(services.db, services.crypto, people)


def test_facilitators_group_merge_rename_and_rank_proposals(
    live: LiveServer, services: SimpleNamespace
) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    client = httpx.Client(follow_redirects=True, timeout=30)
    login(client, live.url, "anne@example.org")
    token = csrf_of(client.get(live.url + PAGE).text)

    def post(path: str, value: str = "") -> httpx.Response:
        return client.post(live.url + PAGE + path, data={"csrf_token": token, "value": value})

    assert post("/group").status_code == 200
    page = plain(client.get(live.url + PAGE).text)
    assert "(7 personnes)" in page and "(6 personnes)" in page and "(< 5 personnes)" in page
    assert "Genre : Une femme 7" in page  # who said it, by group
    assert "Genre : Une femme < 5, Un homme masqué" in page  # 5 men would tell the 1 woman
    with services.db.transaction() as session:
        ids = sorted(session.scalars(select(Proposal.id)))
    assert len(ids) == 3
    first, second, third = ids
    assert post(f"/{third}/merge", str(second)).status_code == 200
    assert post(f"/{second}/rename", "Éclairer les rues la nuit").status_code == 200
    assert post(f"/{second}/rank", "1").status_code == 200
    page = plain(client.get(live.url + PAGE).text)
    assert "1. Éclairer les rues la nuit (8 personnes)" in page
    assert page.index("Éclairer les rues la nuit (8") < page.index("(7 personnes)")
    assert post(f"/{first}/merge", "999").status_code == 404
    report = plain(client.get(live.url + "/facilitator/report").text)
    report = report.split("Les propositions des habitants")[1]
    assert report.startswith(" Éclairer les rues la nuit — 8 personnes")
    with services.db.transaction() as session:
        actions = [(e.action, e.detail) for e in reversed(audit.recent(session))]
    assert [a for a, _ in actions][-4:] == ["proposals_grouped", "proposal_merged", "proposal_renamed",
                                            "proposal_ranked"]  # fmt: skip
    assert all("soir" not in str(detail) for _a, detail in actions)


def test_a_text_moved_out_becomes_its_own_proposal(live: LiveServer, services: SimpleNamespace) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    client = httpx.Client(follow_redirects=True, timeout=30)
    login(client, live.url, "anne@example.org")
    token = csrf_of(client.get(live.url + PAGE).text)
    client.post(live.url + PAGE + "/group", data={"csrf_token": token})
    answer = re.search(r"/proposals/split/(\d+)", client.get(live.url + PAGE).text)
    assert answer
    moved = client.post(live.url + PAGE + f"/split/{answer.group(1)}", data={"csrf_token": token})
    assert moved.status_code == 200
    with services.db.transaction() as session:
        assert len(list(session.scalars(select(Proposal)))) == 4
        assert audit.recent(session)[0].detail["answer"] == int(answer.group(1))


def test_a_rank_that_is_not_a_number_is_refused_and_the_rank_kept(
    live: LiveServer, services: SimpleNamespace
) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    client = httpx.Client(follow_redirects=True, timeout=30)
    login(client, live.url, "anne@example.org")
    token = csrf_of(client.get(live.url + PAGE).text)
    client.post(live.url + PAGE + "/group", data={"csrf_token": token})
    with services.db.transaction() as session:
        first = min(session.scalars(select(Proposal.id)))
    ranked = client.post(live.url + PAGE + f"/{first}/rank", data={"csrf_token": token, "value": "2"})
    assert ranked.status_code == 200
    for typo in ("deux", "2a", "-1", "0"):
        refused = client.post(live.url + PAGE + f"/{first}/rank", data={"csrf_token": token, "value": typo})
        assert refused.status_code == 400, typo
        assert "rang" in plain(refused.text).lower()
    with services.db.transaction() as session:
        assert session.get(Proposal, first).rank == 2  # type: ignore[union-attr]
    cleared = client.post(live.url + PAGE + f"/{first}/rank", data={"csrf_token": token, "value": " "})
    assert cleared.status_code == 200  # an empty rank still means "not ranked"
    with services.db.transaction() as session:
        assert session.get(Proposal, first).rank is None  # type: ignore[union-attr]
