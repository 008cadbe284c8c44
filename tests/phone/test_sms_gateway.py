"""The Android "SMS Gateway" app: signed events in, replies through its API (a fake phone)."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.channels.gateway.signatures import gateway_signature
from bot.container import Services
from storage.models import InboundEvent
from tests.phone.conftest import GW_KEY, outbox, signed_event, stored_answers
from tests.phone.fakes import FakeGateway

PATH = "/webhooks/sms-gateway"


def received(text: str, event_id: str = "Ey6ECgOkVVFjz3CL48B8C", phone: str = "0612345678") -> dict[str, Any]:
    """Build an sms:received event as the app posts it."""
    return {
        "deviceId": "ffffffffceb0b1db0000018e937c815b", "event": "sms:received", "id": event_id,
        "webhookId": "wh1",
        "payload": {"messageId": "abc123", "message": text, "phoneNumber": phone, "simNumber": 1,
                    "receivedAt": "2026-11-25T15:46:11.000+01:00"},
    }  # fmt: skip


async def post(client: httpx.AsyncClient, event: dict[str, Any], **sign: Any) -> httpx.Response:
    body, headers = signed_event(event, **sign)
    return await client.post(PATH, content=body, headers=headers)


async def test_a_signed_sms_is_answered_through_the_phone(
    client: httpx.AsyncClient, fake_gateway: FakeGateway, phone_services: Services
) -> None:
    response = await post(client, received("DEMO"))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "duplicate": False}
    [sent] = fake_gateway.sent
    assert sent["phoneNumbers"] == ["+33612345678"]
    assert sent["withDeliveryReport"] is True
    assert "1 - Texte normal\n2 - Facile à lire" in sent["textMessage"]["text"]
    welcome, prompt = outbox(phone_services)
    assert (welcome.status, welcome.external_id, welcome.segments) == ("sent", "gw1", 0)
    assert (prompt.status, prompt.external_id, prompt.segments) == ("sent", "gw1", 1)
    await post(client, received("1", event_id="second"))
    assert "Acceptez-vous" in fake_gateway.sent[1]["textMessage"]["text"]
    await post(client, received("1", event_id="third"))
    assert stored_answers(phone_services) == {"accord": "oui"}


async def test_delivery_events_are_recorded_on_the_outbox(
    client: httpx.AsyncClient, phone_services: Services
) -> None:
    await post(client, received("DEMO"))
    delivered = {"event": "sms:delivered", "id": "ev2", "deviceId": "d",
                 "payload": {"messageId": "gw1", "phoneNumber": "+33612345678",
                             "deliveredAt": "2026-11-25T15:47:00.000+01:00"}}  # fmt: skip
    assert (await post(client, delivered)).status_code == 200
    assert outbox(phone_services)[-1].status == "delivered"
    failed = {"event": "sms:failed", "id": "ev3", "deviceId": "d",
              "payload": {"messageId": "gw1", "reason": "RESULT_ERROR_GENERIC_FAILURE"}}  # fmt: skip
    await post(client, failed)
    row = outbox(phone_services)[-1]
    assert (row.status, row.error) == ("failed", "gateway: RESULT_ERROR_GENERIC_FAILURE")


async def test_a_replayed_event_is_answered_once(
    client: httpx.AsyncClient, fake_gateway: FakeGateway, phone_services: Services
) -> None:
    event = received("DEMO", event_id="same-event")
    await post(client, event)
    replay = await post(client, event)
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert len(fake_gateway.sent) == 1
    with phone_services.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 1


async def test_a_stale_or_forged_event_is_refused(
    client: httpx.AsyncClient, fake_gateway: FakeGateway, phone_services: Services
) -> None:
    stale = await post(client, received("DEMO"), at=time.time() - 301)
    assert stale.status_code == 403 and "stale" in stale.text
    forged = await post(client, received("DEMO"), key="not-the-key")
    assert forged.status_code == 403 and "invalid" in forged.text
    unsigned = await client.post(PATH, json=received("DEMO"))
    assert unsigned.status_code == 403
    assert fake_gateway.sent == [] and outbox(phone_services) == []


async def test_malformed_events_are_refused_and_unknown_ones_acknowledged(client: httpx.AsyncClient) -> None:
    body, timestamp = b"not json", str(int(time.time()))
    headers = {"X-Timestamp": timestamp, "X-Signature": gateway_signature(GW_KEY, body, timestamp)}
    assert (await client.post(PATH, content=body, headers=headers)).status_code == 400
    assert (await post(client, {"event": "sms:received", "id": "x"})).status_code == 400
    no_text = received("x")
    del no_text["payload"]["message"]
    assert (await post(client, no_text)).status_code == 400
    ping = {"event": "system:ping", "id": "p1", "payload": {"health": {"status": "pass"}}}
    assert (await post(client, ping)).status_code == 200


async def test_an_offline_phone_keeps_the_reply_for_later(
    client: httpx.AsyncClient, fake_gateway: FakeGateway, phone_services: Services
) -> None:
    fake_gateway.offline = True
    await post(client, received("DEMO"))
    assert {row.status for row in outbox(phone_services)} == {"pending"}
    assert outbox(phone_services)[-1].error == "gateway 503"
    fake_gateway.offline = False
    with phone_services.db.transaction() as session:
        for row in outbox(phone_services):
            session.get(type(row), row.id).next_attempt_at = None  # type: ignore[union-attr]
    assert await phone_services.dispatcher.dispatch() == 2
    assert len(fake_gateway.sent) == 2


async def test_deeply_nested_signed_json_is_a_400_and_writes_nothing(
    client: httpx.AsyncClient, phone_services: Services
) -> None:
    for body in (b"[" * 30_000, b'{"event": ' * 3_000 + b"1" + b"}" * 3_000):
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Timestamp": timestamp,
                   "X-Signature": gateway_signature(GW_KEY, body, timestamp)}  # fmt: skip
        assert (await client.post(PATH, content=body, headers=headers)).status_code == 400
    with phone_services.db.sessions() as session:
        assert session.scalar(select(func.count(InboundEvent.id))) == 0
