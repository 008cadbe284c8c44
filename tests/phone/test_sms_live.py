"""SMS webhooks on a real uvicorn server, with the outbox repair loop running beside them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.container import Services
from tests.live import live_server
from tests.phone.conftest import PUBLIC, TOKEN, messages, outbox
from tests.phone.fakes import FakeTwilio


def signed(params: dict[str, str]) -> dict[str, str]:
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + "/webhooks/twilio/sms", params)
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}


def test_each_reply_goes_out_exactly_once_in_twiml_or_by_the_api(
    phone_services: Services, fake_twilio: FakeTwilio
) -> None:
    replied: list[str] = []
    with live_server(create_app(phone_services.settings, phone_services)) as base:
        for number, body in enumerate(["DEMO", "1", "1", "2"]):
            params = {"MessageSid": f"SM{number:032d}", "From": "+33612345678", "Body": body}
            response = httpx.post(base + "/webhooks/twilio/sms", content=urlencode(params),
                                  headers=signed(params))  # fmt: skip
            replied += messages(response)
        deadline = time.monotonic() + 10
        while any(row.status == "sending" for row in outbox(phone_services)):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    rows = outbox(phone_services)
    assert {row.status for row in rows} == {"sent"}
    by_api = [sent["Body"] for sent in fake_twilio.sent]
    for row in rows:
        text = row.payload["text"].split("\n")[0]
        assert sum(text in body for body in replied + by_api) == 1, text


def test_a_chunked_oversized_body_is_cut_off(phone_services: Services) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"MessageSid=SM1&From=%2B33612345678&Body="
        for _ in range(100):
            yield b"x" * 1024

    with live_server(create_app(phone_services.settings, phone_services)) as base:
        response = httpx.post(base + "/webhooks/twilio/sms", content=chunks(),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert response.status_code == 413
    assert outbox(phone_services) == []
