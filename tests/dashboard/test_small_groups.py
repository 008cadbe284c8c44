"""The small-group rule as a facilitator meets it, with `privacy.min_group_size: 10`."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from types import SimpleNamespace

import httpx
import pytest
from pypdf import PdfReader

from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people
from tests.dashboard.test_privacy import row

K = 10
PAIR = {"age": "30-44", "genre": "femme"}  # 18 women aged 30-44; one man of that age besides them


@pytest.fixture
def services(services: SimpleNamespace) -> SimpleNamespace:
    """The dashboard's services with a threshold of 10 instead of the shipped 5."""
    raw = {**services.settings.raw, "privacy": {"min_group_size": K}}
    return SimpleNamespace(**{**vars(services), "settings": replace(services.settings, raw=raw)})


def person(age: str, genre: str, commune: str, theme: str) -> dict[str, str]:
    return {"age": age, "genre": genre, "commune": commune,
            "priorite": f"Ce qui compte pour moi : {theme}", "priorite_theme": theme}  # fmt: skip


def seed(services: SimpleNamespace) -> None:
    """71 people: a channel of 3, two small age bands, 2 people of gender "autre", 28 men."""
    db, crypto = services.db, services.crypto
    add_people(db, crypto, [person("30-44", "femme", "creteil", "travail")] * 18
               + [person("30-44", "homme", "creteil", "travail")]
               + [person("15-29", "autre", "vitry", "education")] * 2)  # fmt: skip
    add_people(db, crypto, [person("45-59", "homme", "vitry", "espace_public")] * 27, channel="sms")
    add_people(db, crypto, [person("60-74", "femme", "ivry", "sante")] * 20, channel="voice", easy=True)
    add_people(db, crypto, [person("75+", "femme", "creteil", "violences")] * 3, channel="kiosk")


def text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def aggregates(client: httpx.Client, base: str, filters: dict[str, str]) -> str:
    token = csrf_of(client.get(base + "/facilitator/exports").text)
    response = client.post(base + "/facilitator/exports/aggregates",
                           data={"flow": "egalite", "csrf_token": token, **filters})  # fmt: skip
    return response.content.decode("utf-8-sig")


@pytest.fixture
def client(live: LiveServer, services: SimpleNamespace) -> Iterator[httpx.Client]:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        yield client


def test_the_configured_threshold_is_written_everywhere(live: LiveServer, client: httpx.Client) -> None:
    base = live.url + "/facilitator"
    paths = ("/", "/questions", "/themes", "/heard", "/report", "/report/easy", "/exports", "/safety")
    pages = {path: client.get(base + path).text for path in paths}
    for path, page in pages.items():
        assert "< 5" not in text(page), path
        assert f"Les groupes de moins de {K} personnes sont masqués" in text(page), path
    overview = pages["/"]
    assert row(overview, "Borne web").startswith(f"< {K}")
    charts = re.findall(r"<svg.*?</svg>", overview, re.S)
    assert any(f"&lt; {K}" in svg for svg in charts) and not any("&lt; 5" in svg for svg in charts)
    assert row(pages["/questions"], "75 ans et plus") == f"< {K}"
    assert f"Violences (< {K} personnes)" in text(pages["/themes"])
    assert f"75 ans et plus < {K} masqué" in text(pages["/heard"])

    pdf = PdfReader(io.BytesIO(client.get(base + "/report.pdf").content))
    pdf_text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert f"< {K}" in pdf_text and "< 5" not in pdf_text and "moins de 5" not in pdf_text

    rows = list(csv.reader(io.StringIO(aggregates(client, live.url, {}))))
    ages = {r[1]: r[2] for r in rows if r[0] == "Quel âge avez-vous ?"}
    assert ages["75 ans et plus"] == f"< {K}" and ages["15 à 29 ans"] == f"< {K}"
    assert not any("< 5" in cell for r in rows for cell in r)


def test_a_filter_that_leaves_out_one_person_is_refused(live: LiveServer, client: httpx.Client) -> None:
    url = live.url + "/facilitator/questions"
    wider = text(client.get(url, params={"age": "30-44"}).text)
    assert "Filtre actif : 19 personnes" in wider
    narrower = text(client.get(url, params=PAIR).text)
    assert "Filtre actif" not in narrower and "Un peu" not in narrower
    assert f"Sans le critère « Genre », moins de {K} personnes s'ajoutent" in narrower
    themes = text(client.get(live.url + "/facilitator/themes", params=PAIR).text)
    assert "Ce qui compte pour moi" not in themes
    assert f"Sans le critère « Genre », moins de {K} personnes s'ajoutent" in themes
    exported = aggregates(client, live.url, PAIR)
    assert f"Sans le critère « Genre », moins de {K} personnes s'ajoutent" in exported
    assert "Quel âge avez-vous ?" not in exported


def test_the_overview_total_does_not_give_away_a_hidden_channel(live: LiveServer, client) -> None:
    page = client.get(live.url + "/facilitator/").text
    total = int(re.search(r"<strong>(\d+)</strong> personnes ont participé", page).group(1))
    assert total == 71
    table = page.split("Participation par canal</caption>")[1].split("</table>")[0]
    for column in (0, 1):
        cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", table)][column::2]
        shown = [int(c) for c in cells if c.isdigit()]
        assert len(cells) - len(shown) >= 2  # the total minus the shown channels is shared
        assert total - sum(shown) >= K


def test_a_group_hidden_to_protect_another_is_not_called_small(live: LiveServer, client) -> None:
    page = client.get(live.url + "/facilitator/questions").text
    assert row(page, "Autre") == f"< {K}"
    assert row(page, "Un homme") == "masqué"  # 28 men answered
    assert row(page, "30 à 44 ans") == "masqué"  # 19 people: hidden so 2 + 3 cannot be worked out
    genre_chart = re.search(r"<svg[^>]*><title>Vous êtes :.*?</svg>", page, re.S).group(0)
    assert "Un homme" in genre_chart and f"&lt; {K}</text>" in genre_chart
    assert genre_chart.count("masqué") == 1
    heard = text(client.get(live.url + "/facilitator/heard").text)
    assert "30 à 44 ans masqué masqué" in heard
    assert f"30 à 44 ans — moins de {K}" not in heard
    rows = list(csv.reader(io.StringIO(aggregates(client, live.url, {}))))
    assert ["Vous êtes :", "Un homme", "masqué"] in rows


def figures(page: str) -> dict[tuple[str, str], str]:
    """Return (question, answer) -> figure of every table of the questions page."""
    found = {}
    for section in re.findall(r"<section aria-labelledby=\"q-.*?</section>", page, re.S):
        title = html.unescape(re.search(r"<h2[^>]*>(.*?)</h2>", section).group(1))
        found[(title, "")] = re.search(r"<p>(\S+) personnes ont répondu", section).group(1)
        for label, figure in re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', section):
            found[(title, html.unescape(label))] = html.unescape(figure)
    return found


@pytest.mark.parametrize("params", [{"genre": "femme"}, {"age": "30-44"}])
def test_no_answer_of_the_people_a_filter_leaves_out_follows_by_subtraction(
    live: LiveServer, client, params: dict[str, str]
) -> None:
    url = live.url + "/facilitator/questions"
    everyone = figures(client.get(url).text)
    filtered = figures(client.get(url, params=params).text)
    assert filtered, "the filter keeps enough people to show its figures"
    for key, figure in filtered.items():
        other = everyone[key]
        if figure.isdigit() and other.isdigit():
            assert int(other) - int(figure) == 0 or int(other) - int(figure) >= K, (key, other, figure)


def test_who_we_heard_hides_the_same_groups_as_the_questions_page(live: LiveServer, services) -> None:
    ages = {"15-29": 12, "30-44": 12, "45-59": 20, "75+": 2, "ne sait pas": 9}
    add_people(services.db, services.crypto,
               [{"age": age} for age, n in ages.items() for _ in range(n)])  # fmt: skip
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        questions = client.get(live.url + "/facilitator/questions").text
        heard = client.get(live.url + "/facilitator/heard").text
    for label in ("15 à 29 ans", "30 à 44 ans", "45 à 59 ans", "75 ans et plus"):
        assert row(heard, label).split()[0] == row(questions, label).split()[0], label
    assert " ".join(row(heard, "15 à 29 ans").split()) == "12 22 % 25 %"  # 12 of the 55 who answered
