"""Response headers every page needs, and production's refusal of a plain-HTTP public URL."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.settings import Settings, SettingsError

# The kiosk loads its script and styles from /static only: no inline script, never framed.
KIOSK_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
             "frame-ancestors 'none'")  # fmt: skip
KIOSK_HEADERS = {"content-security-policy": KIOSK_CSP, "cache-control": "no-store",
                 "x-frame-options": "DENY", "referrer-policy": "no-referrer"}  # fmt: skip
HSTS = "max-age=31536000; includeSubDomains"


def check_public_url(settings: Settings) -> None:
    """Refuse to serve production on a public URL that is not HTTPS (cookies would leak)."""
    if settings.production and not settings.public_base_url.startswith("https://"):
        raise SettingsError("production needs an https:// public URL (PORTE_VOIX_PUBLIC_URL)")


class SecurityHeaders:
    """ASGI middleware: nosniff everywhere, CSP and no-store on the kiosk, HSTS in production."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kiosk = str(scope.get("path", "")).startswith("/kiosk")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("x-content-type-options", "nosniff")
                if kiosk:
                    for name, value in KIOSK_HEADERS.items():
                        headers[name] = value
                if self.hsts:
                    headers["strict-transport-security"] = HSTS
            await send(message)

        await self.app(scope, receive, with_headers)
