"""The audio question is asked only where a participant can really choose audio."""

from __future__ import annotations

from bot.channels.base import InboundMessage
from bot.container import build_services
from bot.settings import Settings
from storage.db import Database


def steps_seen(settings: Settings, database: Database, channel: str, address: str) -> list[str | None]:
    """Start egalite on a channel, pick the first reading mode, return the steps asked."""
    services = build_services(settings, database)
    first = services.service.handle(InboundMessage(channel, address, "a1", start_flow="egalite"))
    question = first.replies[-1]
    pick = InboundMessage(channel, address, "a2", choice=question.buttons[0].key, step=question.step)
    second = services.service.handle(pick)
    return [r.step for r in first.replies + second.replies if r.expects != "none"]


def test_kiosk_asks_about_audio(settings: Settings, database: Database) -> None:
    assert steps_seen(settings, database, "kiosk", "k1") == ["lecture", "audio"]


def test_sms_and_calls_skip_the_audio_question(settings: Settings, database: Database) -> None:
    assert steps_seen(settings, database, "sms", "+33611111111") == ["lecture", "consentement"]
    assert steps_seen(settings, database, "voice", "+33622222222") == ["lecture", "consentement"]
