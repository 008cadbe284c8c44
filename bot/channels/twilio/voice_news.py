"""The news at the start of a call: once a report back is published, key 5 plays it.

A caller hears "Pour écouter les nouvelles, tapez 5." before the questions; the key plays the
report back's easy text (the same clip as the public page's), and the call then goes on to
the questions as usual. Nothing is stored: the news is public.
"""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from bot.channels.twilio.voice_twiml import VOICE_PATH, Speaker, VoiceOptions
from storage import report_back
from storage.db import Database

NEWS_DIGIT = "5"
SAY_NEWS = f"Nous avons des nouvelles de vos idées. Pour écouter les nouvelles, tapez {NEWS_DIGIT}."
SAY_AGAIN = f"Pour réécouter les nouvelles, tapez {NEWS_DIGIT}. Sinon, attendez : les questions commencent."
NEWS_PATH, START_PATH = f"{VOICE_PATH}/news", f"{VOICE_PATH}/start"


def latest_news(db: Database) -> str:
    """Return the published report back as the voice reads it ("" when none is published)."""
    with db.sessions() as session:
        report = report_back.latest(session)
        return report.spoken if report is not None else ""


async def offer(options: VoiceOptions, speaker: Speaker) -> VoiceResponse:
    """Offer the news on a key; without it, go on to the questions."""
    return await _menu([SAY_NEWS], options, speaker)


async def play(news: str, options: VoiceOptions, speaker: Speaker) -> VoiceResponse:
    """Play the news, offer to hear it again, then go on to the questions."""
    return await _menu([news, SAY_AGAIN], options, speaker)


async def _menu(texts: list[str], options: VoiceOptions, speaker: Speaker) -> VoiceResponse:
    base = options.base_url.rstrip("/")
    response = VoiceResponse()
    gather = response.gather(input="dtmf", num_digits=1, timeout=options.gather_timeout, finish_on_key="",
                             action=base + NEWS_PATH, method="POST")  # fmt: skip
    await speaker.speak(gather, texts, "fr")
    response.redirect(base + START_PATH, method="POST")
    return response
