"""A hundred people on every channel, then a facilitator preparing the workshop.

The people are drawn with a fixed seed (tests/walk/people.py); the app is the real one with
every channel (tests/walk/world.py). What is asserted is what a facilitator or a participant
would notice: one person counted once, the same totals on every page and export, no finished
answer lost, no small group shown, each screen's words fit its way of answering, and the
helplines one step away everywhere.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from tests.walk.people import visible
from tests.walk.walked import TIMES, Walked, csrf_of, login, walk
from tests.walk.world import FACILITATOR, running

PAGES = ["/", "/questions", "/themes", "/heard", "/report", "/report/easy", "/panel", "/feedback",
         "/safety", "/proposals", "/listening", "/round-two", "/exports", "/themes/texts"]  # fmt: skip


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory, walk_audio: Path) -> Iterator[Walked]:
    with pytest.MonkeyPatch.context() as monkeypatch, \
            running(tmp_path_factory.mktemp("walk"), monkeypatch, walk_audio) as world:
        yield walk(world)
    print("\nseconds per channel:", {k: round(v, 1) for k, v in TIMES.items()})


@pytest.fixture(scope="module")
def facilitator(walked: Walked) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=walked.world.url, follow_redirects=True, timeout=60) as http:
        login(http, FACILITATOR)
        yield http


def export(http: httpx.Client, fmt: str, flow: str = "egalite") -> httpx.Response:
    csrf = csrf_of(http.get("/facilitator/exports").text)
    fields = {"csrf_token": csrf, "flow": flow, "format": fmt}
    response = http.post("/facilitator/exports/answers", data=fields)
    assert response.status_code == 200, response.text[:300]
    return response


def figure(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, (pattern, text[:2000])
    return int(found.group(1))


def ledger(walked: Walked) -> dict[str, int]:
    """What the people did: who came, who agreed, who finished egalite (each person once)."""
    people = [p for p in walked.people if not p.erased]
    return {"came": sum(bool(p.started) for p in people),
            "agreed": sum("egalite" in p.consented for p in people),
            "finished": sum("egalite" in p.finished for p in people)}  # fmt: skip


def test_every_page_opens_without_a_crash(walked: Walked, facilitator: httpx.Client) -> None:
    for page in PAGES:
        response = facilitator.get("/facilitator" + page)
        assert response.status_code == 200, (page, response.status_code, response.text[:300])
    assert facilitator.get("/facilitator/report.pdf").content.startswith(b"%PDF")


def test_one_person_is_one_person_on_the_overview_and_the_report(
    walked: Walked, facilitator: httpx.Client
) -> None:
    expected = ledger(walked)
    overview = visible(facilitator.get("/facilitator/").text)
    assert figure(r"(\d+) personnes ont participé", overview) == expected["came"]
    finished = figure(r"(\d+) ont terminé un questionnaire", overview)
    # A finished evaluation is only ever by someone who finished egalite first.
    assert finished == expected["finished"]
    report = visible(facilitator.get("/facilitator/report").text)
    assert figure(r"(\d+) personnes ont répondu à « Égalité", report) == expected["agreed"]


def test_exports_hold_every_finished_answer_once(walked: Walked, facilitator: httpx.Client) -> None:
    expected = ledger(walked)
    rows = list(csv.DictReader(io.StringIO(export(facilitator, "csv").text.lstrip("\ufeff"))))
    data = json.loads(export(facilitator, "json").text)
    [flow] = [f for f in data["flows"] if f["id"] == "egalite"]
    sheet = load_workbook(io.BytesIO(export(facilitator, "xlsx").content))
    for exported in (rows, flow["respondents"]):
        assert len(exported) == expected["agreed"]
        assert sum(r["status"] == "completed" for r in exported) == expected["finished"]
    xlsx_rows = sum(ws.max_row - 1 for ws in sheet.worksheets if ws.title.startswith("egalite"))
    assert xlsx_rows == expected["agreed"]
    # Every finished person's answers are there, as they gave them (the latest finished run).
    exported = sorted(tuple(r[k] for k in ("consentement", "age", "genre", "volontaire", "suivi"))
                      for r in rows if r["status"] == "completed")  # fmt: skip
    given = sorted(("oui", p.finished["egalite"].get("age", ""), p.finished["egalite"].get("genre", ""),
                    p.finished["egalite"]["volontaire"], p.finished["egalite"]["suivi"])
                   for p in walked.people if "egalite" in p.finished and not p.erased)  # fmt: skip
    assert exported == given


def test_the_panel_counts_the_volunteers_the_exports_show(walked: Walked, facilitator: httpx.Client) -> None:
    rows = json.loads(export(facilitator, "json").text)["flows"]
    volunteers = sum(r["volontaire"] == "oui" for f in rows if f["id"] == "egalite" for r in f["respondents"])
    panel = visible(facilitator.get("/facilitator/panel").text)
    assert figure(r"Volontaires \((\d+)\)", panel) == volunteers


def test_no_count_under_k_is_shown(walked: Walked, facilitator: httpx.Client) -> None:
    small = re.compile(r"(?<![\d,.])[1-4] (?:personnes?|ont|se sont|sur \d)")
    for page in PAGES + ["/report?age=75%2B", "/?canal=telegram"]:
        text = visible(facilitator.get("/facilitator" + page).text)
        assert not small.search(text), (page, small.findall(text))


FORBIDDEN = {  # words that name an action the screen does not offer
    "sms": ["cliquez", "appuyez sur le bouton", "tapez", "dites"],
    "sms-gateway": ["cliquez", "appuyez sur le bouton", "tapez", "dites"],
    "voice": ["cliquez", "écrivez", "envoyez", "tapez le texte"],
    "kiosk": ["envoyez le", "envoyez 1", "tapez", "écrivez effacer", "envoyez effacer"],
    "telegram": ["tapez 1", "envoyez 1", "dites"],
}


def test_each_screen_speaks_of_what_it_offers(walked: Walked) -> None:
    # "envoyez un SMS au 114" is the helplines' own advice, right on every channel.
    wrong = {(channel, word, text[:160]) for person in walked.people for channel, text in person.texts
             for word in FORBIDDEN[channel]
             if word in text.lower().replace("envoyez un sms", "")}  # fmt: skip
    assert not wrong


def test_help_in_danger_is_one_step_away(walked: Walked) -> None:
    afraid = [p for p in walked.people if p.helplines]
    assert len(afraid) >= 5
    for person in afraid:
        for reply in person.helplines:
            assert "3919" in reply and "114" in reply, (person.plan.channel, reply[:300])
    offered = {"sms": "sos", "sms-gateway": "sos", "voice": "en danger, tapez 9", "kiosk": "aide urgente",
               "telegram": "🆘"}  # fmt: skip
    for person in walked.people:
        for channel, text in person.texts:
            if channel in ("voice",) and "tapez" in text:  # every question heard offers 9
                assert offered[channel] in text.lower(), text[:300]
            if channel == "kiosk" and "Question " in text:
                assert offered[channel] in text.lower(), text[:300]
