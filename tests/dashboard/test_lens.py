"""The lens: pages and the figures' CSV filter by participation, reading mode, channel."""

from __future__ import annotations

import csv
import dataclasses
import html
import io

import httpx

from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people
from tests.dashboard.test_privacy import row


def person(egalite: str, participation: str) -> dict[str, str]:
    return {"age": "30-44", "genre": "femme", "egalite_travail": egalite, "vie_publique": participation}


def seed(services) -> None:
    """On Telegram 6 regulars say yes and 5 say "un peu"; 7 on SMS in easy-read rarely take part."""
    add_people(services.db, services.crypto, [person("oui", "souvent")] * 6)
    add_people(services.db, services.crypto, [person("non", "rarement")] * 7, channel="sms", easy=True)
    add_people(services.db, services.crypto, [person("un_peu", "parfois")] * 5)
    add_people(services.db, services.crypto, [person("un_peu", "parfois")] * 2, channel="voice")


def test_questions_page_filters_by_participation_reading_and_channel(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/questions").text
        for label in ("Participation à la vie publique", "Lecture", "Canal", "Audio",
                      "Aide d'une personne"):  # fmt: skip
            assert f">{label}</label>" in html.unescape(page)
        for params in ({"participation": "rarement"}, {"lecture": "facile"}, {"canal": "sms"}):
            filtered = client.get(live.url + "/facilitator/questions", params=params).text
            assert "Filtre actif : 7 personnes" in html.unescape(filtered), params
            assert row(filtered, "Non") == "7" and row(filtered, "Oui") == "0"


def test_a_lens_filter_that_isolates_a_small_group_is_refused(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        few = client.get(live.url + "/facilitator/questions", params={"canal": "voice"}).text
        assert "Ce filtre concerne moins de 5 personnes" in html.unescape(few) and "<table>" not in few
        # 5 people take part sometimes on Telegram: without the channel, 2 callers are added,
        # and comparing the two pages would show their answers.
        both = client.get(live.url + "/facilitator/questions",
                          params={"canal": "telegram", "participation": "parfois"}).text  # fmt: skip
        assert "Sans le critère « Canal », moins de 5 personnes" in html.unescape(both)
        assert "<table>" not in both


def test_figures_csv_follows_the_lens_and_refuses_small_groups(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        token = csrf_of(client.get(live.url + "/facilitator/exports").text)

        def figures(**filters: str) -> list[list[str]]:
            data = {"flow": "egalite", "csrf_token": token, **filters}
            response = client.post(live.url + "/facilitator/exports/aggregates", data=data)
            return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

        rows = figures(lecture="facile")
        work = {r[1]: r[2] for r in rows if r[0].startswith("Au travail")}
        assert work["Non"] == "7" and work["Oui"] == "0"
        refused = figures(canal="telegram", participation="parfois")
        assert refused[1][0] == "(filtre refusé)" and "« Canal »" in refused[1][1]
        assert not any(r[0].startswith("Au travail") for r in refused)


def test_audio_and_helped_select_the_people_who_listened_or_were_helped(services) -> None:
    from sqlalchemy import update

    from dashboard.config import dashboard_config
    from dashboard.figures import select_people
    from storage.models import Answer, Participant
    from storage.small_groups import SmallGroups

    listened = add_people(services.db, services.crypto, [person("non", "rarement")] * 6)
    helped = add_people(services.db, services.crypto, [person("oui", "souvent")] * 5, channel="kiosk")
    add_people(services.db, services.crypto, [person("oui", "souvent")] * 8)
    with services.db.transaction() as session:
        session.execute(update(Participant).where(Participant.id.in_(listened)).values(audio=True))
        session.execute(update(Answer).where(Answer.participant_id.in_(helped), Answer.result == "age")
                        .values(assisted=True))  # fmt: skip
    config = dataclasses.replace(dashboard_config(services.settings), groups=SmallGroups(5))
    with services.db.transaction() as session:
        assert select_people(session, config, {"audio": "oui"}).size == 6
        assert select_people(session, config, {"aide": "oui"}).size == 5
        assert select_people(session, config, {"aide": "non", "canal": "kiosk"}).refused
        assert select_people(session, config, {"audio": "non", "aide": "non"}).size == 8


def test_the_overview_follows_the_lens(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        everyone = html.unescape(client.get(live.url + "/facilitator/").text)
        assert "<strong>20</strong> personnes ont participé" in everyone
        easy = html.unescape(client.get(live.url + "/facilitator/", params={"lecture": "facile"}).text)
        assert "Filtre actif : 7 personnes" in easy and "<strong>7</strong> ont terminé" in easy
        assert row(easy, "Facile à lire (FALC)") == "7"
        few = html.unescape(client.get(live.url + "/facilitator/", params={"canal": "voice"}).text)
        assert "Ce filtre concerne moins de 5 personnes" in few and "ont terminé" not in few
