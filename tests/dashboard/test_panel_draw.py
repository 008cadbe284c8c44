"""The panel draw says who it left out and why, and quotas use participation, channel, reading."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy import select

from dashboard.panel import left_out
from storage.dashboard_models import Panel, PanelMember
from storage.models import Participant
from storage.small_groups import SmallGroups
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people

QUOTAS = """feature,value,min,max
vie_publique,souvent,2,2
vie_publique,jamais,2,2
canal,sms,2,2
canal,telegram,2,2
lecture,facile,2,2
lecture,standard,2,2
"""


def seed(services) -> None:
    """Eight volunteers with a participation level, and five who did not say it."""
    people = [{"age": "30-44", "genre": "femme", "volontaire": "oui",
               "vie_publique": ("souvent", "jamais")[i % 2]} for i in range(4)]  # fmt: skip
    add_people(services.db, services.crypto, people)
    add_people(services.db, services.crypto, people, channel="sms", easy=True)
    add_people(services.db, services.crypto, [{"volontaire": "oui"}] * 5)
    add_account(services.db, "anne@example.org")


def plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_draw_uses_new_quotas_and_lists_who_it_left_out(live: LiveServer, services) -> None:
    seed(services)
    with httpx.Client(timeout=120) as client:
        login(client, live.url, "anne@example.org")
        panel = client.get(live.url + "/facilitator/panel").text
        assert "sms pour SMS, telegram pour Telegram" in plain(panel)  # key and label
        token = csrf_of(panel)
        form = {"csrf_token": token, "size": "4", "seed": "9", "quotas": QUOTAS}
        page = client.post(live.url + "/facilitator/panel/draw", follow_redirects=True, data=form)
    text = plain(page.text)
    assert page.status_code == 200, text
    assert "Volontaires non tirés au sort : 5" in text
    assert "5 volontaires sans participation à la vie publique : non tirés" in text
    with services.db.transaction() as session:
        panel = session.scalar(select(Panel.id))
        members = select(PanelMember.participant_id).where(PanelMember.panel_id == panel)
        drawn = list(session.scalars(select(Participant).where(Participant.id.in_(members))))
    assert sorted(p.channel for p in drawn) == ["sms", "sms", "telegram", "telegram"]
    assert sorted(p.easy for p in drawn) == [False, False, True, True]


def test_a_small_group_left_out_is_counted_under_the_rule() -> None:
    shown = left_out(SmallGroups(5), {"left_out": [["sans âge ni genre", 3], ["Âge hors des quotas", 6]]})
    assert str(shown["total"]) == "9"
    assert [(reason, str(n)) for reason, n in shown["reasons"]] == [
        ("sans âge ni genre", "< 5"), ("Âge hors des quotas", "masqué")]  # 6 = 9 - 3
