"""Shared fixtures: settings, a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.settings import Settings, load_settings
from storage.db import Database

TEST_SECRET = "test-secret-" + "x" * 40


def pytest_configure(config: pytest.Config) -> None:
    """Keep tests off any real network service by default."""
    os.environ.setdefault("PORTE_VOIX_MODE", "test")


def database_urls(tmp_path: Path) -> list[str]:
    """Return the URLs the storage tests run on: SQLite, plus PostgreSQL when configured."""
    urls = [f"sqlite:///{tmp_path / 'test.db'}"]
    if os.environ.get("TEST_DATABASE_URL"):
        urls.append(os.environ["TEST_DATABASE_URL"])
    return urls


def reset_postgres(url: str) -> None:
    """Drop everything in the public schema of a PostgreSQL test database."""
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


def make_database(url: str) -> Database:
    """Create a fresh, migrated database at a URL."""
    if url.startswith("postgresql"):
        reset_postgres(url)
    db = Database(url)
    db.upgrade()
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL: SQLite always, PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A fresh, migrated database on each configured backend."""
    db = make_database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database (for tests that need only one backend)."""
    db = make_database(f"sqlite:///{tmp_path / 'test.db'}")
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Test settings: a temporary data dir and a strong secret."""
    env = {
        "PORTE_VOIX_SECRET_KEY": TEST_SECRET,
        "PORTE_VOIX_DATA_DIR": str(tmp_path / "data"),
        "PORTE_VOIX_MODE": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
    }
    return load_settings(env)
