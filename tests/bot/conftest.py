"""Fixtures for the service: services built on a test flow and a migrated database."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.channels.base import InboundMessage
from bot.container import Services, build_services
from bot.settings import Settings
from storage.db import Database

TEST_FLOWS = Path(__file__).resolve().parent.parent / "data" / "flows"


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    """Settings whose flows are the small test flows, default 'demo'."""
    return dataclasses.replace(settings, flows_dir=TEST_FLOWS, default_flow="demo")


@pytest.fixture
def services(demo_settings: Settings, database: Database) -> Iterator[Services]:
    """Services on the test flows, on each configured database backend."""
    yield build_services(demo_settings, database)


@pytest.fixture
def send(services: Services) -> Callable[..., object]:
    """Send an inbound message from one kiosk address with fresh external ids."""
    counter = itertools.count(1)

    def _send(address: str = "person-1", channel: str = "kiosk", **fields: object):  # type: ignore[no-untyped-def]
        external_id = str(fields.pop("external_id", f"m{next(counter)}"))
        inbound = InboundMessage(channel=channel, address=address, external_id=external_id,
                                 **fields)  # type: ignore[arg-type]
        return services.service.handle(inbound)

    return _send
