"""Headers an attacker looks for: CSP and no-store on the kiosk, HSTS, no Host-built redirect."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

from bot.app import create_app
from bot.cli import main
from bot.container import Services
from bot.settings import Settings, SettingsError


def client(app: Starlette, base: str = "http://127.0.0.1:8000") -> httpx.AsyncClient:
    """An HTTP client on the app, in process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base)


async def test_kiosk_pages_forbid_framing_inline_script_and_caching(services: Services) -> None:
    async with client(create_app(services.settings, services)) as http:
        page = await http.get("/kiosk")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text  # the page's only script is /static/kiosk.js
    assert "strict-transport-security" not in page.headers  # development


async def test_no_redirect_is_built_from_the_host_header(services: Services) -> None:
    async with client(create_app(services.settings, services)) as http:
        response = await http.get("/kiosk/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 404
    assert "evil.example" not in response.headers.get("location", "")


async def test_production_needs_https_and_then_sends_hsts(services: Services) -> None:
    plain = dataclasses.replace(services.settings, mode="production",
                                public_base_url="http://consultation.example")  # fmt: skip
    with pytest.raises(SettingsError, match="https"):
        create_app(plain, services)
    secure = dataclasses.replace(plain, public_base_url="https://consultation.example")
    app = create_app(secure, dataclasses.replace(services, settings=secure))
    async with client(app, "https://consultation.example") as http:
        health = await http.get("/healthz")
    assert health.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_a_client_hanging_up_mid_upload_logs_one_info_line(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(services.settings, services)
    sent: list[dict[str, object]] = []
    messages = iter([{"type": "http.request", "body": b"csrf=x&text=", "more_body": True},
                     {"type": "http.disconnect"}])  # fmt: skip

    async def receive() -> dict[str, object]:
        return next(messages)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/kiosk/answer", "raw_path": b"/kiosk/answer",
             "query_string": b"", "headers": [(b"content-type", b"application/x-www-form-urlencoded")],
             "server": ("test", 80), "client": ("127.0.0.1", 5000), "scheme": "http",
             "root_path": "", "http_version": "1.1", "app": app}  # fmt: skip
    with caplog.at_level("INFO"):
        await app.build_middleware_stack()(scope, receive, send)  # type: ignore[arg-type]
    assert [r.levelname for r in caplog.records if "disconnect" in r.getMessage()] == ["INFO"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_serve_refuses_a_plain_http_public_url_in_production(settings: Settings) -> None:
    env = {"PORTE_VOIX_MODE": "production", "PORTE_VOIX_SECRET_KEY": "s" * 40,
           "PORTE_VOIX_PUBLIC_URL": "http://consultation.example",
           "DATABASE_URL": settings.database_url, "PORTE_VOIX_DATA_DIR": str(settings.data_dir)}  # fmt: skip
    result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code != 0 and "https" in result.output
