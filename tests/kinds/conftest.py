"""Fixtures of the plug-in kind tests: the test kind registered for one test, the channels' fakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flows import kinds
from flows.kinds import Kind
from tests.channels.conftest import clip_cache, fake_telegram, telegram_setup, users  # noqa: F401 (fixtures)
from tests.kinds.reaction import Reaction
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


@pytest.fixture
def reaction() -> Iterator[Kind]:
    """The test kind, registered for this test only."""
    kind = kinds.register(Reaction())
    yield kind
    kinds.unregister(kind.name)
