"""Outbound SMS that is not a reply, through Twilio's REST API (a fake at its HTTP boundary)."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.base import OutboundMessage
from bot.container import Services
from flows.gsm7 import budget
from storage.models import OutboxMessage, Participant
from storage.turns import turn
from tests.phone.conftest import FROM, PHONE, Twilio, outbox
from tests.phone.fakes import FakeTwilio

FEEDBACK = "Merci d’avoir participé ! Voici ce que le département a décidé : " + "des crèches. " * 12


def queue(services: Services, text: str = FEEDBACK, address: str = PHONE, channel: str = "sms") -> int:
    """Queue a message for a phone participant, outside any conversation (like feedback)."""
    key = services.service.participant_key(channel, address)
    with turn(services.db) as store:
        participant = store.lock_participant(key, channel, lambda: services.crypto.encrypt(address))
        return store.add_outbox_rows(participant.id, channel, [OutboundMessage(text=text).to_payload()])[0]


async def test_a_queued_message_is_sent_and_its_segments_recorded(
    phone_services: Services, fake_twilio: FakeTwilio, twilio: Twilio
) -> None:
    row_id = queue(phone_services)
    assert await phone_services.dispatcher.dispatch([row_id]) == 1
    [sent] = fake_twilio.sent
    assert (sent["To"], sent["From"]) == (PHONE, FROM)
    # The report names the row, so it lands even before the sid is recorded (or after a crash).
    assert sent["StatusCallback"] == f"https://porte-voix.example.org/webhooks/twilio/status?outbox={row_id}"
    assert "’" not in sent["Body"] and budget(sent["Body"]).encoding == "GSM-7"
    [row] = outbox(phone_services)
    assert (row.status, row.external_id) == ("sent", sent["sid"])
    assert row.segments == budget(sent["Body"]).segments == 2
    # Twilio then reports delivery on the callback it was given.
    await twilio.post(sent["StatusCallback"], {"MessageSid": sent["sid"], "MessageStatus": "delivered"})
    assert outbox(phone_services)[0].status == "delivered"


async def test_an_unsubscribed_number_is_opted_out(phone_services: Services, fake_twilio: FakeTwilio) -> None:
    fake_twilio.unsubscribed.add(PHONE)
    row_id = queue(phone_services)
    assert await phone_services.dispatcher.dispatch([row_id]) == 0
    [row] = outbox(phone_services)
    assert (row.status, row.error) == ("failed", "twilio 400 code 21610")
    with phone_services.db.sessions() as session:
        assert session.scalars(select(Participant)).one().opted_out_at is not None
    queue(phone_services, "Encore un message")
    await phone_services.dispatcher.dispatch()
    assert fake_twilio.sent == []
    assert outbox(phone_services)[-1].status == "cancelled"


async def test_rate_limits_are_retried_later_and_errors_hold_no_number(
    phone_services: Services, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.busy = 1
    row_id = queue(phone_services)
    await phone_services.dispatcher.dispatch([row_id])
    [row] = outbox(phone_services)
    assert (row.status, row.error) == ("pending", "twilio 429 code 20429")
    assert row.next_attempt_at is not None
    bad = queue(phone_services, address="+3361234")  # too short: Twilio answers 21211
    await phone_services.dispatcher.dispatch([bad])
    with phone_services.db.sessions() as session:
        error = session.get(OutboxMessage, bad).error  # type: ignore[union-attr]
    assert error == "twilio 400 code 21211"


async def test_a_caller_gets_a_message_for_later_by_sms(
    phone_services: Services, fake_twilio: FakeTwilio
) -> None:
    row_id = queue(phone_services, "Voici ce que le département a décidé.", channel="voice")
    assert await phone_services.dispatcher.dispatch([row_id]) == 1
    [sent] = fake_twilio.sent
    assert (sent["To"], sent["Body"]) == (PHONE, "Voici ce que le département a décidé.")
    [row] = outbox(phone_services)
    assert (row.channel, row.status, row.external_id) == ("voice", "sent", sent["sid"])
