"""Follow-ups tell the truth: who each channel can reach, nothing undeliverable shown as sent."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy import select

from bot.container import build_dispatcher
from storage.models import OutboxMessage, Participant
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people

KIOSK = "la borne ne peut rien envoyer plus tard, et la personne n'a pas laissé de numéro"
WAITING = "aucun numéro d'envoi configuré (TWILIO_FROM_NUMBER)"


def plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_kiosk_and_unconfigured_sms_follow_ups_say_why(live: LiveServer, services) -> None:
    asked = {"age": "30-44", "suivi": "oui"}
    kiosk = add_people(services.db, services.crypto, [asked] * 6, channel="kiosk")
    with services.db.transaction() as session:  # one left a phone number at the kiosk
        session.get(Participant, kiosk[0]).address_enc = services.crypto.encrypt("+33612345678")
    add_people(services.db, services.crypto, [asked] * 6, channel="sms")
    add_account(services.db, "anne@example.org")
    services.dispatcher = build_dispatcher(services.settings, services.db, services.crypto,
                                           services.channels)  # fmt: skip
    form = {"text": "Vos idées ont été lues.", "easy": "Merci !\nVos idées sont lues.",
            "audience": "followup"}  # fmt: skip
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        form["csrf_token"] = csrf_of(client.get(live.url + "/facilitator/feedback").text)
        preview = plain(client.post(live.url + "/facilitator/feedback/preview", data=form).text)
        sent = plain(client.post(live.url + "/facilitator/feedback/send", data=form,
                                 follow_redirects=True).text)  # fmt: skip
    assert "Ce message concerne 12 personnes : il partira tout de suite vers 0" in preview
    assert f"Borne web 5 0 ne recevront pas le message : {KIOSK}" in preview
    assert f"SMS 7 0 le message attendra : {WAITING}" in preview  # the number left: an SMS
    assert f"Impossibles à envoyer : {KIOSK} 5" in sent
    assert f"En attente : {WAITING} 7" in sent
    assert "Envoyés" not in sent.split("Envois")[1]
    with services.db.transaction() as session:
        rows = sorted((r.channel, r.status) for r in session.scalars(select(OutboxMessage)))
    assert rows == [("kiosk", "unreachable")] * 5 + [("sms", "pending")] * 7
