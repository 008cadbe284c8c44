"""Themes with quotes, the safety queue, and who we heard against the reference."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from dashboard.quotes import representative
from storage.models import SafetyFlag
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_flag, add_people
from tests.faults.platforms import FakeTwilioApi
from tests.faults.server import ACCOUNT_SID, AUTH_TOKEN


def text(response: httpx.Response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


def test_representative_quotes_are_typical_distinct_and_masked() -> None:
    texts = [
        "Des crèches ouvertes plus tard le soir pour les parents qui travaillent",
        "Des crèches ouvertes plus tard le soir pour les parents qui travaillent !",
        "Plus de places en crèche pour les parents qui travaillent tard",
        "Je ne sais pas",
        "Appelez-moi au 0612345678 pour les crèches des parents",
    ]
    picked = representative(texts, 3)
    assert picked[0].startswith("Des crèches ouvertes")
    assert sum(p.startswith("Des crèches ouvertes") for p in picked) == 1
    assert all("0612345678" not in p for p in picked)


def test_themes_rank_people_and_hide_small_themes(live: LiveServer, services) -> None:
    people = [
        {
            "priorite": f"Égalité des salaires entre femmes et hommes, cas {i}",
            "priorite_theme": "travail",
            "commune": "creteil",
        }
        for i in range(7)
    ]
    people += [
        {
            "priorite": "Éclairer la rue le soir",
            "priorite_theme": "espace_public",
            "commune": "vitry",
        }
    ] * 3
    add_people(services.db, services.crypto, people)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = text(client.get(live.url + "/facilitator/themes"))
        assert "Travail et salaires (7 personnes)" in page
        assert "« Égalité des salaires entre femmes et hommes" in page
        assert "Espace public et transports (< 5 personnes)" in page
        assert "Éclairer la rue" not in page
        filtered = text(client.get(live.url + "/facilitator/themes", params={"commune": "vitry"}))
        assert "les résultats sont masqués" in filtered and "Éclairer" not in filtered


def test_safety_flag_is_marked_handled(live: LiveServer, services) -> None:
    [pid] = add_people(services.db, services.crypto, [{"age": "30-44"}])
    flag = add_flag(services.db, pid, "Mon conjoint me menace")
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/safety")
        assert "À traiter (1)" in html.unescape(page.text) and "Mon conjoint me menace" in page.text
        done = client.post(
            live.url + f"/facilitator/safety/{flag}/handled",
            data={"csrf_token": csrf_of(page.text)},
            follow_redirects=True,
        )
        assert "À traiter (0)" in html.unescape(done.text)
        again = client.post(
            live.url + f"/facilitator/safety/{flag}/handled",
            data={"csrf_token": csrf_of(page.text)},
        )
        assert again.status_code == 404
    with services.db.transaction() as session:
        stored = session.scalar(select(SafetyFlag))
        assert stored is not None and stored.handled_by == "anne@example.org"


def test_who_we_heard_compares_with_insee_and_accepts_an_upload(live: LiveServer, services) -> None:
    people = [{"age": "15-29", "genre": "femme"}] * 10 + [{"age": "60-74", "genre": "homme"}] * 10
    people += [{"age": "45-59", "genre": "homme"}] * 6 + [{"age": "75+", "genre": "femme"}] * 2
    add_people(services.db, services.crypto, people)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/heard")
        body = text(page)
        assert "Insee, recensement de la population 2020 (RP2020), Val-de-Marne" in body
        # 15-29: 281,445 of 1,135,498 residents aged 15+ = 25 %; heard 10 of 28 = 36 %.
        assert "15 à 29 ans 10 36 % 25 %" in body
        # 75+ (2 people) is hidden, and 45-59 with it, or 2 would follow from the total.
        assert "45 à 59 ans masqué masqué 24 %" in body
        assert "30 à 44 ans 0 0 % 26 %" in body
        assert "75 ans et plus < 5 masqué 9 %" in body
        assert "Les voix qui manquent" in body and "30 à 44 ans" in body.split("Les voix qui manquent")[1]
        token = csrf_of(page.text)
        bad = client.post(
            live.url + "/facilitator/heard",
            data={"csrf_token": token, "source": "x"},
            files={"file": ("ref.csv", b"feature,value\ngenre,femme\n", "text/csv")},
        )
        assert bad.status_code == 400 and "feature,value,population" in html.unescape(bad.text)
        good = client.post(
            live.url + "/facilitator/heard",
            data={"csrf_token": token, "source": "Insee RP2020 sexe"},
            files={
                "file": (
                    "ref.csv",
                    b"feature,value,population\ngenre,femme,600000\ngenre,homme,535498\n",
                    "text/csv",
                )
            },
        )
        assert good.status_code == 200
        body = text(good)
        assert "Une femme 12 43 % 53 %" in body
        assert "Insee RP2020 sexe" in body and "15 à 29 ans 10 36 % 25 %" in body


def test_admin_erases_a_flow_and_expired_people(live: LiveServer, services) -> None:
    from datetime import UTC, datetime

    from storage.models import Answer, Participant, utcnow

    add_people(services.db, services.crypto, [{"age": "30-44"}] * 3, start=utcnow())
    add_people(services.db, services.crypto, [{"age": "15-29"}] * 2,
               start=datetime(2020, 1, 1, tzinfo=UTC))  # fmt: skip
    with services.db.transaction() as session:
        for person in session.scalars(select(Participant)):
            person.last_seen_at = person.created_at
    add_account(services.db, "root@example.org", "admin")
    with httpx.Client() as client:
        login(client, live.url, "root@example.org")
        page = client.get(live.url + "/facilitator/erase")
        token = csrf_of(page.text)
        expired = client.post(live.url + "/facilitator/erase", data={"csrf_token": token, "what": "expired"})
        assert "2 personnes anonymisées" in text(expired)
        refused = client.post(live.url + "/facilitator/erase", data={
            "csrf_token": token, "what": "flow", "flow": "egalite", "confirm": "oops"})  # fmt: skip
        assert refused.status_code == 400
        done = client.post(
            live.url + "/facilitator/erase",
            data={"csrf_token": token, "what": "flow", "flow": "egalite", "confirm": "egalite"},
        )
        assert "5 parcours et 5 personnes effacés" in text(done)
    with services.db.transaction() as session:
        assert session.scalar(select(Participant)) is None
        assert session.scalar(select(Answer)) is None



@pytest.fixture
def twilio_api(services, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilioApi]:
    """Twilio's API faked on 127.0.0.1, configured for the dashboard (before `live` starts it)."""
    from dataclasses import replace

    api = FakeTwilioApi(callbacks=False)
    api.start()
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    twilio = {"twilio": {"api_base": api.url}}
    services.settings = replace(services.settings, raw={**services.settings.raw, **twilio})
    yield api
    api.stop()


def test_erasing_a_flow_deletes_its_recordings_at_twilio_first(
    twilio_api: FakeTwilioApi, services, live: LiveServer
) -> None:
    from storage.models import Answer

    recording = "RE" + "b" * 32
    spoken = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording}"
    twilio_api.recordings.add(recording)
    [pid] = add_people(services.db, services.crypto, [{"age": "30-44"}])
    with services.db.transaction() as session:
        answer = session.scalars(select(Answer).where(Answer.participant_id == pid)).first()
        answer.audio_ref = spoken
    add_account(services.db, "root@example.org", "admin")
    form = {"what": "flow", "flow": "egalite", "confirm": "egalite"}
    with httpx.Client() as client:
        login(client, live.url, "root@example.org")
        token = csrf_of(client.get(live.url + "/facilitator/erase").text)
        twilio_api.down = True
        refused = client.post(live.url + "/facilitator/erase", data={"csrf_token": token, **form})
        assert refused.status_code == 503 and "Rien n'a été effacé" in text(refused)
        with services.db.sessions() as session:
            assert session.scalar(select(Answer.audio_ref).where(Answer.audio_ref.is_not(None))) == spoken
        twilio_api.down = False
        done = client.post(live.url + "/facilitator/erase", data={"csrf_token": token, **form})
        assert "1 parcours et 1 personnes effacés" in text(done)
    assert twilio_api.deleted == [recording]
    with services.db.sessions() as session:
        assert session.scalar(select(Answer)) is None


def test_a_question_is_shown_to_facilitators_without_its_instructions() -> None:
    from dashboard.figures import question_label
    from flows.loader import load_directory

    egalite = load_directory()["egalite"]
    label = question_label(egalite.step("themes_quotidien"))
    assert label == "Dans votre vie, voyez-vous des différences entre les femmes et les hommes ?"
    priority = question_label(egalite.step("priorite"))
    assert priority.endswith("pour l'égalité entre les femmes et les hommes ?")
    assert question_label(egalite.step("genre")) == "Vous vous présentez comme :"  # no question mark: whole
