"""Phone calls through the voice webhooks: keypad, help, repeat, silences, recordings."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from sqlalchemy import select

from bot.container import Services
from storage.models import Answer
from tests.phone.conftest import PUBLIC, SID, Twilio, messages, stored_answers, twiml

CALL = "CA" + "5" * 32
RECORDING = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Recordings/RE" + "9" * 32


class Call:
    """One phone call: follows the URLs in the TwiML like Twilio does."""

    def __init__(self, twilio: Twilio, call_sid: str = CALL, caller: str = "+33612345678") -> None:
        self.twilio = twilio
        self.sid = call_sid
        self.caller = caller
        self.doc: ET.Element | None = None

    async def start(self) -> ET.Element:
        return self._keep(await self.twilio.call("/webhooks/twilio/voice", self.sid, self.caller))

    async def press(self, digits: str) -> ET.Element:
        return self._keep(await self.twilio.call(self.url("Gather"), self.sid, self.caller, Digits=digits))

    async def stay_silent(self) -> ET.Element:
        return self._keep(await self.twilio.call(self.url("Redirect"), self.sid, self.caller))

    async def speak(self, seconds: int = 12) -> ET.Element:
        response = await self.twilio.call(self.url("Record"), self.sid, self.caller,
                                          RecordingUrl=RECORDING, RecordingSid="RE" + "9" * 32,
                                          RecordingDuration=str(seconds))  # fmt: skip
        return self._keep(response)

    def url(self, verb: str) -> str:
        """Return the callback URL of the verb Twilio would call next."""
        assert self.doc is not None
        element = next(self.doc.iter(verb))
        url = element.attrib["action"] if verb != "Redirect" else element.text or ""
        assert url.startswith(PUBLIC + "/webhooks/twilio/voice/")
        return url

    def _keep(self, response: httpx.Response) -> ET.Element:
        self.doc = twiml(response)
        return self.doc


def heard(doc: ET.Element) -> list[str]:
    """Return what the caller hears, in order (<Say> text; <Play> URLs)."""
    return [(e.text or "").strip() for e in doc.iter() if e.tag in ("Say", "Play")]


def state(doc: ET.Element) -> dict[str, str]:
    """Return the call state carried by the <Gather> action URL."""
    query = parse_qs(urlparse(next(doc.iter("Gather")).attrib["action"]).query)
    return {k: v[0] for k, v in query.items()}


async def test_key_9_says_the_helplines_and_the_call_goes_on_at_the_same_question(
    twilio: Twilio, phone_services: Services
) -> None:
    call = Call(twilio)
    await call.start()
    doc = await call.press("9")
    said = heard(doc)
    assert all(number in said[0] for number in ("3919", "17", "119", "114"))
    assert said[1] == "Comment voulez-vous lire ?"  # the same question, asked again
    assert state(doc)["keys"] == "standard,facile"
    doc = await call.press("1")
    assert heard(doc)[0].startswith("Acceptez-vous")  # the answer went to the question it was on


async def test_hash_skips_an_optional_question_and_8_asks_to_erase(
    twilio: Twilio, phone_services: Services
) -> None:
    call = Call(twilio)
    await call.start()
    for digits in ("1", "1", "2", "1", "#"):  # reading, consent, mood, a subject, validate
        doc = await call.press(digits)
    assert "Pour passer la question, tapez dièse." in heard(doc)  # the optional age question
    doc = await call.press("#")
    assert heard(doc)[0] == "Qu'est-ce qui doit changer en premier ?"
    assert "age" not in stored_answers(phone_services)
    doc = await call.press("8")
    assert heard(doc)[0].startswith("Voulez-vous effacer toutes vos réponses")
    doc = await call.press("1")
    assert heard(doc)[0].startswith("Vos réponses sont effacées")
    assert stored_answers(phone_services) == {}


async def test_a_full_call_by_keypad_and_voice(twilio: Twilio, phone_services: Services) -> None:
    call = Call(twilio)
    doc = await call.start()
    assert heard(doc)[:2] == ["Bonjour et bienvenue.", "Comment voulez-vous lire ?"]
    assert "Pour Texte normal, tapez 1." in heard(doc)
    assert "Pour l'aide, tapez 0. Pour réécouter, tapez étoile. En danger, tapez 9." in heard(doc)
    gather = next(doc.iter("Gather"))
    assert (gather.attrib["numDigits"], gather.attrib["finishOnKey"]) == ("1", "")
    assert state(doc)["keys"] == "standard,facile"
    doc = await call.press("1")
    assert heard(doc)[0] == "Acceptez-vous que vos réponses soient gardées, sans votre nom ?"
    assert heard(doc)[1:3] == ["Pour Oui, tapez 1.", "Pour Non, tapez 2."]
    doc = await call.press("0")
    assert heard(doc)[0].startswith("Pour répondre, tapez le chiffre de votre réponse.")
    assert heard(doc)[1].startswith("Acceptez-vous")
    doc = await call.press("1")
    doc = await call.press("*")
    assert heard(doc)[0] == "Comment allez-vous aujourd'hui ?"
    doc = await call.press("7")
    assert heard(doc)[:2] == ["Cette touche ne sert pas ici.", "Comment allez-vous aujourd'hui ?"]
    doc = await call.press("2")
    doc = await call.press("1")
    assert "Vous avez choisi : Le travail." in heard(doc)
    doc = await call.press("3")
    assert "Vous avez choisi : Le travail, La rue." in heard(doc)
    assert "Quand vous avez fini, tapez dièse." in heard(doc)
    doc = await call.press("#")
    doc = await call.press("3")
    assert heard(doc)[0] == "Qu'est-ce qui doit changer en premier ?"
    assert heard(doc)[-1] == "Parlez après le bip. Quand vous avez fini, tapez dièse."
    record = next(doc.iter("Record"))
    assert (record.attrib["finishOnKey"], record.attrib["maxLength"]) == ("#", "120")
    doc = await call.speak()
    assert heard(doc) == ["Merci, votre message vocal est enregistré.", "Merci pour vos réponses !"]
    assert [e.tag for e in doc][-1] == "Hangup"
    assert stored_answers(phone_services) == {
        "accord": "oui", "humeur": "moyen", "sujets": "travail,rue", "age": "60+", "priorite": "audio",
    }  # fmt: skip
    with phone_services.db.sessions() as session:
        answer = session.scalars(select(Answer).where(Answer.result == "priorite")).one()
    assert answer.audio_ref == RECORDING


async def test_silence_simplifies_then_repeats_then_says_goodbye(twilio: Twilio) -> None:
    call = Call(twilio)
    await call.start()
    doc = await call.press("1")
    assert heard(doc)[0].startswith("Acceptez-vous")
    doc = await call.stay_silent()
    assert heard(doc)[0] == "Nous gardons vos réponses.\nSans votre nom.\nVous êtes d'accord ?"
    assert state(doc)["quiet"] == "1"
    doc = await call.stay_silent()
    assert heard(doc)[0].startswith("Nous gardons vos réponses.")
    doc = await call.stay_silent()
    assert heard(doc)[0].startswith("Nous n'avons rien entendu.")
    assert [e.tag for e in doc][-1] == "Hangup"
    # Calling back continues the same question, in easy-read.
    doc = await Call(twilio, call_sid="CA" + "6" * 32).start()
    assert heard(doc)[0].startswith("Nous gardons vos réponses.")


async def test_a_key_during_an_open_question_records_and_an_empty_recording_asks_again(
    twilio: Twilio, phone_services: Services
) -> None:
    call = Call(twilio)
    await call.start()
    for digit in ("2", "1", "1", "1", "#", "1"):
        doc = await call.press(digit)
    assert heard(doc)[0] == "Qu'est-ce qui doit changer d'abord ?"
    doc = await call.press("5")
    assert [e.tag for e in doc] == ["Record", "Redirect"]
    doc = await call.speak(seconds=0)
    assert heard(doc)[:2] == [
        "Nous n'avons pas entendu votre message.",
        "Qu'est-ce qui doit changer d'abord ?",
    ]
    assert "priorite" not in stored_answers(phone_services)


async def test_a_retried_callback_is_applied_once(twilio: Twilio, phone_services: Services) -> None:
    call = Call(twilio)
    await call.start()
    for digit in ("1", "1", "1"):
        await call.press(digit)
    toggle = call.url("Gather")
    first = await twilio.call(toggle, CALL, Digits="1")
    again = await twilio.call(toggle, CALL, Digits="1")
    assert first.text == again.text
    assert "Vous avez choisi : Le travail." in heard(twiml(again))
    call.doc = twiml(again)
    await call.press("#")
    assert stored_answers(phone_services)["sujets"] == "travail"


async def test_sms_and_calls_from_one_number_continue_one_run(
    twilio: Twilio, phone_services: Services
) -> None:
    await twilio.sms("DEMO", sender="+33612345678")
    await twilio.sms("1", sender="+33612345678")
    call = Call(twilio)
    doc = await call.start()
    assert heard(doc)[0].startswith("Acceptez-vous")  # the question the SMS left open
    await call.press("1")
    [mood] = messages(await twilio.sms("3", sender="06 12 34 56 78"))
    assert mood.startswith("Quels sujets comptent pour vous ?")
    assert stored_answers(phone_services) == {"accord": "oui", "humeur": "mal"}


async def test_a_caller_who_said_stop_hears_goodbye(twilio: Twilio) -> None:
    await twilio.sms("DEMO")
    await twilio.sms("STOP")
    doc = await Call(twilio).start()
    assert heard(doc) == ["Vous avez demandé à arrêter. Nous ne vous envoyons plus rien. Au revoir."]
    assert [e.tag for e in doc][-1] == "Hangup"


async def test_a_withheld_number_can_still_take_part(twilio: Twilio) -> None:
    doc = await Call(twilio, caller="anonymous").start()
    assert heard(doc)[0] == "Bonjour et bienvenue."


async def test_voice_callbacks_must_be_signed_and_complete(twilio: Twilio) -> None:
    params = {"CallSid": CALL, "From": "+33612345678"}
    assert (await twilio.post("/webhooks/twilio/voice", params, signature="nope")).status_code == 403
    assert (await twilio.post("/webhooks/twilio/voice", {"From": "+33612345678"})).status_code == 400
    response = await twilio.post("/webhooks/twilio/voice/record?step=x&turn=1", params)
    assert response.status_code == 400 and "RecordingUrl" in response.text


async def test_the_campaign_keyword_by_sms_resumes_a_run_begun_by_phone(twilio: Twilio) -> None:
    await Call(twilio).start()
    [resumed] = messages(await twilio.sms("Demo"))
    assert resumed.startswith("Comment voulez-vous lire ?")


@pytest.mark.parametrize("with_audio", [True])
async def test_a_call_plays_real_audio_from_the_cache(
    twilio: Twilio, phone_services: Services, client: httpx.AsyncClient
) -> None:
    assert phone_services.audio is not None
    doc = await Call(twilio).start()
    plays = [e.text or "" for e in doc.iter("Play")]
    assert plays and not list(doc.iter("Say"))
    for url in plays:
        assert url.startswith(PUBLIC + "/")
        response = await client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("audio/mpeg")
        assert response.content[:3] == b"ID3" or response.content[0] == 0xFF
        digest = url.rsplit("/", 1)[1].removesuffix(".mp3")
        clip = phone_services.audio.lookup(digest, "mp3")
        assert clip is not None and clip.duration > 0.5
