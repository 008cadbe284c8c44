"""A step kind defined only in the tests: react to a statement (agree, disagree, do not know).

Nothing in the project names it: registering it is all it takes to use it in a flow.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx

from flows.kinds.choice import SingleChoice
from flows.model import Step
from storage.db import Database
from tests.dashboard.conftest import PASSWORD, add_account, csrf_of

FLOWS = Path(__file__).resolve().parent / "flows"
KEYS = ("accord", "desaccord", "ne_sait_pas")


class Reaction(SingleChoice):
    """A statement answered with d'accord, pas d'accord or je ne sais pas."""

    name = "avis_test"
    feeling = True  # three pictures, no more
    default_choices = (
        {"key": "accord", "label": "D'accord", "icon": "👍"},
        {"key": "desaccord", "label": "Pas d'accord", "icon": "👎"},
        {"key": "ne_sait_pas", "label": "Je ne sais pas", "icon": "🤷"},
    )

    def check(self, step: Step) -> list[str]:
        """Keep the three keys, so every reaction reads the same in the exports."""
        if tuple(c.key for c in step.choices) != KEYS:
            return [f"a reaction has the keys {', '.join(KEYS)}"]
        return []


async def download(http: httpx.AsyncClient, db: Database, fmt: str = "csv", flow: str = "avis") -> bytes:
    """Log in to the dashboard as a facilitator and download an export of a flow."""
    add_account(db, "anne@example.org")
    page = await http.get("/facilitator/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce, page.text
    await http.post("/facilitator/login", data={"email": "anne@example.org", "password": PASSWORD,
                                                "nonce": nonce.group(1), "next": ""})  # fmt: skip
    page = await http.get("/facilitator/exports")
    form = {"format": fmt, "flow": flow, "csrf_token": csrf_of(page.text)}
    response = await http.post("/facilitator/exports/answers", data=form)
    assert response.status_code == 200, response.text
    return response.content


async def exported(http: httpx.AsyncClient, db: Database) -> list[dict[str, str]]:
    """Return the rows of the CSV export of the flow `avis`."""
    content = await download(http, db)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
