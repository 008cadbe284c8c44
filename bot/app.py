"""The ASGI application: health, kiosk, webhooks and the facilitators' dashboard."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot import disconnects, retours
from bot.audio import routes as audio
from bot.channels import registry
from bot.container import Services, build_services
from bot.security_headers import SecurityHeaders, check_public_url
from bot.settings import Settings, load_settings
from dashboard.routes import routes as dashboard_routes

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")


def feature_routes(services: Services) -> list[BaseRoute]:
    """Collect the routes of every channel in the registry and of every feature module."""
    return [
        *registry.routes(services.channels, services),
        *audio.routes(services),
        *retours.routes(services),
        *dashboard_routes(services),
    ]


def create_app(
    settings: Settings | None = None, services: Services | None = None, freeze_gc: bool = False
) -> Starlette:
    """Build the ASGI app; the database is migrated on start when it is SQLite.

    `freeze_gc` is for a serving process: what is loaded at start-up is moved out of the
    garbage collector's sight once warm (not in a test process, which starts many apps).
    """
    settings = settings or load_settings()
    check_public_url(settings)
    services = services or build_services(settings)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "flows": services.flows.ids()})

    async def home(request: Request) -> Response:
        return RedirectResponse("/kiosk", status_code=307)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if services.db.is_sqlite:
            services.db.upgrade()
        warm = getattr(services.interpreter, "warm", None)
        if warm is not None:  # load (or train) the NLU model before the first participant
            await anyio.to_thread.run_sync(warm)
        # Everything loaded so far (libraries, flows, the model) lives as long as the process:
        # out of the collector's sight, a full collection no longer walks a million objects
        # (a pause of a few hundred ms in the first minutes of serving).
        if freeze_gc:
            # A serving process lists the flows' clips now, not in its first read-back's request.
            warm_clips = getattr(services.service.forget_clips, "warm", None)
            if warm_clips is not None:
                await anyio.to_thread.run_sync(warm_clips)
            gc.collect()
            gc.freeze()
        loop = asyncio.create_task(services.dispatcher.run_forever())
        try:
            yield
        finally:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
            for channel in services.channels.values():
                close = getattr(channel, "aclose", None)
                if close is not None:
                    await close()

    routes: list[BaseRoute] = [
        Route("/", home),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *feature_routes(services),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=disconnects.HANDLERS,
                    middleware=[Middleware(SecurityHeaders, hsts=settings.production)])
    app.router.redirect_slashes = False  # its redirect is built from the Host header: 404 instead
    app.state.services = services
    return app


def app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` and multi-worker serving."""
    return create_app(freeze_gc=True)
