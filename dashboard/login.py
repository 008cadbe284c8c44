"""Logging in and out."""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard import login_delay
from dashboard.web import COOKIE, PREFIX, Dashboard, guard, viewer_of
from storage import accounts, audit
from storage.models import utcnow

LOGIN_COOKIE = "pv_login"


def safe_next(target: str | None) -> str:
    """Return a redirect target inside the dashboard (never another site)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        return target
    return PREFIX + "/"


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the login and logout routes."""

    def login_page(request: Request, error: str = "", status: int = 200) -> Response:
        nonce = secrets.token_urlsafe(24)
        response = app.render(
            request,
            "login.html",
            {"title": "Connexion", "nonce": nonce, "error": error,
             "next": safe_next(request.query_params.get("next"))},
            status,
        )  # fmt: skip
        response.set_cookie(
            LOGIN_COOKIE, app.signer.dumps(nonce), max_age=3600, path=PREFIX, httponly=True,
            samesite="lax", secure=app.config.secure_cookies or request.url.scheme == "https",
        )  # fmt: skip
        return response

    async def show(request: Request) -> Response:
        if await app.run(app.viewer, request):
            return RedirectResponse(PREFIX + "/", status_code=303)
        return login_page(request)

    async def submit(request: Request) -> Response:
        form = await request.form()
        try:
            expected = str(app.signer.loads(request.cookies.get(LOGIN_COOKIE, ""), max_age=3600))
        except BadSignature:
            expected = ""
        if not expected or not hmac.compare_digest(expected, str(form.get("nonce", ""))):
            return login_page(request, "Le formulaire a expiré. Réessayez.", 403)
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        client = request.client.host if request.client else "unknown"

        def attempt() -> tuple[str | None, int]:
            now = utcnow()
            with app.db.transaction() as session:
                wait = login_delay.wait_left(session, email, client, now)
                if wait:  # not even checked: a guess made early is no guess
                    return None, wait
                facilitator = accounts.authenticate(session, email, password)
                if facilitator is None:
                    login_delay.failed(session, email, client, now)
                    return None, 0
                login_delay.succeeded(session, email, client)
                audit.record(session, facilitator.email, "login")
                return accounts.open_session(session, facilitator), 0

        token, wait = await app.run(attempt)
        if wait:
            return login_page(request, f"Trop d'essais. Attendez {wait} secondes, puis réessayez.", 429)
        if token is None:
            return login_page(request, "Adresse e-mail ou mot de passe incorrect.", 401)
        response = RedirectResponse(safe_next(str(form.get("next", ""))), status_code=303)
        app.set_cookie(request, response, token)
        response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
        return response

    @guard(app)
    async def logout(request: Request) -> Response:
        viewer = viewer_of(request)

        def close() -> None:
            with app.db.transaction() as session:
                accounts.close_session(session, viewer.token)
                audit.record(session, viewer.email, "logout")

        await app.run(close)
        response = RedirectResponse(PREFIX + "/login", status_code=303)
        response.delete_cookie(COOKIE, path=PREFIX)
        return response

    return [
        Route(PREFIX + "/login", show, methods=["GET"], name="dashboard_login"),
        Route(PREFIX + "/login", submit, methods=["POST"]),
        Route(PREFIX + "/logout", logout, methods=["POST"], name="dashboard_logout"),
    ]
