"""Admin pages: accounts and the audit log."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.kiosk_limits import Enrolment
from bot.person_erasure import CHANNELS, PersonErasureError, erase_person
from bot.retention_files import delete_recordings_of, forget_clips, prune_clips
from dashboard.config import campaign_flows
from dashboard.web import PREFIX, Dashboard, form_of, guard, html_error, viewer_of
from storage import accounts, audit, erasure
from storage.privacy import PrivacyConfig


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the admin routes (and the kiosk enrolment, open to every facilitator)."""
    enrolment = Enrolment.from_settings(app.settings)

    def page(request: Request, message: str = "", error: str = "", status: int = 200) -> Response:
        with app.db.transaction() as session:
            rows = [(a.id, a.email, a.role, a.disabled_at is None)
                    for a in accounts.list_facilitators(session)]  # fmt: skip
        return app.render(request, "accounts.html", {
            "title": "Comptes", "active": "/accounts", "accounts": rows, "message": message,
            "error": error, "roles": accounts.ROLES, "min_length": accounts.MIN_PASSWORD_LENGTH,
        }, status)  # fmt: skip

    @guard(app, role="admin")
    async def show(request: Request) -> Response:
        return await app.run(page, request)

    @guard(app, role="admin")
    async def create(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)

        def make() -> Response:
            try:
                with app.db.transaction() as session:
                    account = accounts.add_facilitator(
                        session, str(form.get("email", "")), str(form.get("password", "")),
                        str(form.get("role", "facilitator")),
                    )  # fmt: skip
                    audit.record(session, viewer.email, "account_created", account=account.id,
                                 role=account.role)  # fmt: skip
            except accounts.AccountError as exc:
                return page(request, error=_french(str(exc)), status=400)
            return page(request, message="Le compte a été créé.")

        return await app.run(make)

    @guard(app, role="admin")
    async def toggle(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        try:
            target = int(str(request.path_params["account_id"]))
        except ValueError:
            return html_error(app, request, "Compte inconnu.", 404)
        disable = form.get("action") == "disable"
        if disable and target == viewer.id:
            return html_error(app, request, "Vous ne pouvez pas désactiver votre propre compte.")

        def apply() -> None:
            with app.db.transaction() as session:
                accounts.set_disabled(session, target, disable)
                audit.record(
                    session,
                    viewer.email,
                    "account_disabled" if disable else "account_enabled",
                    account=target,
                )

        try:
            await app.run(apply)
        except accounts.AccountError:
            return html_error(app, request, "Compte inconnu.", 404)
        return RedirectResponse(PREFIX + "/accounts", status_code=303)

    @guard(app, role="admin")
    async def journal(request: Request) -> Response:
        def load() -> list[tuple[str, str, str, str]]:
            with app.db.transaction() as session:
                return [(e.at.isoformat(timespec="seconds"), e.actor, e.action,
                         ", ".join(f"{k} = {v}" for k, v in sorted(e.detail.items())))
                        for e in audit.recent(session)]  # fmt: skip

        entries = await app.run(load)
        return app.render(
            request,
            "audit.html",
            {"title": "Journal des actions", "active": "/audit", "entries": entries},
        )

    def erase_page(request: Request, message: str = "", status: int = 200) -> Response:
        return app.render(request, "erase.html", {
            "title": "Effacer des données", "active": "/erase", "message": message,
            "flows": sorted(campaign_flows(app.services)), "days": retention_days(app),
            "channels": CHANNELS,
        }, status)  # fmt: skip

    @guard(app, role="admin")
    async def erase_form(request: Request) -> Response:
        return erase_page(request)

    @guard(app, role="admin")
    async def erase(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        what = str(form.get("what", ""))
        if what == "flow":
            flow_id = str(form.get("flow", ""))
            if not flow_id or str(form.get("confirm", "")).strip() != flow_id:
                return erase_page(request, "Recopiez le nom du questionnaire pour confirmer.", 400)

            def wipe() -> tuple[str, int]:
                with app.db.sessions() as session:
                    refs = erasure.flow_recordings(session, flow_id)
                    texts = erasure.flow_texts(session, flow_id)
                failed = delete_remote(app, refs)
                if failed:  # as `porte-voix erase`: all or nothing
                    return (f"{len(failed)} enregistrements n'ont pas pu être effacés chez Twilio. "
                            "Rien n'a été effacé : réessayez plus tard."), 503  # fmt: skip
                with app.db.transaction() as session:
                    runs, people = erasure.erase_flow(session, flow_id, recordings(app))
                    audit.record(session, viewer.email, "data_erased", flow=flow_id, runs=runs,
                                 participants=people)  # fmt: skip
                forget_clips(app.settings, texts)
                return f"{runs} parcours et {people} personnes effacés.", 200

            return erase_page(request, *await app.run(wipe))
        if what == "expired":
            days = retention_days(app)

            def expire() -> str:
                with app.db.sessions() as session:
                    refs = erasure.expired_recordings(session, days)
                failed = delete_remote(app, refs)  # those Twilio keeps are tried again next time
                prune_clips(app.settings, readback_days(app))
                with app.db.transaction() as session:
                    report = erasure.erase_expired(session, days, recordings(app), keep_refs=failed)
                    audit.record(session, viewer.email, "data_expired", days=days,
                                 **report.__dict__)  # fmt: skip
                done = (f"{report.participants} personnes anonymisées (plus de {days} jours sans "
                        f"message) : adresses, textes libres et enregistrements effacés.")  # fmt: skip
                if failed:
                    done += (f" {len(failed)} enregistrements n'ont pas pu être effacés chez Twilio : "
                             "ils le seront au prochain passage.")  # fmt: skip
                return done

            return erase_page(request, await app.run(expire))
        if what == "person":
            channel, address = str(form.get("channel", "")), str(form.get("address", "")).strip()
            if channel not in CHANNELS or not address:
                return erase_page(request, "Choisissez le canal et écrivez l'adresse.", 400)

            def forget() -> tuple[str, int]:
                try:
                    done = erase_person(app.settings, app.db, channel, address, viewer.email)
                except PersonErasureError:
                    return ("Personne n'a été effacé : adresse inconnue sur ce canal, ou "
                            "enregistrements gardés chez Twilio (réessayez plus tard)."), 404  # fmt: skip
                return f"Une personne effacée, avec {done.answers} réponses.", 200

            return erase_page(request, *await app.run(forget))
        return erase_page(request, "Choisissez ce qu'il faut effacer.", 400)

    def device_page(request: Request, message: str = "") -> Response:
        return app.render(request, "kiosk_device.html", {
            "title": "Borne d'un lieu d'accueil", "active": "/kiosk-device", "message": message,
            "enrolled": enrolment.enrolled(request),
        })  # fmt: skip

    @guard(app)
    async def device_form(request: Request) -> Response:
        return device_page(request)

    @guard(app)
    async def enrol(request: Request) -> Response:
        viewer = viewer_of(request)

        def note() -> None:
            with app.db.transaction() as session:
                audit.record(session, viewer.email, "kiosk_enrolled")

        await app.run(note)
        page = device_page(request, "Cet appareil est enregistré comme borne. Déconnectez-vous, "
                                    "puis ouvrez la borne.")  # fmt: skip
        return enrolment.enrol(page, viewer.id)

    return [
        Route(PREFIX + "/erase", erase_form, methods=["GET"]),
        Route(PREFIX + "/erase", erase, methods=["POST"]),
        Route(PREFIX + "/kiosk-device", device_form, methods=["GET"]),
        Route(PREFIX + "/kiosk-device", enrol, methods=["POST"]),
        Route(PREFIX + "/accounts", show, methods=["GET"]),
        Route(PREFIX + "/accounts", create, methods=["POST"]),
        Route(PREFIX + "/accounts/{account_id}", toggle, methods=["POST"]),
        Route(PREFIX + "/audit", journal, methods=["GET"]),
    ]


def recordings(app: Dashboard) -> Path:
    """Return where recorded answers are stored (as bot.cli.privacy does)."""
    return Path(app.settings.data_dir) / "recordings"


def delete_remote(app: Dashboard, refs: list[str]) -> list[str]:
    """Delete recordings kept at Twilio (and local files) before their rows; return the failures."""
    return delete_recordings_of(app.settings, refs).failed if refs else []


def readback_days(app: Dashboard) -> float:
    """Return how long audio read-backs are kept (privacy.readback_audio_days)."""
    return app.settings.typed(PrivacyConfig).readback_audio_days


def retention_days(app: Dashboard) -> int:
    """Return how long participation data is kept (privacy.retention_days)."""
    return app.settings.typed(PrivacyConfig).retention_days


def _french(message: str) -> str:
    """Translate an account error for the page."""
    if "already exists" in message:
        return "Un compte existe déjà pour cette adresse."
    if "password" in message:
        return f"Le mot de passe doit avoir au moins {accounts.MIN_PASSWORD_LENGTH} caractères."
    if "e-mail" in message:
        return "Cette adresse e-mail n'est pas valable."
    return "Ce rôle n'existe pas."
