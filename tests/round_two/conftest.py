"""Fixtures of the round-two tests: the channels' fakes, and statements in the database."""

from __future__ import annotations

from tests.channels.conftest import clip_cache, fake_telegram, telegram_setup, users  # noqa: F401 (fixtures)
from tests.phone.conftest import (  # noqa: F401 (fixtures)
    client,
    fake_gateway,
    fake_twilio,
    phone_env,
    phone_services,
    phone_settings,
    twilio,
    with_audio,
)
