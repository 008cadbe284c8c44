"""Round two as facilitators meet it: writing and moderating statements, invitations, the analysis."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

from bot.channels.base import OutboundMessage
from storage import audit, round_two
from storage.models import OutboxMessage, Participant
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people

K = 20
PAGE = "/facilitator/round-two"


@pytest.fixture
def services(services: SimpleNamespace) -> SimpleNamespace:
    """The dashboard's services with a threshold of 20 (a group of 15 is small)."""
    raw = {**services.settings.raw, "privacy": {"min_group_size": K}}
    return SimpleNamespace(**{**vars(services), "settings": replace(services.settings, raw=raw)})


def plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def signed_in(live: LiveServer, services: SimpleNamespace) -> httpx.Client:
    add_account(services.db, "anne@example.org")
    client = httpx.Client(follow_redirects=True, timeout=30)
    login(client, live.url, "anne@example.org")
    return client


def post(client: httpx.Client, live: LiveServer, path: str, **data: str) -> httpx.Response:
    token = csrf_of(client.get(live.url + PAGE).text)
    return client.post(live.url + path, data={"csrf_token": token, **data})


def actions(services: SimpleNamespace) -> list[str]:
    with services.db.transaction() as session:
        return [entry.action for entry in reversed(audit.recent(session))]


def test_the_page_needs_a_facilitator_and_its_forms_a_csrf_token(
    live: LiveServer, services: SimpleNamespace
) -> None:
    response = httpx.get(live.url + PAGE, follow_redirects=False)
    assert response.status_code == 303 and "/facilitator/login" in response.headers["location"]
    client = signed_in(live, services)
    refused = client.post(live.url + PAGE + "/statements", data={"text": "A.", "easy": "A."})
    assert refused.status_code == 403
    with services.db.transaction() as session:
        assert round_two.listed(session) == []


def test_a_facilitator_writes_and_moderates_statements(live: LiveServer, services: SimpleNamespace) -> None:
    client = signed_in(live, services)
    written = post(client, live, PAGE + "/statements", text="Les crèches doivent ouvrir plus tard.",
                   easy="Les crèches ouvrent plus tard.")  # fmt: skip
    assert written.status_code == 200
    [person] = add_people(services.db, services.crypto, [{"suivi": "oui"}])
    with services.db.transaction() as session:
        kept = round_two.propose(session, person, "il faut plus de bancs dans les parcs", "deliberation")
        dropped = round_two.propose(session, person, "Une idée hors sujet.", "deliberation")
        kept_id, dropped_id = kept.id, dropped.id
    page = plain(client.get(live.url + PAGE).text)
    assert "à relire (2)" in page and "il faut plus de bancs dans les parcs" in page
    post(client, live, f"{PAGE}/statements/{kept_id}", action="approve",
         text="Il faut plus de bancs dans les parcs.", easy="Plus de bancs dans les parcs.")  # fmt: skip
    post(client, live, f"{PAGE}/statements/{dropped_id}", action="refuse")
    with services.db.transaction() as session:
        shown = [(s.text, s.easy) for s in round_two.listed(session, "approved")]
        refused = [s.text for s in round_two.listed(session, "refused")]
    assert shown == [("Les crèches doivent ouvrir plus tard.", "Les crèches ouvrent plus tard."),
                     ("Il faut plus de bancs dans les parcs.", "Plus de bancs dans les parcs.")]  # fmt: skip
    assert refused == ["Une idée hors sujet."]
    assert actions(services)[-3:] == ["statement_written", "statement_approved", "statement_refused"]
    page = plain(client.get(live.url + PAGE).text)
    assert "à relire (0)" in page and "Une idée hors sujet." not in page


def test_invitations_go_to_who_asked_for_news_on_their_channel_in_their_register(
    live: LiveServer, services: SimpleNamespace
) -> None:
    add_people(services.db, services.crypto, [{"suivi": "oui"}] * 3)
    add_people(services.db, services.crypto, [{"suivi": "oui"}] * 2, channel="sms", easy=True)
    add_people(services.db, services.crypto, [{"suivi": "oui"}] * 4, channel="kiosk")
    add_people(services.db, services.crypto, [{"suivi": "non"}] * 5)
    client = signed_in(live, services)
    page = plain(client.get(live.url + PAGE).text)
    assert "Borne" in page or "kiosk" in page.lower()
    assert "Non : proposez le deuxième tour sur la borne" in page
    post(
        client,
        live,
        PAGE + "/invite",
        text="Bonjour, le deuxième tour commence.",
        easy="Bonjour !\nVoici le deuxième tour.",
    )
    with services.db.transaction() as session:
        rows = session.execute(select(Participant.channel, OutboxMessage.payload).join(
            Participant, Participant.id == OutboxMessage.participant_id)).all()  # fmt: skip
    sent = sorted((channel, OutboundMessage.from_payload(payload).text) for channel, payload in rows)
    assert sent == [("sms", "Bonjour !\nVoici le deuxième tour.")] * 2 + [
        ("telegram", "Bonjour, le deuxième tour commence.")] * 3  # fmt: skip
    assert actions(services)[-1] == "round_two_invited"


def vote_in_groups(services: SimpleNamespace) -> None:
    """Votes of three groups of 40, 30 and 15 people; all agree with the first statement."""
    texts = ["Tout le monde est d'accord.", "Le groupe A aime ceci.", "Le groupe B aime cela.",
             "Le petit groupe aime ceci."] + [f"Idée {n}." for n in range(8)]  # fmt: skip
    with services.db.transaction() as session:
        ids = [round_two.write(session, t, t, "anne").id for t in texts]
    a = add_people(services.db, services.crypto, [{}] * 40)
    b = add_people(services.db, services.crypto, [{}] * 30)
    small = add_people(services.db, services.crypto, [{}] * 15)
    with services.db.transaction() as session:
        for people, likes, sign in ((a, 1, 1), (b, 2, -1), (small, 3, 1)):
            for pid in people:
                round_two.cast(session, pid, ids[0], "agree", "deliberation")
                round_two.cast(session, pid, ids[likes], "agree", "deliberation")
                for other in {1, 2, 3} - {likes}:
                    round_two.cast(session, pid, ids[other], "disagree", "deliberation")
                for index, sid in enumerate(ids[4:]):  # the small group votes as A on these
                    value = sign if index % 2 else -sign
                    round_two.cast(session, pid, sid, "agree" if value > 0 else "disagree", "deliberation")


def test_the_analysis_shows_groups_common_ground_and_hides_a_small_group(
    live: LiveServer, services: SimpleNamespace
) -> None:
    vote_in_groups(services)
    client = signed_in(live, services)
    page = client.get(live.url + PAGE + "/analysis").text
    text = plain(page)
    assert "Groupe A (40 personnes)" in text and "Groupe B (30 personnes)" in text
    assert "Groupe C" not in text and "1 groupe(s) de moins de 20 personnes ne sont pas montrés" in text
    common = text.split("Les points d'accord")[1].split("Les groupes d'opinion")[0]
    assert "Tout le monde est d'accord." in common and "Le groupe A aime ceci." not in common
    assert text.count("<svg") == 0 and page.count("<svg") >= 3  # the plot, the markers, the bars


def test_the_workshop_report_and_its_easy_read_version_tell_round_two(
    live: LiveServer, services: SimpleNamespace
) -> None:
    vote_in_groups(services)
    client = signed_in(live, services)
    report = plain(client.get(live.url + "/facilitator/report").text)
    section = report.split("Deuxième tour : ce qui rassemble et ce qui divise")[1]
    assert "85 personnes ont voté" in section and "2 groupe(s) d'opinion montrés" in section
    assert "Points d'accord entre tous les groupes Tout le monde est d'accord." in section
    easy = plain(client.get(live.url + "/facilitator/report/easy").text)
    assert "85 personnes ont donné leur avis sur les idées." in easy
    assert "Presque tout le monde est d'accord : Tout le monde est d'accord." in easy


def test_callers_and_kiosk_people_who_left_a_number_are_invited_by_sms(
    live: LiveServer, services: SimpleNamespace
) -> None:
    # A caller asked for news during a call; a kiosk visitor left a number for news. Both can be
    # reached later by SMS (as the report back reaches them): round two must invite them too.
    callers = add_people(services.db, services.crypto, [{"suivi": "oui"}] * 2, channel="voice")
    visitors = add_people(services.db, services.crypto, [{"suivi": "oui"}] * 2, channel="kiosk")
    with services.db.transaction() as session:
        for n, pid in enumerate(callers + visitors[:1]):
            session.get(Participant, pid).address_enc = services.crypto.encrypt(f"+3361234567{n}")  # type: ignore[union-attr]
    client = signed_in(live, services)
    post(client, live, PAGE + "/invite", text="Bonjour, le deuxième tour commence.",
         easy="Bonjour !\nVoici le deuxième tour.")  # fmt: skip
    with services.db.transaction() as session:
        rows = session.execute(select(OutboxMessage.participant_id, OutboxMessage.channel)).all()
    assert sorted(rows) == sorted([(pid, "sms") for pid in callers + visitors[:1]])
    page = plain(client.get(live.url + PAGE).text)
    assert "Non : proposez le deuxième tour sur la borne" in page  # the visitor who left no number
