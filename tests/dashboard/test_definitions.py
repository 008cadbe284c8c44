"""One set of definitions: the overview, the report and every export count the same people."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile

import httpx
import openpyxl

from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_newcomer, add_people, add_run

ANSWERS = {"age": "30-44", "commune": "creteil", "genre": "femme", "egalite_travail": "non",
           "lieux": "travail", "priorite": "Des crèches", "volontaire": "oui", "suivi": "oui"}  # fmt: skip


def seed(services) -> None:
    """Twelve finished, one erased, one who refused consent, one who wrote again, one stopped."""
    ids = add_people(services.db, services.crypto, [ANSWERS] * 12)
    add_newcomer(services.db, services.crypto)  # erased: the participant row stays, no run
    refused = add_newcomer(services.db, services.crypto)
    add_run(services.db, refused, "completed", {})  # consent refused: the run kept no answer
    add_run(services.db, ids[0], "active", {"age": "15-29"})  # wrote again, did not finish
    stopped = add_newcomer(services.db, services.crypto)
    add_run(services.db, stopped, "stopped", {"age": "60-74", "genre": "homme"})


def export(client: httpx.Client, base: str, fmt: str) -> bytes:
    """Download every answer of the flow in one format."""
    token = csrf_of(client.get(base + "/facilitator/exports").text)
    response = client.post(base + "/facilitator/exports/answers",
                           data={"csrf_token": token, "format": fmt, "flow": "egalite"})  # fmt: skip
    assert response.status_code == 200, response.text
    return response.content


def exported_people(client: httpx.Client, base: str) -> dict[str, int]:
    """Count the people in each export format."""
    rows = list(csv.DictReader(io.StringIO(export(client, base, "csv").decode("utf-8-sig"))))
    book = openpyxl.load_workbook(io.BytesIO(export(client, base, "xlsx")), read_only=True)
    sheet = list(book["egalite"].iter_rows(values_only=True))[1:]
    flows = json.loads(export(client, base, "json"))["flows"]
    with zipfile.ZipFile(io.BytesIO(export(client, base, "floip"))) as archive:
        responses = json.loads(archive.read("responses.json"))
    return {"csv": len(rows), "xlsx": len(sheet), "json": len(flows[0]["respondents"]),
            "floip": len({r[2] for r in responses})}  # fmt: skip


def test_overview_report_and_exports_count_the_same_people(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        overview = html.unescape(client.get(live.url + "/facilitator/").text)
        report = html.unescape(client.get(live.url + "/facilitator/report").text)
        exported = exported_people(client, live.url)
        exports_page = html.unescape(client.get(live.url + "/facilitator/exports").text)
    agreed = int(re.search(r"<strong>(\d+)</strong> ont accepté", overview).group(1))
    assert agreed == 13  # twelve finished and one stopped: not the erased, not the refusal
    assert re.search(r"<strong>(\d+)</strong> personnes ont participé", overview).group(1) == "14"
    assert re.search(r"<strong>(\d+)</strong> ont terminé", overview).group(1) == "12"
    assert f"{agreed} personnes ont répondu" in report
    assert exported == dict.fromkeys(("csv", "xlsx", "json", "floip"), agreed)
    for page in (overview, report, exports_page):
        assert "Comment les personnes sont comptées" in page
        assert "Un accord refusé n'est compté nulle part" in page
