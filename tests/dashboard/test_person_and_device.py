"""Dashboard: an admin erases one person; a facilitator enrols a day centre's kiosk (audited)."""

from __future__ import annotations

import html

import httpx
from sqlalchemy import select

from bot.kiosk_limits import DEVICE_COOKIE
from storage.dashboard_models import AuditEntry
from storage.models import Answer, Participant
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people


def test_an_admin_erases_one_person_and_no_one_else(live: LiveServer, services) -> None:
    ids = add_people(services.db, services.crypto, [{"age": "30-44"}] * 2)
    with services.db.transaction() as session:
        address = services.crypto.decrypt(session.get(Participant, ids[0]).address_enc)
    add_account(services.db, "root@example.org", "admin")
    with httpx.Client() as client:
        login(client, live.url, "root@example.org")
        token = csrf_of(client.get(live.url + "/facilitator/erase").text)
        unknown = client.post(live.url + "/facilitator/erase", data={
            "csrf_token": token, "what": "person", "channel": "telegram", "address": "nobody"})  # fmt: skip
        assert unknown.status_code == 404
        done = client.post(live.url + "/facilitator/erase", data={
            "csrf_token": token, "what": "person", "channel": "telegram", "address": address})  # fmt: skip
        assert "Une personne effacée" in html.unescape(done.text)
        assert address not in done.text
    with services.db.transaction() as session:
        assert list(session.scalars(select(Participant.id))) == [ids[1]]
        assert {a.participant_id for a in session.scalars(select(Answer))} == {ids[1]}
        erased = session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
        assert address not in repr(erased.detail)


def test_a_facilitator_enrols_this_device_as_a_kiosk(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/kiosk-device")
        assert "n'est pas enregistré" in html.unescape(page.text)
        done = client.post(live.url + "/facilitator/kiosk-device", data={"csrf_token": csrf_of(page.text)})
        assert done.status_code == 200
        cookie = done.headers["set-cookie"]
        assert cookie.startswith(DEVICE_COOKIE + "=") and "Path=/kiosk" in cookie and "HttpOnly" in cookie
    with services.db.transaction() as session:
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "kiosk_enrolled")).one()
    with httpx.Client() as stranger:
        refused = stranger.post(live.url + "/facilitator/kiosk-device", data={"csrf_token": "x"})
        assert refused.status_code == 401 and "set-cookie" not in refused.headers
