"""Fixtures for the fault tests: real servers, the fake Twilio API, the database to use."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import reset_postgres
from tests.faults.platforms import FakeTwilioApi
from tests.faults.server import sqlite_url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder `faults`, so `-m faults` selects them (or deselects)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.faults)


def postgres_url() -> str:
    """Return TEST_DATABASE_URL, emptied, or skip the test with the reason."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...")
    reset_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for a server: SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""
    return sqlite_url(tmp_path) if request.param == "sqlite" else postgres_url()


@pytest.fixture
def fake_api() -> Iterator[FakeTwilioApi]:
    """Twilio's Messages API on 127.0.0.1."""
    api = FakeTwilioApi()
    api.start()
    yield api
    api.stop()
