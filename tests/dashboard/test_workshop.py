"""The workshop pack: an agenda over the configured days from what people said, a page and a tagged PDF."""

from __future__ import annotations

import html
import io
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.settings import Settings, SettingsError
from dashboard.workshop import WorkshopConfig
from flows.loader import DEFINITIONS
from storage import proposals
from storage.dashboard_models import AuditEntry
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people

PAGE = "/facilitator/atelier"
LUMIERE = ["Plus de lumière dans les rues la nuit", "éclairer mieux les rues la nuit",
           "des lampadaires dans les rues, la nuit c'est trop sombre"]  # fmt: skip
CRECHES = ["Des crèches ouvertes le soir pour les mères seules", "il faudrait des creches ouverte le soir",
           "ouvrir les crèches plus tard le soir pour les mamans qui travaillent"]  # fmt: skip
SALAIRES = ["L'égalité des salaires entre hommes et femmes", "meme salaire pour les femmes et les hommes",
            "salaire egal femme homme svp"]  # fmt: skip
CAF = ["Les papiers de la CAF sont trop compliqués pour moi",
       "les papiers de la caf c'est trop compliqué, appelez-moi au 06 12 34 56 78",
       "personne m'aide pour les papiers de la CAF"]  # fmt: skip
BUS = "Plus de bus le dimanche"
PHONE = "06 12 34 56 78"


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    """A flows directory holding the shipped campaign flow (spec 3: opinion and profile questions)."""
    directory = tmp_path / "flows"
    directory.mkdir()
    (directory / "egalite.yml").write_text((DEFINITIONS / "egalite.yml").read_text(encoding="utf-8"))
    return directory


@pytest.fixture
def workshop() -> dict[str, Any]:
    """The test's own `workshop:` section (empty: the shipped one)."""
    return {}


@pytest.fixture
def settings(settings: Settings, workshop: dict[str, Any]) -> Settings:
    """Test settings with the test's `workshop:` section laid over the shipped one."""
    return replace(settings, raw={**settings.raw, "workshop": workshop})


def seed(services: Any) -> None:
    """90 residents: 50 women, 40 men; 23 rarely take part (they write about the CAF's papers).

    Half the women are afraid in the street at night, 3 men are: a divide by gender. Lights in
    the street: 12 men and 3 women; crèches: 20 women; wages: 12; the CAF: 10; buses: 3 people.
    """
    people: list[dict[str, str]] = []
    for genre, size in (("femme", 50), ("homme", 40)):
        for i in range(size):
            people.append({
                "genre": genre, "age": ("15-29", "30-44", "45-59", "60-74")[i % 4],
                "securite_soir": "peur" if (i * 7) % size < (25 if genre == "femme" else 3) else "confiance",
                "vie_publique": "rarement" if i % 4 == 0 and i < 50 else ("souvent", "parfois")[i % 2],
                "themes_dehors": "espace_public",
            })  # fmt: skip
    women, men = people[:50], people[50:]
    rarely = [p for p in people if p["vie_publique"] == "rarement"]
    said = ([(p, LUMIERE) for p in men[1:13]] + [(p, LUMIERE) for p in women[1:4]]
            + [(p, CRECHES) for p in women[5:50:2][:20]] + [(p, SALAIRES) for p in men[14:26]]
            + [(p, CAF) for p in rarely[:10]] + [(p, [BUS]) for p in men[30:33]])  # fmt: skip
    for n, (person, texts) in enumerate(said):
        person["priorite"] = texts[n % len(texts)]
        person["priorite_theme"] = "acces_aux_droits" if texts is CAF else "espace_public"
    add_people(services.db, services.crypto, people)


def plain(page: str) -> str:
    """Return a page's text, tags dropped and spaces collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def main_of(page: str) -> str:
    """Return the HTML of a page's main content."""
    return page.split('<main id="contenu" tabindex="-1">')[1].split("</main>")[0]


def shape(client: httpx.Client, base: str, services: Any) -> None:
    """Group the free texts into proposals, then name and rank two of them, as a facilitator does."""
    token = csrf_of(client.get(base + "/facilitator/proposals").text)

    def post(path: str, value: str = "") -> None:
        response = client.post(base + "/facilitator/proposals" + path,
                               data={"csrf_token": token, "value": value})  # fmt: skip
        assert response.status_code == 303, response.text

    post("/group")
    with services.db.transaction() as session:
        found = {p.texts[0].text: p.id for p in proposals.listed(session, "egalite")}
    ids = {name: next(i for text, i in found.items() if text in texts)
           for name, texts in (("lumiere", LUMIERE), ("creches", CRECHES))}  # fmt: skip
    post(f"/{ids['lumiere']}/rename", "Éclairer les rues la nuit")
    post(f"/{ids['lumiere']}/rank", "1")
    post(f"/{ids['creches']}/rename", "Des crèches ouvertes le soir")
    post(f"/{ids['creches']}/rank", "2")


def headings(page: str, level: int) -> list[str]:
    """Return the text of a page's headings of one level, in order."""
    return [plain(h) for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", page, re.S)]


def topic(content: str, heading: str) -> str:
    """Return the text of one topic of a session, from its heading to the next heading."""
    return plain(re.split(r"<h[1-4]", content.split(f"<h4>{html.escape(heading)}</h4>")[1])[0])


def test_the_pack_opens_with_the_people_far_from_public_life_then_the_ranked_priorities(
    live: LiveServer, services: Any
) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=60) as client:
        login(client, live.url, "anne@example.org")
        shape(client, live.url, services)
        page = client.get(live.url + PAGE).text
        assert 'href="/facilitator/atelier" aria-current="page"' in page  # in the navigation
        content = main_of(page)
        text = plain(content)

    assert headings(content, 2)[:7] == [f"Jour {n}" for n in range(1, 8)]
    sessions = headings(content, 3)
    assert len(sessions) == 14  # 7 days, morning and afternoon
    assert sessions[0].startswith("Jour 1, matin (180 minutes) — Ouverture : la parole des personnes qui "
                                  "participent rarement ou jamais")  # fmt: skip
    assert sessions[-2].startswith("Jour 7, matin") and "Écrire les recommandations" in sessions[-2]
    assert "Relire et adopter les recommandations" in sessions[-1]
    opening = text.split(sessions[0])[1].split(sessions[1])[0]
    assert "23 personnes disent participer rarement ou jamais" in opening
    assert "Les papiers de la CAF" in opening and "Rarement ou jamais (23 personnes)" in opening
    assert "crèches" not in opening.lower()  # no one who rarely takes part asked for them

    # The priorities in the facilitators' rank, each with its count, who said it, and quotes.
    topics = headings(content, 4)
    first, second = topics.index("Priorité 1 : Éclairer les rues la nuit"), topics.index(
        "Priorité 2 : Des crèches ouvertes le soir")
    others = [i for i, t in enumerate(topics) if t.startswith("Proposition : ")]
    assert first < second < min(others)
    lights = topic(content, "Priorité 1 : Éclairer les rues la nuit")
    assert "Dit par 15 personnes." in lights
    # 3 women are a small group; the 12 men would give them away by subtraction from 15.
    assert "Genre : Une femme < 5" in lights and "Genre : Un homme masqué" in lights
    assert "« Plus de lumière dans les rues la nuit »" in lights
    creches = topic(content, "Priorité 2 : Des crèches ouvertes le soir")
    assert "Dit par 20 personnes." in creches and "Genre : Une femme 20" in creches

    # The divide to debate, in a sentence with counts; the small group of men is not counted.
    assert "25 femmes sur 50 ont répondu « J'ai peur », moins de 5 hommes sur 40." in text
    assert any(t.startswith("Débat : ") for t in topics)
    # Room to spare: the sessions left say they are free for work in small groups.
    assert any("Temps libre : travail en petits groupes" in s for s in sessions if s.startswith("Jour 6"))

    # Nothing under k is shown as a count; a small group's proposal is not on the programme.
    assert not re.search(r"<td>[1-4]</td>", content)
    assert not re.search(r"\b[1-4] (personnes|femmes|hommes)\b", text)
    assert BUS not in text and "1 proposition de moins de 5 personnes" in text
    assert PHONE not in text and "Les papiers de la CAF" in text  # quotes are masked


@pytest.mark.parametrize("workshop", [{"days": 3}])
def test_the_number_of_days_comes_from_the_config(live: LiveServer, services: Any) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=60) as client:
        login(client, live.url, "anne@example.org")
        shape(client, live.url, services)
        content = main_of(client.get(live.url + PAGE).text)
        assert client.get(live.url + PAGE, params={"flow": "inconnu"}).status_code == 404
    assert headings(content, 2) == ["Jour 1", "Jour 2", "Jour 3", "Ce qui n'a pas trouvé de place"]
    days = [s.split(",")[0] for s in headings(content, 3)]
    assert days == ["Jour 1", "Jour 1", "Jour 2", "Jour 2", "Jour 3", "Jour 3"]
    assert "Écrire les recommandations" in headings(content, 3)[-2]
    assert "Ces sujets n'ont pas de séance" not in plain(content)  # only the small proposal is left out


@pytest.mark.parametrize("workshop", [{"days": 3, "sessions": [{"name": "Journée", "minutes": 90}]}])
def test_what_does_not_fit_is_listed_never_dropped(live: LiveServer, services: Any) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=60) as client:
        login(client, live.url, "anne@example.org")
        shape(client, live.url, services)
        content = main_of(client.get(live.url + PAGE).text)
    sessions = headings(content, 3)
    assert [s.split(" — ")[1] for s in sessions] == [
        "Ouverture : la parole des personnes qui participent rarement ou jamais",
        "Priorité 1 : Éclairer les rues la nuit", "Écrire les recommandations"]  # fmt: skip
    left = plain(content).split("Ce qui n'a pas trouvé de place")[1]
    assert "Priorité 2 : Des crèches ouvertes le soir — 20 personnes" in left
    assert "Débat : « " in left and "Proposition : " in left


def test_the_pdf_is_tagged_in_french_and_says_what_the_page_says(live: LiveServer, services: Any) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=120) as client:
        login(client, live.url, "anne@example.org")
        shape(client, live.url, services)
        page = client.get(live.url + PAGE).text
        began = time.perf_counter()
        response = client.get(live.url + PAGE + ".pdf")
        seconds = time.perf_counter() - began
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"
    title = "Programme de l'atelier — Atelier citoyen pour l'égalité femmes-hommes"
    assert reader.metadata is not None and reader.metadata.title == title
    tags = structure(root["/StructTreeRoot"])
    assert tags.index("/H1") < tags.index("/H2") < tags.index("/H3")
    assert {"/L", "/LI", "/Table", "/TH", "/TD"} <= set(tags)

    pages = [re.sub(r"\b\d+ / \d+\b", " ", p.extract_text()) for p in reader.pages]
    printed = " ".join(" ".join(pages).split())
    assert title in printed
    content = main_of(page).split('<p class="actions">')
    content = content[0] + content[1].split("</p>", 1)[1]  # the download link is for the screen only
    blocks = [plain(b) for b in re.findall(r"<(h[1-4]|p|caption|th|td)\b[^>]*>(.*?)</\1>", content, re.S)
              for b in [b[1]]]  # fmt: skip
    assert len(blocks) > 80
    missing = [b for b in blocks if b and b not in printed]
    assert not missing, missing[:5]
    assert PHONE not in printed
    print(f"workshop PDF: {len(response.content)} bytes, {len(reader.pages)} pages, {seconds:.2f} s")
    with services.db.transaction() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "workshop_pdf"))


def structure(node: Any) -> list[str]:
    """Return the structure types of a tagged PDF, in document order."""
    node = node.get_object()
    found = [str(node["/S"])] if "/S" in node else []
    kids = node.get("/K")
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    for kid in kids:
        if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
            found += structure(kid)
    return found


def test_a_stranger_gets_neither_the_page_nor_the_pdf(live: LiveServer, services: Any) -> None:
    seed(services)
    with httpx.Client(timeout=30) as client:
        for path in (PAGE, PAGE + ".pdf"):
            response = client.get(live.url + path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/facilitator/login")
            assert "%PDF" not in response.text and "CAF" not in response.text


@pytest.mark.parametrize(("section", "message"), [
    ({"days": 0}, "config.yml: workshop.days must be at least 1"),
    ({"sessions": []}, "config.yml: workshop.sessions must list at least one session"),
    ({"sessions": [{"name": "Matin", "minutes": 0}]},
     "config.yml: workshop.sessions.minutes must be at least 1"),
    ({"sessions": [{"name": "Matin"}]}, "config.yml: workshop.sessions.minutes is missing"),
    ({"days": 2, "writing_days": 3}, "config.yml: workshop.writing_days must be between 0 and days (2)"),
    ({"days": "sept"}, "config.yml: workshop.days has a wrong value"),
    ({"jours": 7}, "config.yml: unknown key workshop.jours"),
])  # fmt: skip
def test_a_wrong_workshop_section_is_refused_with_a_clear_message(
    settings: Settings, section: dict[str, Any], message: str
) -> None:
    wrong = replace(settings, raw={**settings.raw, "workshop": section})
    with pytest.raises(SettingsError) as refused:
        wrong.typed(WorkshopConfig)
    assert str(refused.value).startswith(message)


def test_the_shipped_workshop_is_the_reference_one(settings: Settings) -> None:
    shipped = settings.typed(WorkshopConfig)
    assert shipped.days == 7 and [s.name for s in shipped.sessions] == ["Matin", "Après-midi"]


def test_a_one_session_workshop_says_that_nothing_else_fits() -> None:
    from dashboard.divides import Divide, Group
    from dashboard.workshop import Material, SessionSpec, plan
    from storage.small_groups import Count

    split = Divide("securite_soir", "Le soir, comment vous sentez-vous ?", "genre", "peur", "J'ai peur",
                   (Group("femmes", 25, 50, 5), Group("hommes", 3, 40, 5)), 0.001, 0.4)  # fmt: skip
    material = Material("Égalité", Count(90), None, [], [], [split], 0)
    one = WorkshopConfig("Atelier", 1, 1, 90, (SessionSpec("Journée", 60),))
    pack = plan(material, one)
    assert [s.kind for d in pack.days for s in d.slots] == ["opening"]
    assert pack.writing_left_out and [t.heading for t in pack.left_out] == [
        "Débat : « Le soir, comment vous sentez-vous ? »"]  # fmt: skip
    two = plan(material, replace(one, days=2, writing_days=0))
    assert [s.kind for d in two.days for s in d.slots] == ["opening", "topics"] and not two.left_out


@pytest.mark.parametrize("workshop", [{"sessions": []}])
def test_the_dashboard_does_not_start_with_a_workshop_without_sessions(services: Any) -> None:
    from dashboard.routes import routes

    with pytest.raises(SettingsError, match=r"workshop\.sessions must list at least one session"):
        routes(services)
