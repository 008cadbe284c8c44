"""Exports: four formats that open in their readers, with nothing that re-identifies anyone."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import httpx
import jsonschema
import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from storage.dashboard_models import AuditEntry
from storage.models import Participant
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people

FLOIP_SCHEMA = {
    "type": "object",
    "required": ["profile", "flow_results_specification_version", "created", "modified", "id",
                 "resources"],
    "properties": {
        "profile": {"const": "flow-results-package"},
        "flow_results_specification_version": {"const": "1.0.0-rc1"},
        "id": {"type": "string", "pattern": "^[0-9a-f-]{36}$"},
        "name": {"type": "string", "pattern": "^[a-z0-9._-]+$"},
        "resources": {
            "type": "array", "minItems": 1, "maxItems": 1,
            "items": {
                "type": "object", "required": ["path", "schema"], "not": {"required": ["data"]},
                "properties": {"schema": {
                    "type": "object", "required": ["fields", "questions"],
                    "properties": {
                        "fields": {"type": "array", "minItems": 6, "maxItems": 6},
                        "questions": {"type": "object", "additionalProperties": {
                            "type": "object", "required": ["type", "label", "type_options"],
                            "properties": {"type": {"enum": [
                                "select_one", "select_many", "numeric", "open", "text", "image",
                                "video", "audio", "geo_point", "date", "time", "datetime"]}},
                        }},
                    },
                }},
            },
        },
    },
}  # fmt: skip
ROW_SCHEMA = {"type": "array", "items": {"type": "array", "minItems": 6, "maxItems": 6}}
FREE_TEXT = "Plus de crèches. Appelez-moi au 06 12 34 56 78 ou marie.d@example.org"


def seed(services) -> list[int]:
    people = [
        {
            "age": "30-44",
            "commune": "creteil",
            "genre": "femme",
            "egalite_travail": "non",
            "lieux": "travail,rue",
            "priorite": FREE_TEXT,
            "priorite_theme": "travail",
            "volontaire": "oui",
            "suivi": "oui",
        }
    ] * 5
    people.append({"age": "15-29", "commune": "vitry", "genre": "homme", "priorite": "=1+2"})
    return add_people(services.db, services.crypto, people, channel="sms")


def download(client: httpx.Client, base: str, fmt: str, flow: str = "egalite") -> httpx.Response:
    page = client.get(base + "/facilitator/exports")
    response = client.post(
        base + "/facilitator/exports/answers",
        data={"format": fmt, "flow": flow, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 200, response.text
    return response


def forbidden_strings(services) -> list[str]:
    with services.db.transaction() as session:
        found = []
        for p in session.scalars(select(Participant)):
            found += [p.key, services.crypto.decrypt(p.address_enc)]
    return [*found, "06 12 34 56 78", "marie.d@example.org"]


def test_every_format_opens_and_holds_no_address_or_key(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    secrets = forbidden_strings(services)
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        files = {fmt: download(client, live.url, fmt).content for fmt in
                 ("csv", "xlsx", "json", "floip")}  # fmt: skip
    for fmt, content in files.items():
        blobs = [content]
        if fmt in ("xlsx", "floip"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                blobs = [archive.read(name) for name in archive.namelist()]
        for blob in blobs:
            for secret in secrets:
                assert secret.encode() not in blob, (fmt, secret)

    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert len(rows) == 6
    assert list(rows[0])[:7] == [
        "respondent",
        "flow_version",
        "channel",
        "status",
        "date",
        "easy",
        "assisted",
    ]
    assert {
        "age",
        "commune",
        "genre",
        "egalite_travail",
        "lieux",
        "priorite",
        "priorite_theme",
        "volontaire",
        "suivi",
    } <= set(rows[0])
    assert rows[0]["priorite"] == "Plus de crèches. Appelez-moi au [numéro masqué] ou [adresse masquée]"
    assert rows[0]["lieux"] == "travail,rue" and rows[0]["channel"] == "sms"
    assert rows[5]["priorite"] == "'=1+2"  # never run as a formula
    assert len({r["respondent"] for r in rows}) == 6

    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    sheet = book["egalite"]
    values = list(sheet.values)
    assert values[0][0] == "respondent" and len(values) == 7
    priorite = values[0].index("priorite")
    assert values[6][priorite] == "=1+2"
    assert sheet.cell(row=7, column=priorite + 1).data_type == "s"

    data = json.loads(files["json"])
    assert data["flows"][0]["id"] == "egalite"
    assert len(data["flows"][0]["respondents"]) == 6
    assert data["flows"][0]["respondents"][0]["age"] == "30-44"

    with zipfile.ZipFile(io.BytesIO(files["floip"])) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        responses = json.loads(archive.read("responses.json"))
    jsonschema.validate(descriptor, FLOIP_SCHEMA)
    jsonschema.validate(responses, ROW_SCHEMA)
    questions = descriptor["resources"][0]["schema"]["questions"]
    assert questions["age"]["type"] == "select_one"
    assert "75+" in questions["age"]["type_options"]["choices"]
    assert questions["lieux"]["type"] == "select_many"
    assert questions["priorite"]["type"] == "open"
    lieux = [r for r in responses if r[3] == "lieux"]
    assert lieux[0][4] == ["travail", "rue"]
    assert all(r[0].endswith("+00:00") for r in responses)
    assert len({r[1] for r in responses}) == len(responses)

    with services.db.transaction() as session:
        entries = [(e.actor, e.action, e.detail) for e in session.scalars(select(AuditEntry))
                   if e.action == "export"]  # fmt: skip
    assert [d["format"] for _a, _b, d in entries] == ["csv", "xlsx", "json", "floip"]
    assert all(a == "anne@example.org" and d["flows"] == ["egalite"] for a, _b, d in entries)


def test_respondent_numbers_cannot_join_two_exports(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        first, second = (download(client, live.url, "csv").content for _ in range(2))
    ids = [{r["respondent"] for r in csv.DictReader(io.StringIO(f.decode("utf-8-sig")))}
           for f in (first, second)]  # fmt: skip
    assert ids[0].isdisjoint(ids[1])


def test_bad_export_requests_are_refused_clearly(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/exports")
        token = csrf_of(page.text)
        bad = client.post(
            live.url + "/facilitator/exports/answers",
            data={"format": "pdf", "flow": "egalite", "csrf_token": token},
        )
        assert bad.status_code == 400 and "unknown format" in bad.text
        unknown = client.post(
            live.url + "/facilitator/exports/answers",
            data={"format": "csv", "flow": "nope", "csrf_token": token},
        )
        assert unknown.status_code == 400 and "unknown flow" in unknown.text


def test_aggregate_export_hides_small_groups(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        token = csrf_of(client.get(live.url + "/facilitator/exports").text)
        response = client.post(
            live.url + "/facilitator/exports/aggregates",
            data={"flow": "egalite", "csrf_token": token},
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        ages = {r[1]: r[2] for r in rows if r[0] == "Quel âge avez-vous ?"}
        # The 30-44 band is hidden too, or the lone 15-29 would follow from the total.
        assert ages["30 à 44 ans"] == "masqué" and ages["15 à 29 ans"] == "< 5"
        filtered = client.post(
            live.url + "/facilitator/exports/aggregates",
            data={"flow": "egalite", "commune": "vitry", "csrf_token": token},
        )
        assert "moins de 5 personnes" in filtered.content.decode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "floip"])
def test_cli_export_writes_the_file_and_audits_it(services, monkeypatch, tmp_path, fmt) -> None:
    seed(services)
    monkeypatch.setenv("DATABASE_URL", services.db.url)
    monkeypatch.setenv("PORTE_VOIX_CONFIG", str(write_config(tmp_path, services)))
    output = tmp_path / f"answers.{fmt}"
    result = CliRunner().invoke(
        main, ["export", "answers", "--format", fmt, "--flow", "egalite", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert output.stat().st_size > 100
    with services.db.transaction() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
        assert entry is not None and entry.actor == "cli" and entry.detail["format"] == fmt
    refused = CliRunner().invoke(main, ["export", "answers", "--flow", "nope", "--output", str(output)])
    assert refused.exit_code != 0 and "unknown flow" in refused.output


def write_config(tmp_path, services):
    path = tmp_path / "config.yml"
    path.write_text(f"flows_dir: {services.settings.flows_dir}\ndefault_flow: egalite\n")
    return path
