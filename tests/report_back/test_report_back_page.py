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
