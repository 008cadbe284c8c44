"""Calls: once a report back is published, a call starts by offering the news on key 5."""

from __future__ import annotations

import pytest

from bot.channels.twilio.voice_news import NEWS_PATH, START_PATH
from bot.container import Services
from dashboard import report_words
from storage import report_back
from tests.phone.conftest import PUBLIC, Twilio, twiml

VOICE = "/webhooks/twilio/voice"


def publish(services: Services) -> str:
    """Publish a report back with one recommendation; return its spoken script."""
    items = [{"title": "Un bus le dimanche matin", "easy_title": "Un bus le dimanche", "status": "adopted",
              "reason": "", "pictogram": "transport"}]  # fmt: skip
    text, easy, spoken = report_words.compose("Merci.", "Merci d'avoir répondu !", items)
    with services.db.transaction() as session:
        report_back.publish(session, "anne@example.org", intro_text="Merci.",
                            intro_easy="Merci d'avoir répondu !", items=items, text=text, easy=easy,
                            spoken=spoken, sms="-")  # fmt: skip
    return spoken


def said(response) -> list[str]:
    return [s.text or "" for s in twiml(response).iter("Say")]


async def test_a_call_offers_the_news_plays_them_on_5_then_asks_the_questions(
    twilio: Twilio, phone_services: Services
) -> None:  # fmt: skip
    before = await twilio.call(VOICE)
    assert not any("nouvelles" in s for s in said(before))  # nothing published: the questions at once
    spoken = publish(phone_services)
    assert spoken.splitlines() == ["Merci d'avoir répondu !", "Voici ce que sont devenues vos idées :",
                                   "Un bus le dimanche.", "C'est adopté."]  # no pictogram is read

    offered = twiml(await twilio.call(VOICE, call_sid="CA" + "1" * 32))
    gather = offered.find("Gather")
    assert gather is not None and gather.get("action") == PUBLIC + NEWS_PATH
    offer = "Nous avons des nouvelles de vos idées. Pour écouter les nouvelles, tapez 5."
    assert [s.text for s in gather.iter("Say")] == [offer]
    assert offered.findtext("Redirect") == PUBLIC + START_PATH  # no key: the questions

    played = await twilio.call(NEWS_PATH, call_sid="CA" + "1" * 32, Digits="5")
    assert said(played)[0] == spoken
    assert "Pour réécouter les nouvelles, tapez 5." in said(played)[1]
    assert twiml(played).findtext("Redirect") == PUBLIC + START_PATH

    questions = await twilio.call(START_PATH, call_sid="CA" + "1" * 32)
    assert "Comment voulez-vous lire ?" in said(questions)  # the questions, as on any call
    other_key = await twilio.call(NEWS_PATH, call_sid="CA" + "2" * 32, caller="+33698765432", Digits="1")
    assert "Comment voulez-vous lire ?" in said(other_key) and spoken not in said(other_key)


@pytest.mark.parametrize("with_audio", [True])
async def test_the_news_are_played_from_the_same_mp3_as_the_public_page(
    twilio: Twilio, phone_services: Services
) -> None:  # fmt: skip
    publish(phone_services)
    played = twiml(await twilio.call(NEWS_PATH, Digits="5"))
    news = played.find("Gather").findall("Play")[0].text or ""  # type: ignore[union-attr]
    assert news.startswith(PUBLIC + "/audio/") and news.endswith(".mp3")
    page = (await twilio.http.get("/retours")).text
    assert f'src="{news.removeprefix(PUBLIC)}"' in page
    sound = await twilio.http.get(news)
    assert sound.status_code == 200 and sound.headers["content-type"] == "audio/mpeg"
    assert sound.content[:3] == b"ID3" or (sound.content[0] == 0xFF and sound.content[1] & 0xE0 == 0xE0)
