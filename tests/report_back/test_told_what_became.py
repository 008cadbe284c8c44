"""People who asked for news are told what became of the recommendations, on their channel.

One Telegram participant and one SMS participant answer "oui" to news in their own
conversation (the real app, the fake Bot API, Twilio's signed webhooks); a facilitator sets
the recommendations' statuses and sends the report back; each receives it in their register,
Telegram with its voice note. The statuses change, and the next report back says so.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from dashboard import labels, report_words
from flows.gsm7 import budget
from storage.models import Participant
from storage.report_back_models import Recommendation
from tests.channels.telegram_world import Setup, World, running_world
from tests.dashboard.conftest import add_account, csrf_of, login
from tests.phone.fakes import FakeTwilio
from tests.report_back.helpers import plain, recommend

FLOWS = Path(__file__).resolve().parent / "flows"
SID, TOKEN, FROM = "AC" + "2" * 32, "twilio-test-token", "+33700000001"
CHAT, PHONE, NUMBER = 4242, "06 12 34 56 78", "01 84 80 00 00"
BUS, EASY_BUS = "Un bus le dimanche matin", "Un bus le dimanche"
REASON = "Le budget de cette année est déjà pris."


async def sms(world: World, body: str, n: int) -> list[str]:
    """Send an SMS to the webhook, signed as Twilio signs it; return the inline replies."""
    url = world.url + "/webhooks/twilio/sms"
    params = {"MessageSid": f"SM{n:032d}", "AccountSid": SID, "From": PHONE, "To": FROM,
              "Body": body, "NumMedia": "0", "NumSegments": "1"}  # fmt: skip
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    async with httpx.AsyncClient(timeout=30) as client:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
        response = await client.post(url, content=urlencode(params), headers=headers)
    assert response.status_code == 200, response.text
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


def send_report(client: httpx.Client, base: str) -> str:
    """Preview then send the report back from the dashboard; return the report-back page."""
    page = client.get(base + "/facilitator/report-back").text
    form = {"csrf_token": csrf_of(page), "intro_text": "Merci d'avoir répondu.",
            "intro_easy": "Merci d'avoir répondu !\nVoici les nouvelles.",
            "sms": plain(page).split("SMS court (2 SMS au plus) ")[1].split(" Destinataires")[0]}  # fmt: skip
    preview = client.post(base + "/facilitator/report-back/preview", data=form)
    assert preview.status_code == 200, preview.text
    sent = client.post(base + "/facilitator/report-back/send", data=form, follow_redirects=True)
    assert sent.status_code == 200, sent.text
    return sent.text


async def test_a_telegram_and_an_sms_participant_hear_what_became_of_their_ideas(
    telegram_setup: Setup, monkeypatch
) -> None:  # fmt: skip
    env = {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": FROM}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = telegram_setup.settings
    raw = {**settings.raw, "report_back": {"voice_number": NUMBER}}
    setup = dataclasses.replace(telegram_setup, settings=dataclasses.replace(settings, raw=raw))
    twilio = FakeTwilio(SID, TOKEN)
    async with running_world(setup, FLOWS, "egalite") as world:
        world.services.channels["sms"].client = httpx.AsyncClient(  # type: ignore[attr-defined]
            transport=httpx.ASGITransport(twilio.app))  # Twilio's API, at the HTTP boundary

        # Telegram: standard text, no audio mode; asks for news in the conversation
        assert (await world.deliver(world.users.text(CHAT, "/start egalite"))).status_code == 200
        await world.until_text(CHAT, "Comment préférez-vous lire")
        await world.press(CHAT, "Texte normal", expect="Voulez-vous recevoir des nouvelles")
        await world.press(CHAT, "Oui", expect="Merci !")
        # SMS: easy-read, asks for news by number
        assert "Comment préférez-vous lire nos messages ?" in " ".join(await sms(world, "Bonjour", 1))
        assert "Voulez-vous des nouvelles ?" in " ".join(await sms(world, "1", 2))
        assert "Merci !" in " ".join(await sms(world, "oui", 3))
        with world.services.db.sessions() as session:
            people = {p.channel: (p.easy, p.audio) for p in session.scalars(select(Participant))}
        assert people == {"telegram": (False, False), "sms": (True, False)}

        add_account(world.services.db, "anne@example.org")
        with httpx.Client(timeout=60) as client:
            login(client, world.url, "anne@example.org")
            recommend(client, world.url, BUS, EASY_BUS, "not_adopted", REASON)
            recommend(client, world.url, "Éclairer le parc la nuit", "Plus de lumière au parc", "adopted")
            first = send_report(client, world.url)

        told = await world.until_text(CHAT, "Voici ce que sont devenues les recommandations")
        assert f"❌ Pas adoptée : Un bus le dimanche matin. {REASON}" in told["text"]
        assert "✅ Adoptée : Éclairer le parc la nuit." in told["text"]
        chat = world.fake.chat(CHAT)
        assert "voice" in chat[chat.index(told) - 1]  # its voice note first, though not in audio mode
        await world.fake.wait_for(lambda: len(twilio.sent) == 1)
        (short,) = twilio.sent
        assert short["To"] == "+33612345678"
        assert short["Body"] == report_words.sms(world.url, NUMBER)
        assert f"{world.url}/retours" in short["Body"] and f"appelez le {NUMBER} et tapez 5" in short["Body"]
        assert budget(short["Body"]).segments <= 2
        words = plain(first)
        assert "Canal Envoyés Total" in words
        assert f"{labels.channel('sms')} 1 1" in words and f"{labels.channel('telegram')} 1 1" in words

        # The statuses change: the next report back says what became of each, again
        with world.services.db.sessions() as session:
            bus = session.scalars(select(Recommendation.id).where(Recommendation.title.like("Un bus%"))).one()
        with httpx.Client(timeout=60) as client:
            login(client, world.url, "anne@example.org")
            recommend(client, world.url, BUS, EASY_BUS, "partly",
                      "Un bus passe le dimanche.\nIl passe seulement l'après-midi.", rid=bus)  # fmt: skip
            send_report(client, world.url)
        again = await world.until_text(CHAT, "🌓 En partie")
        assert f"🌓 En partie : {BUS}. Un bus passe le dimanche. Il passe seulement" in again["text"]
        await world.fake.wait_for(lambda: len(twilio.sent) == 2)
        public = httpx.get(world.url + "/retours", timeout=30).text
        assert "Une partie est adoptée." in plain(public)
        assert "Il passe seulement l'après-midi." in plain(public)
