"""The TwiML an SMS webhook answers with: what Twilio reads is what the flow wrote."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.channels.twilio.web import messages_twiml

TEXTS = [
    'Vos réponses : "oui" & <non>\n1. Jeudi\t2. Vendredi\r\n3. L\'été',
    "€ ç à — 👍",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_each_reply_and_its_status_url_read_back_exactly(text: str) -> None:
    action = "https://vote.example.org/webhooks/twilio/status?outbox=12%2C13&x=<\"'>\n"
    [message] = ET.fromstring(messages_twiml([(text, action)])).iter("Message")
    assert (message.text or "") == text.replace("\r\n", "\n")  # XML reads CR LF as LF
    assert message.get("action") == action
    assert message.get("method") == "POST"


def test_several_replies_stay_in_order_and_none_is_an_empty_response() -> None:
    document = ET.fromstring(messages_twiml([("un", "https://a/1"), ("deux", "https://a/2")]))
    assert [(m.text, m.get("action")) for m in document.iter("Message")] == [
        ("un", "https://a/1"),
        ("deux", "https://a/2"),
    ]
    assert list(ET.fromstring(messages_twiml([]))) == []
