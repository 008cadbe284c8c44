"""Real divides between groups, said with counts; the report opens with who rarely takes part."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from dashboard.divides import Divide, Group, strength
from flows.loader import DEFINITIONS
from tests.dashboard.conftest import LiveServer, add_account, login
from tests.dashboard.seed import add_people
from tests.dashboard.test_report import plain

PROFILE_QUESTIONS = ("Quel est votre âge", "Vous vous présentez comme", "Participez-vous",
                     "commune habitez-vous", "atelier")  # fmt: skip


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    """A flows directory holding the shipped campaign flow (spec 3, with roles)."""
    directory = tmp_path / "flows"
    directory.mkdir()
    (directory / "egalite.yml").write_text((DEFINITIONS / "egalite.yml").read_text(encoding="utf-8"))
    return directory


def seed(services) -> None:
    """45 women (20 afraid at night), 24 men (3 afraid); 23 rarely take part, most ticking rights."""
    people = []
    for genre, size, afraid, rarely in (("femme", 45, 20, 15), ("homme", 24, 3, 8)):
        for i in range(size):
            rare = i < rarely
            people.append({
                "genre": genre, "age": "15-29" if genre == "femme" else "60-74",
                "securite_soir": "peur" if (i * 7) % size < afraid else "confiance",  # spread out
                "vie_publique": "rarement" if rare else ("souvent", "parfois")[i % 2],
                "themes_dehors": "acces_aux_droits" if rare and i % 3 else "espace_public",
                "volontaire": "oui" if genre == "femme" else "non",
                "priorite": f"Les papiers de la CAF sont trop compliqués pour moi ({i})" if rare
                else f"Plus de lumière dans les rues le soir ({i})",
                "priorite_theme": "acces_aux_droits" if rare else "espace_public",
            })  # fmt: skip
    add_people(services.db, services.crypto, people)


def section(page: str, title: str, end: str) -> str:
    """Return the text of the report between a heading and the next."""
    return page.split(title)[1].split(end)[0]


def test_the_report_says_real_divides_with_counts_and_never_on_a_profile(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = plain(client.get(live.url + "/facilitator/report").text)
        divides = section(page, "Les questions qui divisent", "Les voix qui manquent")
        assert "20 femmes sur 45 ont répondu « J'ai peur », moins de 5 hommes sur 24." in divides
        # Men and women volunteer differently, and they differ in age: neither is an opinion.
        for label in PROFILE_QUESTIONS:
            assert label not in divides, label
        debate = page.split("Questions proposées pour le débat")[1]
        assert "changent selon le genre" in debate

        pdf = client.get(live.url + "/facilitator/report.pdf")
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
        assert "20 femmes sur 45 ont répondu « J'ai peur », moins de 5 hommes sur 24." in text

        easy = client.get(live.url + "/facilitator/report/easy").text
        lines = [html.unescape(line) for line in re.findall(r"<p>(.*?)</p>", easy.split('class="easy"')[1])]
        fear = lines.index("Réponse « J'ai peur » :")
        assert lines[fear + 1 : fear + 3] == ["- 20 femmes sur 45", "- moins de 5 hommes sur 24"]
        assert lines[fear - 3 : fear] == ["Les réponses changent selon le genre.",
                                          "Pensez au soir, dans la rue ou dans le bus.",
                                          "Comment vous sentez-vous ?"]  # fmt: skip
        for line in lines:
            assert len(line.split()) <= 15 and "%" not in line, line


def test_the_report_opens_with_those_who_rarely_take_part(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/report").text
        headings = [plain(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)]
        assert headings[0] == "Les personnes qui participent rarement ou jamais"
        opening = section(plain(page), "Les personnes qui participent rarement ou jamais",
                          "Ce que les personnes ont dit, par thème")  # fmt: skip
        assert opening.index("« Les papiers de la CAF") < opening.index("Rarement ou jamais (23 personnes)")
        assert "Plus de lumière" not in opening
        assert "comment allez-vous aujourd'hui" not in opening  # no one answered it: no table
        # 15 of the 23 ticked rights, against none of the 46 others.
        assert "Pour les droits et les services publics 15 0" in opening
        assert "Dans la rue et les transports 8 46" in opening

        filtered = plain(client.get(live.url + "/facilitator/report", params={"genre": "homme"}).text)
        opening = section(filtered, "Les personnes qui participent rarement ou jamais", "Ce que les")
        assert "Ce filtre concerne" not in filtered and "Filtre actif : 24 personnes" in filtered
        assert "Sans le critère « Participation à la vie publique »" not in opening
        assert "8 personnes disent participer rarement" in opening


def test_a_report_filter_that_isolates_a_small_group_is_refused(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = plain(client.get(live.url + "/facilitator/report", params={"canal": "voice"}).text)
        assert "Ce filtre concerne moins de 5 personnes" in page
        assert "Les questions qui divisent" not in page and "CAF" not in page


def test_a_small_difference_or_a_small_sample_is_no_divide() -> None:
    assert strength([[10, 10], [11, 9]])[0] > 0.05  # the same split: no divide
    p, effect = strength([[20, 25], [3, 21]])
    assert p < 0.05 and effect > 0.2
    assert strength([[3, 0], [0, 0]]) == (1.0, 0.0)  # one answer only: nothing to test
    groups = (Group("femmes", 20, 45, 5), Group("hommes", 3, 24, 5))
    divide = Divide("r", "Q", "genre", "oui", "Oui", groups, p, effect)
    assert divide.sentence == "« Q » : 20 femmes sur 45 ont répondu « Oui », moins de 5 hommes sur 24."
    nobody = Divide("r", "Q", "genre", "oui", "Oui", (Group("hommes", 0, 24, 5), Group("femmes", 20, 45, 5)),
                    p, effect)  # fmt: skip
    assert nobody.sentence == "« Q » : personne parmi les 24 hommes n'a répondu « Oui », 20 femmes sur 45."
    assert nobody.easy(None)[-2:] == ["- Personne parmi les 24 hommes", "- 20 femmes sur 45"]


def test_a_group_under_k_never_appears_nor_can_be_worked_out() -> None:
    from collections import Counter

    from dashboard.divides import divide
    from flows.loader import load_text

    flow = load_text(
        "spec_version: 3\nid: x\nversion: 1\nsteps:\n"
        "  - {id: q, kind: yesno, result: q, role: opinion, say: {text: Peur, easy: Peur}}\n"
        "  - {id: fin, kind: end, say: {text: Merci, easy: Merci}}\n"
    )
    step = flow.step("q")
    counts = Counter({("femme", "oui"): 20, ("femme", "non"): 25, ("homme", "oui"): 3, ("homme", "non"): 21})
    found = divide(step, "genre", counts, 69, {}, 5)
    assert found is not None and [g.noun for g in found.groups] == ["femmes", "hommes"]
    # 4 people of another gender: left out of the table, their answers would follow by
    # subtraction from the question's figures, so the grouping is not used at all.
    assert divide(step, "genre", counts + Counter({("autre", "oui"): 4}), 73, {}, 5) is None
    # 6 of them: a group of its own, named by its label.
    with_six = divide(step, "genre", counts + Counter({("autre", "oui"): 6}), 75, {"autre": "Autre"}, 5)
    assert with_six is not None and "6 personnes « Autre » sur 6" in with_six.sentence
    # Under a filter, a wider filter that adds 3 women would let two reports count them.
    wider = counts + Counter({("femme", "oui"): 3})
    assert divide(step, "genre", counts, 69, {}, 5, [wider]) is None
    assert divide(step, "genre", counts, 69, {}, 5, [wider + Counter({("femme", "non"): 2})]) is not None
