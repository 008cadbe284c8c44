"""Twilio SMS over HTTP: a full journey, refusals, duplicates, STOP, EFFACER, status reports."""

from __future__ import annotations

import logging
import sqlite3
import threading
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from bot.container import Services
from bot.throttle import Throttle
from flows.gsm7 import budget
from storage.models import InboundEvent, Participant, Run
from tests.phone.conftest import PUBLIC, Twilio, messages, outbox, stored_answers
from tests.phone.fakes import FakeTwilio


async def test_full_sms_journey_by_numbers_and_words(
    twilio: Twilio, phone_services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    [first] = messages(await twilio.sms("DEMO"))
    assert first.startswith("Bonjour et bienvenue.\n\nComment voulez-vous lire ?")
    assert "1 - Texte normal\n2 - Facile à lire" in first
    assert first.endswith("Besoin d'aide ? Envoyez AIDE")
    [consent] = messages(await twilio.sms("2"))
    assert consent.startswith("Nous gardons vos réponses.\nSans votre nom.")
    assert consent.endswith("Besoin d'aide ?\nEnvoyez AIDE")  # easy-read from now on
    [mood] = messages(await twilio.sms("oui"))
    assert "1 - Bien\n2 - Moyen\n3 - Mal" in mood
    [topics] = messages(await twilio.sms("2"))
    assert "Envoyez les numéros." in topics
    [age] = messages(await twilio.sms("1 3"))
    assert "1 - 15 à 29 ans" in age
    [again] = messages(await twilio.sms("RÉPÈTE"))
    assert again == age
    [back] = messages(await twilio.sms("retour"))
    assert back.startswith("Quels sujets comptent pour vous ?")
    messages(await twilio.sms("1,3"))
    [open_question] = messages(await twilio.sms("1"))
    assert open_question.startswith("Qu'est-ce qui doit changer d'abord ?")
    assert "1 -" not in open_question
    [readback] = messages(await twilio.sms("Des crèches ouvertes plus tard"))
    assert 'Vous avez dit : "Des crèches ouvertes plus tard"' in readback
    assert "1 - Oui\n2 - Non" in readback
    [end] = messages(await twilio.sms("1"))
    assert end == "Merci !"
    assert stored_answers(phone_services) == {
        "accord": "oui", "humeur": "moyen", "sujets": "travail,rue", "age": "15-29",
        "priorite": "Des crèches ouvertes plus tard",
    }  # fmt: skip
    rows = outbox(phone_services)
    assert all(row.status == "sent" and row.segments is not None for row in rows)
    assert sum(row.segments or 0 for row in rows) >= 11
    assert "612345678" not in caplog.text


async def test_help_on_sms_speaks_of_numbers_not_buttons(twilio: Twilio) -> None:
    # SMS has no buttons: help and "not understood" say to send a number.
    messages(await twilio.sms("DEMO"))
    [help_text] = messages(await twilio.sms("AIDE"))
    assert help_text.startswith("Pour répondre, envoyez le numéro de votre choix")
    assert "bouton" not in help_text
    assert "1 - Texte normal\n2 - Facile à lire" in help_text  # the question comes again
    [confused] = messages(await twilio.sms("zzz"))
    assert confused.startswith("Je n'ai pas compris. Envoyez le numéro de votre choix")
    assert "bouton" not in confused


async def test_every_reply_is_gsm7_and_costs_what_it_says(twilio: Twilio, phone_services: Services) -> None:
    bodies = messages(await twilio.sms("DEMO")) + messages(await twilio.sms("1"))
    for body in bodies:
        assert budget(body).encoding == "GSM-7", body
    costs = [row.segments for row in outbox(phone_services)]
    # One SMS per inbound: its segments on the last reply it carries, 0 on the others.
    assert costs == [0, budget(bodies[0]).segments, budget(bodies[1]).segments]


async def test_national_and_international_forms_are_one_participant(
    twilio: Twilio, phone_services: Services
) -> None:
    await twilio.sms("DEMO", sender="06 12 34 56 78")
    [consent] = messages(await twilio.sms("1", sender="+33612345678"))
    assert "Acceptez-vous" in consent
    with phone_services.db.sessions() as session:
        participant = session.scalars(select(Participant)).one()
        assert b"612345678" not in participant.address_enc
        assert phone_services.crypto.decrypt(participant.address_enc) == "+33612345678"


@pytest.mark.parametrize(
    ("signature", "url"),
    [("", None), ("bm90LWEtc2lnbmF0dXJl", None), (None, "http://127.0.0.1:8000/webhooks/twilio/sms")],
)
async def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(
    twilio: Twilio, phone_services: Services, signature: str | None, url: str | None
) -> None:
    params = {"MessageSid": "SM1", "From": "+33612345678", "Body": "DEMO"}
    if url:  # signed for another URL than the configured public one
        from twilio.request_validator import RequestValidator

        signature = RequestValidator("twilio-test-token").compute_signature(url, params)
    response = await twilio.post("/webhooks/twilio/sms", params, signature=signature)
    assert response.status_code == 403
    with phone_services.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 0


@pytest.mark.parametrize("missing", ["MessageSid", "From", "Body"])
async def test_missing_fields_are_refused(twilio: Twilio, missing: str) -> None:
    params = {"MessageSid": "SM1", "From": "+33612345678", "Body": "DEMO"}
    del params[missing]
    response = await twilio.post("/webhooks/twilio/sms", params)
    assert response.status_code == 400
    assert missing in response.text


async def test_a_sender_that_is_not_a_phone_number_is_refused(twilio: Twilio) -> None:
    response = await twilio.sms("DEMO", sender="not-a-number")
    assert response.status_code == 400
    assert "not-a-number" not in response.text


async def test_an_oversized_body_is_refused(twilio: Twilio, phone_services: Services) -> None:
    response = await twilio.sms("x" * 70_000)
    assert response.status_code == 413
    assert outbox(phone_services) == []


async def test_a_duplicate_message_sid_is_handled_once(twilio: Twilio, phone_services: Services) -> None:
    first = messages(await twilio.sms("DEMO", sid="SM" + "d" * 32))
    # Twilio retries only when our answer did not reach it: the retry carries the same replies.
    second = messages(await twilio.sms("DEMO", sid="SM" + "d" * 32))
    assert len(first) == 1 and second == first
    # Once Twilio reported on the reply, it reached Twilio: a later duplicate repeats nothing.
    ids = ",".join(str(row.id) for row in outbox(phone_services))
    await twilio.post(f"/webhooks/twilio/status?outbox={ids}",
                      {"MessageSid": "SM" + "e" * 32, "MessageStatus": "sent"})  # fmt: skip
    assert messages(await twilio.sms("DEMO", sid="SM" + "d" * 32)) == []
    with phone_services.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 1
        assert session.scalar(select(func.count()).select_from(Run)) == 1


@pytest.mark.parametrize("word", ["STOP", "arrêt", "Arret"])
async def test_stop_is_final(twilio: Twilio, phone_services: Services, word: str) -> None:
    await twilio.sms("DEMO")
    [confirmation] = messages(await twilio.sms(word))
    assert "ne recevrez plus de messages" in confirmation
    rows_after_stop = len(outbox(phone_services))
    assert messages(await twilio.sms("Bonjour")) == []
    assert messages(await twilio.sms("DEMO")) == []
    assert len(outbox(phone_services)) == rows_after_stop
    with phone_services.db.sessions() as session:
        assert session.scalars(select(Participant)).one().opted_out_at is not None


async def test_effacer_asks_then_erases_every_answer(twilio: Twilio, phone_services: Services) -> None:
    await twilio.sms("DEMO")
    await twilio.sms("1")
    await twilio.sms("1")  # consent: oui
    assert stored_answers(phone_services) == {"accord": "oui"}
    [question] = messages(await twilio.sms("Effacer"))
    assert "Voulez-vous effacer toutes vos réponses ?" in question
    assert "1 - Oui\n2 - Non" in question
    [done] = messages(await twilio.sms("1"))
    assert "effacées" in done
    assert stored_answers(phone_services) == {}
    # The number does not stay in the process's memory either (the parsing cache is emptied).
    from bot.channels import phone

    assert phone._e164.cache_info().currsize == 0


async def test_effacer_keeps_everything_on_no(twilio: Twilio, phone_services: Services) -> None:
    await twilio.sms("DEMO")
    await twilio.sms("1")
    await twilio.sms("1")
    await twilio.sms("EFFACER")
    [kept] = messages(await twilio.sms("2"))
    assert "gardées" in kept
    assert stored_answers(phone_services) == {"accord": "oui"}


async def test_status_callbacks_are_recorded_on_the_replies(twilio: Twilio, phone_services: Services) -> None:
    response = await twilio.sms("DEMO")
    [message] = ET.fromstring(response.text).iter("Message")
    action = message.attrib["action"]
    assert action.startswith(PUBLIC + "/webhooks/twilio/status?outbox=")
    path = urlparse(action)
    url = f"{path.path}?{path.query}"
    delivered = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered", "AccountSid": "x"}
    assert (await twilio.post(url, delivered)).status_code == 204
    late = {**delivered, "MessageStatus": "sent"}
    assert (await twilio.post(url, late)).status_code == 204
    rows = outbox(phone_services)
    assert [(r.status, r.external_id) for r in rows] == [("delivered", "SM" + "a" * 32)] * 2
    failed = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    await twilio.post("/webhooks/twilio/status", failed)
    assert {(r.status, r.error) for r in outbox(phone_services)} == {("undelivered", "twilio code 30003")}


async def test_a_status_callback_must_be_signed_and_complete(twilio: Twilio) -> None:
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert (await twilio.post("/webhooks/twilio/status", params, signature="x")).status_code == 403
    assert (await twilio.post("/webhooks/twilio/status", {"MessageSid": "SM1"})).status_code == 400
    bad = await twilio.post("/webhooks/twilio/status?outbox=1;drop", params)
    assert bad.status_code == 400


async def test_a_flood_from_one_number_is_slowed_down_with_429(
    twilio: Twilio, phone_services: Services
) -> None:
    phone_services.throttle = Throttle(rate=0.01, burst=2, max_wait=0)
    assert len(messages(await twilio.sms("DEMO"))) == 1
    assert len(messages(await twilio.sms("1"))) == 1
    flooded = await twilio.sms("1")
    assert flooded.status_code == 429
    other = await twilio.sms("DEMO", sender="+33698765432")
    assert len(messages(other)) == 1


async def test_replies_sent_in_the_response_are_never_sent_again(
    twilio: Twilio, phone_services: Services, fake_twilio: FakeTwilio
) -> None:
    messages(await twilio.sms("DEMO"))
    messages(await twilio.sms("1"))
    assert await phone_services.dispatcher.dispatch() == 0  # the repair loop finds nothing to send
    assert fake_twilio.sent == []
    assert {row.status for row in outbox(phone_services)} == {"sent"}


async def test_a_message_while_another_process_writes_is_answered_once(
    twilio: Twilio, phone_services: Services
) -> None:
    if not phone_services.db.is_sqlite:
        pytest.skip("SQLite's single writer")
    await twilio.sms("DEMO")
    # Another process (a second worker, the nightly purge) holds SQLite's write lock: the
    # message waits for it, then is answered, once.
    other = sqlite3.connect(phone_services.db.url.removeprefix("sqlite:///"), isolation_level=None,
                            check_same_thread=False)  # fmt: skip
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, other.execute, ["COMMIT"])
    release.start()
    try:
        waited = messages(await twilio.sms("1", sid="SM" + "w" * 32))
    finally:
        release.join()
        other.close()
    again = messages(await twilio.sms("1", sid="SM" + "w" * 32))  # Twilio's retry: the same answer
    assert len(waited) == 1 and again == waited
    with phone_services.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 2
