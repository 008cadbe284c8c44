"""Recruitment: volunteers, a panel drawn by sortition under quotas, invitations."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard import labels, outreach
from dashboard.config import campaign_flows
from dashboard.figures import profile_options
from dashboard.sortition import QUOTA_FEATURES, QuotaError, draw, parse_quotas
from dashboard.web import PREFIX, Dashboard, form_of, guard, html_error, viewer_of
from storage import audit, panels
from storage.exports import Pseudonyms
from storage.models import utcnow
from storage.small_groups import Count, SmallGroups

ANSWERS = (("oui", "Ont dit oui"), ("non", "Ont dit non"), ("stop", "Ont arrêté les messages (STOP)"),
           ("", "Sans réponse"))  # fmt: skip
INVITATION = (
    "Bonjour ! Vous avez été tiré·e au sort pour l'atelier citoyen sur l'égalité entre les "
    "femmes et les hommes. L'équipe vous recontactera pour la date et le lieu. Répondez STOP "
    "si vous ne souhaitez pas venir."
)
INVITATION_EASY = (
    "Bonjour !\nVous êtes choisi pour l'atelier.\nOn va parler d'égalité.\n"
    "Nous allons vous dire la date et le lieu.\nVous ne voulez pas venir ? Écrivez STOP."
)


def invitation_replies(session: Session, panel_id: int, name: Callable[[int], str]) -> dict[str, Any]:
    """Say who answered the panel's invitation yes, no, or nothing, by volunteer pseudonym."""
    answers = panels.invitation_answers(session, panel_id)
    people = sorted((name(pid), answer) for pid, answer in answers.items())
    return {
        "counts": [(label, sum(1 for _n, a in people if a == key)) for key, label in ANSWERS],
        "people": [(n, dict(ANSWERS)[a]) for n, a in people],
    }


def left_out(groups: SmallGroups, saved: dict[str, Any]) -> dict[str, Any]:
    """Say how many volunteers a draw left out and why, each reason under the small-group rule."""
    reasons = [(str(reason), int(n)) for reason, n in saved.get("left_out", [])]
    counts = groups.column([n for _r, n in reasons], keys=[r for r, _n in reasons])
    return {"total": groups.count(sum(n for _r, n in reasons)),
            "reasons": [(r, c) for (r, _n), c in zip(reasons, counts, strict=True)]}  # fmt: skip


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the recruitment routes."""
    features = list(app.config.profile_results)
    # Volunteers are shown under a pseudonym, stable for this server, never with their profile.
    pseudonym = Pseudonyms(hmac.new(app.settings.secret_key.encode(), b"porte-voix panel",
                                    hashlib.sha256).digest(), prefix="V-")  # fmt: skip

    def profile_counts(people: list[panels.Volunteer], names: dict[str, dict[str, str]]
                       ) -> list[tuple[str, list[tuple[str, Count]]]]:  # fmt: skip
        """Count people per profile value, each feature under the small-group rule."""
        table = []
        for feature in features:
            counts = Counter(v.profile.get(feature, "") for v in people)
            rows = [(key, names.get(feature, {}).get(key, key) if key else "Sans réponse", n)
                    for key, n in sorted(counts.items())]  # fmt: skip
            cells = app.config.groups.table(rows)
            table.append((labels.FEATURES.get(feature, feature), [(c.label, c.count) for c in cells]))
        return table

    def example_quotas() -> str:
        flow = campaign_flows(app.services).get(app.config.profile_flow)
        options = profile_options(flow, app.config)
        lines = ["feature,value,min,max"]
        for feature in features[:1]:
            lines += [f"{feature},{key},0,10" for key, _label in options.get(feature, [])]
        return "\n".join(lines)

    def render(request: Request, error: list[str] | None = None, form: FormData | None = None,
               status: int = 200) -> Response:  # fmt: skip
        flow = campaign_flows(app.services).get(app.config.profile_flow)
        names = {f: dict(o) for f, o in profile_options(flow, app.config).items()}
        c = app.config
        with app.db.transaction() as session:
            pool = panels.volunteers(session, c.profile_flow, c.volunteer_result, c.yes_key,
                                     c.profile_results)  # fmt: skip
            channels = [(key, labels.channel(key)) for key in sorted({v.channel for v in pool})]
            latest = panels.latest_panel(session)
            panel: dict[str, Any] | None = None
            if latest is not None:
                members = panels.members(session, latest.id)
                drawn = {m.participant_id for m in members}
                panel = {
                    "id": latest.id, "size": latest.size, "seed": latest.seed,
                    "at": latest.created_at.strftime("%d/%m/%Y %H:%M"), "by": latest.created_by,
                    "invited": latest.invited_at is not None,
                    "members": sorted(pseudonym(m.participant_id) for m in members),
                    "profile": profile_counts([v for v in pool if v.participant_id in drawn], names),
                    "delivery": outreach.progress(app.services, panels.delivery(
                        session, [m.outbox_id for m in members if m.outbox_id])),
                    "replies": invitation_replies(session, latest.id, pseudonym),
                    "left_out": left_out(app.config.groups, latest.quotas),
                }  # fmt: skip
        values: Any = form or {}
        return app.render(request, "panel.html", {
            "title": "Recrutement du panel", "active": "/panel", "panel": panel,
            "volunteers": sorted(pseudonym(v.participant_id) for v in pool),
            "profile": profile_counts(pool, names), "quota_keys": features, "channels": channels,
            "errors": error or [], "size": values.get("size", "10"),
            "seed": values.get("seed", str(secrets.randbelow(999_999) + 1)),
            "quotas": values.get("quotas", example_quotas()),
            "invitation": INVITATION, "invitation_easy": INVITATION_EASY,
        }, status)  # fmt: skip

    @guard(app)
    async def page(request: Request) -> Response:
        return await app.run(render, request)

    @guard(app)
    async def run_draw(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        upload = form.get("file")
        text = str(form.get("quotas", ""))
        if isinstance(upload, UploadFile) and upload.filename:
            text = (await upload.read(256 * 1024)).decode("utf-8", errors="replace")
        try:
            size, seed = int(str(form.get("size", ""))), int(str(form.get("seed", "")))
        except ValueError:
            return await app.run(
                render, request, ["La taille et la graine doivent être des nombres."], form, 400
            )
        c = app.config

        def attempt() -> None:
            quotas = parse_quotas(text)
            others = sorted({q.feature for q in quotas} - set(features) - {panels.CHANNEL, panels.READING})
            with app.db.transaction() as session:
                pool = panels.volunteers(session, c.profile_flow, c.volunteer_result, c.yes_key,
                                         c.profile_results)  # fmt: skip
                pool = panels.with_traits(session, c.profile_flow, pool, others)
            result = draw(quotas, pool, size, seed, {**QUOTA_FEATURES, **labels.FEATURES})
            with app.db.transaction() as session:
                saved = panels.save_panel(
                    session,
                    result.selected,
                    size,
                    seed,
                    {"rows": [q.__dict__ for q in quotas], "left_out": sorted(result.left_out.items())},
                    viewer.email,
                )
                audit.record(session, viewer.email, "panel_drawn", panel=saved.id, size=size,
                             seed=seed, volunteers=len(pool))  # fmt: skip

        try:
            await app.run(attempt)
        except QuotaError as exc:
            return await app.run(render, request, exc.reasons, form, 400)
        return RedirectResponse(PREFIX + "/panel", status_code=303)

    @guard(app)
    async def invite(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        text, easy = str(form.get("text", "")).strip(), str(form.get("easy", "")).strip()
        if not text or not easy:
            return html_error(app, request, "Écrivez le message dans les deux versions.")
        try:
            panel_id = int(str(request.path_params["panel_id"]))
        except ValueError:
            return html_error(app, request, "Panel inconnu.", 404)

        def send() -> list[int] | None:
            with app.db.transaction() as session:
                members = panels.members(session, panel_id)
                if not members:
                    return None
                todo = [m for m in members if m.outbox_id is None]
                queued = outreach.queue(
                    session,
                    [m.participant_id for m in todo],
                    text,
                    easy,
                    {"kind": "panel_invitation", "panel": panel_id},
                    app.services,
                )
                for member in todo:
                    member.outbox_id = queued.get(member.participant_id)
                latest = panels.latest_panel(session)
                if latest is not None and latest.id == panel_id:
                    latest.invited_at = utcnow()
                audit.record(session, viewer.email, "panel_invited", panel=panel_id,
                             messages=len(queued))  # fmt: skip
                return list(queued.values())

        ids = await app.run(send)
        if ids is None:
            return html_error(app, request, "Panel inconnu.", 404)
        await outreach.dispatch(app.services, ids)
        return RedirectResponse(PREFIX + "/panel", status_code=303)

    return [
        Route(PREFIX + "/panel", page, methods=["GET"]),
        Route(PREFIX + "/panel/draw", run_draw, methods=["POST"]),
        Route(PREFIX + "/panel/{panel_id}/invite", invite, methods=["POST"]),
    ]
