"""The dashboard's web plumbing: templates, the signed-in viewer, guards and CSRF."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import anyio.to_thread
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from dashboard import definitions
from dashboard.config import DashboardConfig, dashboard_config
from storage import accounts

PREFIX = "/facilitator"
COOKIE = "pv_facilitator"
TEMPLATES = Path(__file__).with_name("templates")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
T = TypeVar("T")


@dataclass(frozen=True)
class Viewer:
    """The signed-in facilitator, as the pages need them."""

    id: int
    email: str
    role: str
    csrf: str
    token: str

    @property
    def admin(self) -> bool:
        """Say whether the viewer may manage accounts and erase data."""
        return self.role == "admin"


class Dashboard:
    """Shared state of the dashboard routes: services, configuration, templates."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.db = services.db
        self.settings = services.settings
        self.config: DashboardConfig = dashboard_config(services.settings)
        self.signer = URLSafeTimedSerializer(
            services.settings.secret_key, salt="porte-voix facilitator session"
        )
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.globals["prefix"] = PREFIX
        self.templates.env.globals["small_groups"] = self.config.groups
        self.templates.env.globals["definitions"] = definitions

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking database work in a worker thread."""
        return await anyio.to_thread.run_sync(lambda: fn(*args))

    def render(self, request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        """Render a page with the viewer, the CSRF token and the security headers."""
        viewer = request.scope.get("pv_viewer")
        context = {"viewer": viewer, "csrf": viewer.csrf if viewer else "", **context}
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        response.headers.update(SECURITY_HEADERS)
        return response

    def set_cookie(self, request: Request, response: Response, token: str) -> None:
        """Set the signed session cookie."""
        response.set_cookie(
            COOKIE,
            self.signer.dumps(token),
            max_age=accounts.SESSION_HOURS * 3600,
            path=PREFIX,
            httponly=True,
            samesite="lax",
            secure=self.config.secure_cookies or request.url.scheme == "https",
        )

    def viewer(self, request: Request) -> Viewer | None:
        """Return the signed-in facilitator of a request, or None."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            token = str(self.signer.loads(raw, max_age=accounts.SESSION_HOURS * 3600))
        except BadSignature:
            return None
        with self.db.transaction() as session:
            found = accounts.find_session(session, token)
            if found is None:
                return None
            account, csrf = found
            return Viewer(account.id, account.email, account.role, csrf, token)


Handler = Callable[[Request], Awaitable[Response]]


def forbidden(app: Dashboard, request: Request, message: str, status: int = 403) -> Response:
    """Answer a refused request with a page that holds no data."""
    return app.render(request, "error.html", {"title": "Accès refusé", "message": message}, status)


def guard(app: Dashboard, role: str = "facilitator") -> Callable[[Handler], Handler]:
    """Require a signed-in facilitator (and the role), and a valid CSRF token on POST."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapped(request: Request) -> Response:
            viewer = await app.run(app.viewer, request)
            if viewer is None:
                if request.method in ("GET", "HEAD"):
                    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
                    return RedirectResponse(f"{PREFIX}/login?next={target}", status_code=303)
                return forbidden(app, request, "Connectez-vous pour continuer.", 401)
            if role == "admin" and not viewer.admin:
                request.scope["pv_viewer"] = viewer
                return forbidden(app, request, "Cette page est réservée aux administrateurs.")
            request.scope["pv_viewer"] = viewer
            if request.method == "POST":
                form = await request.form()
                request.scope["pv_form"] = form
                sent = str(form.get("csrf_token", "")) or request.headers.get("x-csrf-token", "")
                if not hmac.compare_digest(sent, viewer.csrf):
                    return forbidden(app, request, "Le formulaire a expiré. Rechargez la page.")
            return await handler(request)

        return wrapped

    return decorate


def viewer_of(request: Request) -> Viewer:
    """Return the viewer a guard has checked."""
    viewer = request.scope.get("pv_viewer")
    assert isinstance(viewer, Viewer)
    return viewer


def form_of(request: Request) -> FormData:
    """Return the form a guard has already read and checked."""
    form = request.scope.get("pv_form")
    assert isinstance(form, FormData)
    return form


def html_error(app: Dashboard, request: Request, message: str, status: int = 400) -> Response:
    """Answer bad input with a clear message."""
    return app.render(request, "error.html", {"title": "Demande incorrecte", "message": message},
                      status)  # fmt: skip
