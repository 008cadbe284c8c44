"""Fixtures of the dashboard tests: services, a test flow, accounts, a live server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from bot.channels import registry
from bot.settings import Settings
from dashboard.routes import routes
from storage import accounts
from storage.db import Database
from storage.privacy import Crypto
from tests.conftest import TEST_SECRET
from tests.dashboard.seed import FLOW_YAML
from tests.live import listening_socket, serve_in_thread

PASSWORD = "correct horse battery"
# Telegram can send; Twilio has an account but no sending number: SMS wait for one.
CHANNEL_ENV = {"TELEGRAM_BOT_TOKEN": "123:test", "TWILIO_ACCOUNT_SID": "AC0", "TWILIO_AUTH_TOKEN": "t"}


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    """A flows directory holding the test campaign flow."""
    directory = tmp_path / "flows"
    directory.mkdir()
    (directory / "egalite.yml").write_text(FLOW_YAML, encoding="utf-8")
    return directory


@pytest.fixture
def services(settings: Settings, database: Database, flows_dir: Path) -> SimpleNamespace:
    """What the dashboard needs from the container: db, settings, crypto."""
    from dataclasses import replace

    return SimpleNamespace(
        db=database, settings=replace(settings, flows_dir=flows_dir), crypto=Crypto(TEST_SECRET),
        channels=registry.build_channels(settings, CHANNEL_ENV),
    )


def make_app(services: Any) -> Starlette:
    """Build a small app that mounts only the dashboard."""
    return Starlette(routes=routes(services))


@pytest.fixture
def app(services: SimpleNamespace) -> Starlette:
    """The dashboard app."""
    return make_app(services)


def add_account(db: Database, email: str, role: str = "facilitator") -> None:
    """Create an account with the test password."""
    with db.transaction() as session:
        accounts.add_facilitator(session, email, PASSWORD, role)


@dataclass
class LiveServer:
    """A uvicorn server running the app on a free port."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread


@pytest.fixture
def live(app: Starlette) -> Iterator[LiveServer]:
    """Run the app in a real uvicorn server."""
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = serve_in_thread(server, sock)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + "/facilitator/login", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    yield LiveServer(url, server, thread)
    server.should_exit = True
    thread.join(timeout=10)


def login(client: httpx.Client, base: str, email: str, password: str = PASSWORD) -> httpx.Response:
    """Log in through the real form (nonce cookie and hidden field)."""
    import re

    page = client.get(base + "/facilitator/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce, page.text
    return client.post(
        base + "/facilitator/login",
        data={"email": email, "password": password, "nonce": nonce.group(1), "next": ""},
    )


def csrf_of(html: str) -> str:
    """Return the CSRF token of a page."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
