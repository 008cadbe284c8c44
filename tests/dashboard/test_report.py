"""The workshop report: ranked themes with quotes, divisive questions, missing voices, PDF."""

from __future__ import annotations

import html
import io
import re
import time

import httpx
from pypdf import PdfReader
from sqlalchemy import select

from storage.dashboard_models import AuditEntry
from tests.dashboard.conftest import LiveServer, add_account, login
from tests.dashboard.seed import add_people

FLOW_TITLE = "Égalité femmes-hommes"


def seed(services) -> None:
    people = []
    for i in range(20):
        people.append({
            "age": "15-29" if i < 14 else "60-74", "genre": "femme",
            "egalite_travail": ("oui", "non")[i % 2],  # 50/50 in every group: no divide
            "volontaire": "oui" if i < 18 else "non",  # 90 %: does not divide
            "priorite": f"Des crèches ouvertes le soir pour les mères seules ({i})"
            if i < 12 else f"Plus de lumière dans les rues la nuit ({i})",
            "priorite_theme": "travail" if i < 12 else "espace_public",
        })  # fmt: skip
    add_people(services.db, services.crypto, people)


def plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_report_page_pdf_and_easy_read(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = plain(client.get(live.url + "/facilitator/report").text)
        themes = page.split("Ce que les personnes ont dit, par thème")[1]
        assert themes.index("Travail et salaires — 12 personnes") < themes.index(
            "Espace public et transports — 8 personnes"
        )
        assert "« Des crèches ouvertes le soir" in themes
        divide = page.split("Les questions qui divisent")[1].split("Les voix qui manquent")[0]
        # Split answers are no divide: every group splits the same way; the ages are a profile.
        assert "Aucune question d'opinion ne sépare nettement les groupes" in divide
        assert "âge" not in divide
        missing = page.split("Les voix qui manquent")[1].split("Questions proposées")[0]
        assert "30 à 44 ans" in missing and "15 à 29 ans" not in missing
        debate = page.split("Questions proposées pour le débat")[1]
        proposed = [q for q in re.split(r"(?<=\?) ", debate) if q.strip().endswith("?")]
        assert 5 <= len(proposed) <= 10
        assert "« Travail et salaires »" in debate

        began = time.perf_counter()
        pdf = client.get(live.url + "/facilitator/report.pdf")
        seconds = time.perf_counter() - began
        assert pdf.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(pdf.content))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert f"Synthèse pour l'atelier — {FLOW_TITLE}" in text
        assert "Travail et salaires — 12 personnes" in text and "Âge : 30 à 44 ans" in text
        assert "Des crèches ouvertes le soir" in text
        assert seconds < 30  # sanity only; generation time is printed, not asserted tightly
        print(f"report PDF: {len(pdf.content)} bytes, {len(reader.pages)} pages, {seconds:.2f} s")

        easy = client.get(live.url + "/facilitator/report/easy").text
        lines = re.findall(r"<p>(.*?)</p>", easy.split('class="easy"')[1])
        lines = [html.unescape(line) for line in lines]
        assert lines[0] == "Merci d'avoir répondu !" and "20 personnes ont répondu." in lines
        assert "- Travail et salaires" in lines
        for line in lines:
            assert len(line.split()) <= 15, line
            assert "%" not in line
    with services.db.transaction() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "report_pdf"))


def test_a_spec_2_flow_never_divides_on_the_dashboard_s_profile_answers(live: LiveServer, services) -> None:
    """The test campaign flow is spec 2: its age question defaults to an opinion, and is not one."""
    women = [{"genre": "femme", "age": "15-29", "egalite_travail": "non"}] * 20
    men = [{"genre": "homme", "age": "60-74", "egalite_travail": "oui"}] * 20
    add_people(services.db, services.crypto, women + men)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = plain(client.get(live.url + "/facilitator/report").text)
        divides = page.split("Les questions qui divisent")[1].split("Les voix qui manquent")[0]
        assert "20 hommes sur 20 ont répondu « Oui », personne parmi les 20 femmes." in divides
        assert "Quel âge" not in divides and "Vous êtes" not in divides
