"""Recruitment by sortition and feedback, both sent through the outbox."""

from __future__ import annotations

import html
import re
from collections import Counter

import httpx
from sqlalchemy import select, update

from bot.channels.base import OutboundMessage
from storage.dashboard_models import Panel, PanelMember
from storage.models import Answer, OutboxMessage, Participant, utcnow
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people

AGES = ("15-29", "30-44", "45-59", "60-74")
QUOTAS = "feature,value,min,max\nage,15-29,1,2\nage,30-44,1,2\nage,45-59,1,2\nage,60-74,1,2\nage,75+,0,1\n"


class FakeDispatcher:
    """Records what the dashboard asks to send, like the lead's Dispatcher.dispatch."""

    def __init__(self, db) -> None:
        self.db, self.calls = db, []

    async def dispatch(self, outbox_ids: list[int]) -> None:
        self.calls.append(list(outbox_ids))


def seed(services) -> None:
    people = [{"age": AGES[i % 4], "genre": ("femme", "homme")[i % 2], "volontaire": "oui",
               "suivi": "oui" if i % 3 else "non"} for i in range(24)]  # fmt: skip
    add_people(services.db, services.crypto, people)
    add_people(services.db, services.crypto, people[:6], channel="sms", easy=True,
               start=utcnow())  # fmt: skip
    add_people(services.db, services.crypto, [{"age": "30-44", "volontaire": "non"}] * 5)
    with services.db.transaction() as session:  # one volunteer said STOP
        session.execute(update(Participant).where(Participant.id == 1).values(opted_out_at=utcnow()))
    add_account(services.db, "anne@example.org")


def plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def draw(client, base, size="6", seed="42", quotas=QUOTAS) -> httpx.Response:
    token = csrf_of(client.get(base + "/facilitator/panel").text)
    return client.post(
        base + "/facilitator/panel/draw",
        follow_redirects=True,
        data={"csrf_token": token, "size": size, "seed": seed, "quotas": quotas},
    )


def members(services) -> list[int]:
    with services.db.transaction() as session:
        panel = session.scalar(select(Panel).order_by(Panel.id.desc()))
        assert panel is not None
        return sorted(
            session.scalars(select(PanelMember.participant_id).where(PanelMember.panel_id == panel.id))
        )


def test_panel_is_drawn_under_quotas_reproducibly_and_invited(live: LiveServer, services) -> None:
    seed(services)
    services.dispatcher = FakeDispatcher(services.db)
    with httpx.Client(timeout=120) as client:
        login(client, live.url, "anne@example.org")
        assert "Volontaires (29)" in plain(client.get(live.url + "/facilitator/panel").text)
        page = draw(client, live.url)
        assert "Dernier panel tiré (6 personnes)" in plain(page.text)
        first = members(services)
        with services.db.transaction() as session:
            ages = Counter(
                session.scalars(
                    select(Answer.value).where(Answer.participant_id.in_(first), Answer.result == "age")
                )
            )
        assert len(first) == 6 and 1 not in first  # #1 said STOP: never drawn
        assert set(ages) == set(AGES) and all(1 <= n <= 2 for n in ages.values())
        assert draw(client, live.url).status_code == 200
        assert members(services) == first  # same seed, same volunteers: same panel

        infeasible = draw(client, live.url, quotas=QUOTAS.replace("75+,0,1", "75+,3,4"))
        assert infeasible.status_code == 400
        text = plain(infeasible.text)
        assert "Il faut au moins 3 personnes « 75+ » (Âge), mais 0 volontaire a ce profil." in text
        assert "Les minimums pour « Âge » demandent 7 personnes, plus que les 6 places" in text

        panel_page = client.get(live.url + "/facilitator/panel")
        panel_id = re.search(r"/facilitator/panel/(\d+)/invite", panel_page.text).group(1)
        client.post(live.url + f"/facilitator/panel/{panel_id}/invite", data={
            "csrf_token": csrf_of(panel_page.text), "text": "Vous êtes invité·e à l'atelier.",
            "easy": "Vous êtes choisi.\nVenez à l'atelier."})  # fmt: skip
    with services.db.transaction() as session:
        rows = list(session.scalars(select(OutboxMessage)))
        people = {p.id: p for p in session.scalars(select(Participant))}
    assert len(rows) == 6 and services.dispatcher.calls == [[r.id for r in rows]]
    for row in rows:
        person = people[row.participant_id]
        message = OutboundMessage.from_payload(row.payload)
        assert row.channel == person.channel and row.status == "pending"
        assert message.text == ("Vous êtes choisi.\nVenez à l'atelier." if person.easy
                                else "Vous êtes invité·e à l'atelier.")  # fmt: skip
        assert message.extra["kind"] == "panel_invitation"


def test_feedback_preview_send_and_progress(live: LiveServer, services) -> None:
    seed(services)
    with services.db.transaction() as session:
        followers = [p.id for p in session.scalars(select(Participant)) if p.id != 1]
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/feedback?template=easy")
        assert "Merci d&#39;avoir répondu !" in page.text
        # 24 + 6 people; 2 in 3 asked for news (i % 3 != 0): 16 + 4, minus #1 who said STOP
        # (#1 had i = 0: no news asked anyway) -> 20.
        assert "(20 personnes)" in plain(page.text)
        token = csrf_of(page.text)
        form = {
            "csrf_token": token,
            "text": "Vos idées ont été présentées au conseil.",
            "easy": "Merci !\nVos idées sont lues par les élus.",
            "audience": "followup",
        }
        preview = client.post(live.url + "/facilitator/feedback/preview", data=form)
        body = plain(preview.text)
        assert "Ce message concerne 20 personnes : il partira tout de suite vers 16" in body
        assert "le message attendra : aucun numéro d'envoi configuré (TWILIO_FROM_NUMBER)" in body
        assert "Vos idées sont lues par les élus." in body and "GSM-7 1" in body
        empty = client.post(live.url + "/facilitator/feedback/preview", data={**form, "easy": ""})
        assert empty.status_code == 400
        sent = client.post(live.url + "/facilitator/feedback/send", data=form, follow_redirects=True)
        assert "En attente d'envoi 16" in plain(sent.text)  # Telegram: sent by the dispatcher
        assert "En attente : aucun numéro d'envoi configuré (TWILIO_FROM_NUMBER) 4" in plain(sent.text)
        with services.db.transaction() as session:
            ids = list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
            assert len(ids) == 20
            assert set(session.scalars(select(OutboxMessage.participant_id))) <= set(followers)
            # The lead's dispatcher records what the platforms said.
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids[:17]))
                            .values(status="delivered"))  # fmt: skip
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids[17:]))
                            .values(status="failed"))  # fmt: skip
        progress = plain(client.get(live.url + "/facilitator/feedback").text)
        assert "Reçus 17" in progress and "Échecs 3" in progress
