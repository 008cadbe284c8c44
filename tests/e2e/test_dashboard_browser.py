"""A facilitator in Chromium: log in, read, filter, export, log out; axe-core on every page."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.dashboard.conftest import PASSWORD, LiveServer, add_account
from tests.dashboard.seed import add_flag, add_people
from tests.e2e.browser import assert_accessible

pytestmark = pytest.mark.browser


def seed(services: Any) -> None:
    base = {
        "egalite_travail": "non",
        "lieux": "travail,maison",
        "volontaire": "oui",
        "suivi": "oui",
    }
    people = []
    for index in range(24):
        people.append(
            {
                **base,
                "age": ("15-29", "30-44", "45-59", "60-74")[index % 4],
                "commune": ("creteil", "vitry")[index % 2],
                "genre": ("femme", "homme")[index % 3 == 0],
                "priorite": f"Des crèches ouvertes plus tard, numéro {index}",
                "priorite_theme": ("travail", "education", "violences")[index % 3],
            }
        )
    people += [{**base, "age": "75+", "commune": "ivry", "genre": "femme"}] * 3
    ids = add_people(services.db, services.crypto, people)
    add_people(services.db, services.crypto, people[:6], channel="voice", easy=True)
    add_flag(services.db, ids[0], "Mon mari me frappe")
    add_account(services.db, "root@example.org", "admin")


def log_in(page: Any, base: str) -> None:
    page.goto(base + "/facilitator/")
    assert page.url.startswith(base + "/facilitator/login")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill("root@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(base + "/facilitator/")


def export(page: Any, fmt_label: str, tmp_path: Path) -> Path:
    page.goto(page.url.split("/facilitator")[0] + "/facilitator/exports")
    page.get_by_label(fmt_label).check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger", exact=True).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_facilitator_session_in_chromium(browser, live: LiveServer, services, tmp_path) -> None:
    seed(services)
    context = browser.new_context(bypass_csp=True, accept_downloads=True, locale="fr-FR")
    page = context.new_page()
    log_in(page, live.url)

    # Overview: charts with the same figures as the tables.
    assert page.locator("svg.chart").count() == 3
    assert page.get_by_role("table", name="Participation par canal").is_visible()
    assert "Téléphone" in page.get_by_role("table", name="Participation par canal").inner_text()
    assert_accessible(page)

    # Questions, then a filter by commune that keeps enough people.
    page.get_by_role("link", name="Questions").click()
    assert page.locator("svg.chart").count() >= 4
    assert_accessible(page)
    page.get_by_label("Commune").select_option("creteil")
    page.get_by_role("button", name="Filtrer").click()
    assert "Filtre actif : 15 personnes" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_label("Commune").select_option("ivry")
    page.get_by_role("button", name="Filtrer").click()
    assert "les résultats sont masqués" in page.inner_text("main")
    assert_accessible(page)

    # Themes with quotes, the safety queue, who we heard.
    page.get_by_role("link", name="Thèmes").click()
    assert "« Des crèches ouvertes plus tard" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("link", name="Signalements").click()
    assert "Mon mari me frappe" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("button", name="Marquer comme traité").click()
    assert "À traiter (0)" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("link", name="Qui avons-nous entendu ?").click()
    assert "Les voix qui manquent" in page.inner_text("main")
    assert_accessible(page)

    # The workshop report and its easy-read version.
    page.get_by_role("link", name="Atelier").click()
    assert "Questions proposées pour le débat" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("link", name="Lire la synthèse facile à lire").click()
    assert "Merci d'avoir répondu !" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("link", name="Programme", exact=True).click()
    assert "Jour 7" in page.inner_text("main")
    assert_accessible(page)

    # Exports in each format, opened with their readers.
    rows = list(
        csv.DictReader(
            io.StringIO(
                export(page, "CSV (tableur, une ligne par personne)", tmp_path).read_text("utf-8-sig")
            )
        )
    )
    assert len(rows) == 33 and "respondent" in rows[0]
    assert_accessible(page)
    book = openpyxl.load_workbook(export(page, "Excel (une feuille par questionnaire)", tmp_path))
    assert book.sheetnames == ["egalite"] and book["egalite"].max_row == 34
    data = json.loads(export(page, "JSON", tmp_path).read_text("utf-8"))
    assert len(data["flows"][0]["respondents"]) == 33
    with zipfile.ZipFile(export(page, "Flow Results Package (FLOIP, fichier zip)", tmp_path)) as z:
        assert json.loads(z.read("datapackage.json"))["profile"] == "flow-results-package"

    # Draw a panel among the volunteers, invite it, then send feedback.
    page.get_by_role("link", name="Panel").click()
    assert_accessible(page)
    page.get_by_label("Nombre de personnes").fill("6")
    page.get_by_label("Quotas (CSV : feature,value,min,max)").fill(
        "feature,value,min,max\nage,15-29,1,2\nage,30-44,1,2\nage,45-59,1,2\nage,60-74,1,2\nage,75+,0,2\n"
    )
    page.get_by_role("button", name="Tirer au sort").click()
    assert "Dernier panel tiré (6 personnes)" in page.inner_text("main", timeout=60_000)
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer les invitations").click()
    invitations = page.locator("table", has_text="Invitations").inner_text()
    rows = [line.rsplit("\t", 1) for line in invitations.splitlines()[2:]]
    assert sum(int(n) for _label, n in rows) == 6  # every invitation has a state, with its reason
    assert not any(label.startswith("Envoy") for label, _n in rows)  # nothing went out: no sender here
    assert_accessible(page)
    page.get_by_role("link", name="Retours").click()
    page.get_by_role("link", name="Partir de la synthèse facile à lire").click()
    assert "Merci d'avoir répondu !" in page.get_by_label("Message (facile à lire").input_value()
    page.get_by_label("Message (texte standard)").fill("Vos idées ont été présentées au conseil.")
    assert_accessible(page)
    page.get_by_role("button", name="Voir l'aperçu").click()
    assert "il partira tout de suite vers" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Envoyer \(\d+ tout de suite, sur \d+ personnes\)$")).click()
    assert "En attente d'envoi" in page.inner_text("main")
    assert_accessible(page)

    # Every other page of the menu passes axe too.
    for name in ("Comptes", "Effacer", "Journal"):
        page.get_by_role("link", name=name, exact=True).click()
        assert_accessible(page)
    assert "export" in page.inner_text("main")

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(live.url + "/facilitator/login")
    page.goto(live.url + "/facilitator/questions")
    assert page.url.startswith(live.url + "/facilitator/login")
    context.close()
