"""The small-group rule: 4 people in one commune never show up as a figure."""

from __future__ import annotations

import html
import re

import httpx

from storage.small_groups import SmallGroups
from tests.dashboard.conftest import LiveServer, add_account, login
from tests.dashboard.seed import add_people


def person(commune: str, genre: str = "femme", egalite: str = "non") -> dict[str, str]:
    return {
        "age": "30-44",
        "commune": commune,
        "genre": genre,
        "egalite_travail": egalite,
        "lieux": "travail,rue",
        "volontaire": "oui",
        "suivi": "oui",
    }


def seed(services) -> None:
    people = [person("creteil")] * 6 + [person("vitry", "homme", "oui")] * 7
    people += [person("ivry", egalite="un_peu")] * 4
    add_people(services.db, services.crypto, people)


def row(page: str, label: str) -> str:
    """Return the text of the table row headed by a label."""
    found = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert found, label
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_suppress_hides_small_groups_and_their_complement() -> None:
    cells = SmallGroups(5).table([("a", "A", 6), ("b", "B", 7), ("c", "C", 4), ("d", "D", 0)])
    assert [c.count.value for c in cells] == [None, 7, None, 0]
    multi = SmallGroups(5).choices([("a", "A", 6), ("c", "C", 4)], None)
    assert [c.count.value for c in multi] == [6, None]


def test_commune_of_four_people_is_hidden(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/questions").text
        assert row(page, "Ivry-sur-Seine") == "< 5"
        # Créteil is hidden too, or Ivry's 4 would follow from the total of 17.
        assert row(page, "Créteil") == "masqué"
        assert row(page, "Vitry-sur-Seine") == "7"
        assert "17 personnes ont répondu" in html.unescape(page)

        filtered = client.get(live.url + "/facilitator/questions", params={"commune": "ivry"}).text
        assert "les résultats sont masqués" in html.unescape(filtered)
        assert "<table>" not in filtered

        creteil = client.get(live.url + "/facilitator/questions", params={"commune": "creteil"})
        assert "Filtre actif : 6 personnes" in html.unescape(creteil.text)
        assert row(creteil.text, "Non") == "6"

        # An answer given by 4 people of a filtered group is hidden as well.
        women = client.get(live.url + "/facilitator/questions", params={"genre": "femme"}).text
        assert row(women, "Un peu") == "< 5"
        assert row(women, "Non") == "masqué"


def test_free_text_commune_filter_lists_only_large_groups(services, tmp_path) -> None:
    """With the real egalite flow, where the commune is typed, small communes are never listed."""
    from dataclasses import replace
    from pathlib import Path

    from dashboard.config import dashboard_config, load_flows
    from dashboard.figures import profile_options
    from dashboard.themes import themes
    from storage.small_groups import SmallGroups

    flows = load_flows(Path(__file__).resolve().parents[2] / "flows" / "definitions")
    flow = flows["egalite"]
    people = [{"commune": "Créteil", "priorite": "Des crèches", "priorite_theme": "travail"}] * 5
    people += [{"commune": "Orly", "priorite": "Des crèches", "priorite_theme": "travail"}] * 2
    add_people(services.db, services.crypto, people)
    config = dashboard_config(replace(services.settings, raw={}))
    with services.db.transaction() as session:
        options = profile_options(flow, config, session)
        assert options["commune"] == [("Créteil", "Créteil")]
        assert [k for k, _ in options["age"]] == ["15-29", "30-44", "45-59", "60-74", "75+"]
        found = themes(session, flow, None, SmallGroups(5), profile=config.profile_results.values())
    assert [(t.key, t.count.value) for t in found] == [("travail", 7)]  # communes are not themes


def test_je_ne_sais_pas_is_counted_like_any_other_answer(live: LiveServer, services) -> None:
    people = [person("creteil", egalite="nsp")] * 6 + [person("vitry", "homme", "oui")] * 7
    add_people(services.db, services.crypto, people)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/questions").text
        assert row(page, "Je ne sais pas") == "6"
        assert "13 personnes ont répondu" in html.unescape(page)
