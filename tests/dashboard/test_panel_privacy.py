"""The panel page shows volunteers under pseudonyms; their profiles only as totals, small groups masked."""

from __future__ import annotations

import re

import httpx

from tests.dashboard.conftest import LiveServer, add_account, login
from tests.dashboard.seed import add_people
from tests.dashboard.test_outreach import plain


def test_volunteers_are_pseudonyms_and_profiles_are_totals(live: LiveServer, services) -> None:
    people = [{"age": "30-44", "genre": "femme", "volontaire": "oui"}] * 6
    people += [{"age": "75+", "genre": "homme", "volontaire": "oui"}]  # alone in their age group
    ids = add_people(services.db, services.crypto, people)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/panel")
        again = client.get(live.url + "/facilitator/panel")
    text = plain(page.text)
    assert "Volontaires (7)" in text
    names = re.findall(r"V-[0-9a-f]{16}", text)
    assert len(set(names)) == 7 and set(names) == set(re.findall(r"V-[0-9a-f]{16}", plain(again.text)))
    assert not any(f"V{i}" in text.split() for i in ids)  # no database order
    assert "75 ans et plus 1" not in text and "75+ 1" not in text
    assert "masqué" in text  # the lone 75+ and, with them, the smallest other group
    for row in re.findall(r"<tr>.*?</tr>", page.text, re.S):  # no row pairs a person and a profile
        assert not re.search(r"V-[0-9a-f]{16}", row)
