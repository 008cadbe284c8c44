"""An anonymous visitor crawls every dashboard route and sees no data anywhere."""

from __future__ import annotations

import re

import httpx
from starlette.routing import Route

from dashboard.routes import routes
from tests.dashboard.conftest import LiveServer, add_account, login
from tests.dashboard.seed import add_flag, add_people

SECRET = "Marqueur confidentiel 7731"


def every_route(services) -> list[tuple[str, str]]:
    """Return (method, path) for every route, path parameters filled with 1."""
    found = []
    for route in routes(services):
        if not isinstance(route, Route):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        found.extend((method, path) for method in sorted(route.methods or ()) if method != "HEAD")
    return found


def seed(services) -> None:
    people = [
        {
            "age": "30-44",
            "commune": "creteil",
            "genre": "femme",
            "priorite": SECRET,
            "priorite_theme": "travail",
            "volontaire": "oui",
            "suivi": "oui",
        }
    ] * 6
    ids = add_people(services.db, services.crypto, people)
    add_flag(services.db, ids[0], SECRET)


def test_anonymous_crawl_gets_login_or_refusal(live: LiveServer, services) -> None:
    seed(services)
    checked = every_route(services)
    assert len(checked) >= 5
    for method, path in checked:
        if path == "/facilitator/login":
            continue
        response = httpx.request(
            method,
            live.url + path,
            follow_redirects=False,
            data={"csrf_token": "x"} if method == "POST" else None,
        )
        assert response.status_code in (303, 401, 403), (method, path, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/facilitator/login"), path
        assert SECRET not in response.text, (method, path)
        assert "creteil" not in response.text.lower(), (method, path)


def test_a_facilitator_is_refused_every_admin_route(live: LiveServer, services) -> None:
    seed(services)
    add_account(services.db, "anne@example.org")
    admin_paths = {"/facilitator/accounts", "/facilitator/audit", "/facilitator/accounts/1",
                   "/facilitator/erase"}  # fmt: skip
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        for method, path in every_route(services):
            if path in admin_paths:
                response = client.request(method, live.url + path)
                assert response.status_code == 403, (method, path)
                assert SECRET not in response.text
