"""The report back refuses what would show a small group or cost more than two SMS, and loses nothing."""

from __future__ import annotations

import httpx

from storage import report_back
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.report_back.helpers import plain


def test_a_small_group_or_a_long_sms_is_refused_and_nothing_is_published(live: LiveServer, services) -> None:
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/report-back")
        assert "/retours" in plain(page.text)  # the SMS offered names the public page
        form = {"csrf_token": csrf_of(page.text), "intro_text": "Merci à tous.",
                "intro_easy": "Merci !\n3 personnes ont parlé du bus.",
                "sms": "Des nouvelles : /retours"}  # fmt: skip
        small = client.post(live.url + "/facilitator/report-back/send", data=form)
        assert small.status_code == 400
        refusal = "« 3 personnes » : un groupe de moins de 5 personnes ne peut pas être montré"
        assert refusal in plain(small.text)
        form["intro_easy"], form["sms"] = "Merci !", "Des nouvelles de vos idées. " * 12
        long = client.post(live.url + "/facilitator/report-back/preview", data=form)
        assert long.status_code == 400 and "Le SMS est trop long : 3 SMS." in plain(long.text)
    with services.db.transaction() as session:
        assert report_back.latest(session) is None


def test_a_double_click_on_send_publishes_and_sends_once(live: LiveServer, services) -> None:
    from sqlalchemy import func, select

    from storage.models import OutboxMessage
    from tests.dashboard.seed import add_people

    add_people(services.db, services.crypto, [{"suivi": "oui"}] * 6)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/report-back")
        form = {"csrf_token": csrf_of(page.text), "intro_text": "Merci à tous.", "intro_easy": "Merci !",
                "sms": "Des nouvelles de vos idées : /retours"}  # fmt: skip
        first = client.post(live.url + "/facilitator/report-back/send", data=form)
        assert first.status_code == 303
        again = client.post(live.url + "/facilitator/report-back/send", data=form)
        assert again.status_code == 409
        assert "déjà été envoyé" in plain(again.text)
        # A changed report back is a new one, and goes.
        changed = client.post(live.url + "/facilitator/report-back/send",
                              data={**form, "intro_easy": "Merci !\nVoici."})  # fmt: skip
        assert changed.status_code == 303
    with services.db.transaction() as session:
        assert len(report_back.published(session)) == 2
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 12


def test_two_sends_at_the_same_instant_publish_once(live: LiveServer, services) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.dashboard.seed import add_people

    add_people(services.db, services.crypto, [{"suivi": "oui"}] * 6)
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/report-back")
        form = {"csrf_token": csrf_of(page.text), "intro_text": "Merci à tous.", "intro_easy": "Merci !",
                "sms": "Des nouvelles de vos idées : /retours"}  # fmt: skip
        with ThreadPoolExecutor(4) as pool:
            sent = list(pool.map(lambda _: client.post(live.url + "/facilitator/report-back/send", data=form),
                                 range(4)))  # fmt: skip
    assert sorted(r.status_code for r in sent) == [303, 409, 409, 409]
    with services.db.transaction() as session:
        assert len(report_back.published(session)) == 1
