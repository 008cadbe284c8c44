"""Logging in: passwords, cookies, CSRF, throttling, roles, logout."""

from __future__ import annotations

import html
from datetime import timedelta

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from dashboard import login_delay
from storage.dashboard_models import AuditEntry, Facilitator
from tests.dashboard.conftest import PASSWORD, LiveServer, add_account, csrf_of, login


def test_login_sets_a_safe_cookie_and_shows_the_overview(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        response = login(client, live.url, "Anne@Example.org")
        assert response.status_code == 303
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/facilitator" in cookie
        page = client.get(live.url + "/facilitator/")
        assert page.status_code == 200
        assert "Vue d'ensemble" in html.unescape(page.text) and "anne@example.org" in page.text
        assert page.headers["cache-control"] == "no-store"


def test_wrong_passwords_slow_the_next_try_from_that_address(
    live: LiveServer, services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_delay, "FIRST_DELAY", timedelta(seconds=30))  # a slow machine still sees it
    add_account(services.db, "anne@example.org")
    with httpx.Client(headers={"X-Forwarded-For": "203.0.113.9"}) as client:
        for _ in range(3):
            assert login(client, live.url, "anne@example.org", "wrong password!").status_code == 401
        slowed = login(client, live.url, "anne@example.org")  # even the right one waits its turn
        assert slowed.status_code == 429
        assert "Attendez 30 secondes" in html.unescape(slowed.text)
        assert "pv_facilitator" not in client.cookies


def test_a_stranger_cannot_lock_the_owner_out(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client(headers={"X-Forwarded-For": "198.51.100.66"}) as stranger:
        for _ in range(30):
            assert login(stranger, live.url, "anne@example.org", "wrong password!").status_code in (401, 429)
    with httpx.Client(headers={"X-Forwarded-For": "203.0.113.10"}) as owner:
        assert login(owner, live.url, "anne@example.org").status_code == 303


def test_login_form_needs_its_nonce(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    response = httpx.post(
        live.url + "/facilitator/login", data={"email": "anne@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_post_without_csrf_token_is_refused(live: LiveServer, services) -> None:
    add_account(services.db, "root@example.org", "admin")
    with httpx.Client() as client:
        login(client, live.url, "root@example.org")
        refused = client.post(
            live.url + "/facilitator/accounts",
            data={"email": "x@example.org", "password": "p" * 20},
        )
        assert refused.status_code == 403
        page = client.get(live.url + "/facilitator/accounts")
        assert "x@example.org" not in page.text
        ok = client.post(live.url + "/facilitator/accounts", data={
            "email": "x@example.org", "password": "p" * 20, "role": "facilitator",
            "csrf_token": csrf_of(page.text)})  # fmt: skip
        assert ok.status_code == 200 and "x@example.org" in ok.text


def test_only_admins_manage_accounts(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        assert client.get(live.url + "/facilitator/accounts").status_code == 403
        assert client.get(live.url + "/facilitator/audit").status_code == 403
        overview = client.get(live.url + "/facilitator/")
        assert "Comptes" not in overview.text


def test_logout_kills_the_session_even_for_a_copied_cookie(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        stolen = client.cookies["pv_facilitator"]
        page = client.get(live.url + "/facilitator/")
        out = client.post(live.url + "/facilitator/logout", data={"csrf_token": csrf_of(page.text)})
        assert out.status_code == 303
    replay = httpx.get(live.url + "/facilitator/", cookies={"pv_facilitator": stolen})
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/facilitator/login")
    with services.db.transaction() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions == ["login", "logout"]


def test_disabled_account_cannot_log_in(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with services.db.transaction() as session:
        account = session.scalar(select(Facilitator))
        assert account is not None
        from storage.accounts import set_disabled

        set_disabled(session, account.id, True)
    with httpx.Client() as client:
        assert login(client, live.url, "anne@example.org").status_code == 401


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_cli_adds_an_account_from_stdin(services, monkeypatch, role: str) -> None:
    monkeypatch.setenv("DATABASE_URL", services.db.url)
    monkeypatch.setenv("PORTE_VOIX_SECRET_KEY", services.settings.secret_key)
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["facilitator", "add", "chloe@example.org", "--role", role, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with services.db.transaction() as session:
        account = session.scalar(select(Facilitator))
        assert account is not None and account.role == role
        assert account.password_hash.startswith("$argon2id$")
    again = runner.invoke(
        main, ["facilitator", "add", "chloe@example.org", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(main, ["facilitator", "add", "d@example.org", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "12 characters" in short.output


def test_an_unknown_e_mail_costs_a_full_argon2_run() -> None:
    # The stand-in hash is written, not computed: it must still parse with the real parameters,
    # so verifying it runs argon2 to the end (a mismatch), never fails fast as malformed.
    from argon2.exceptions import VerifyMismatchError

    from storage import accounts

    with pytest.raises(VerifyMismatchError):
        accounts._hasher.verify(accounts._DUMMY_HASH, PASSWORD)
    parameters = accounts._hasher.hash(PASSWORD).split("$")[:4]  # what a real account's hash says
    assert accounts._DUMMY_HASH.split("$")[:4] == parameters
