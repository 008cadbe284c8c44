"""Helpers of the report-back tests: a page's words, a recommendation through the real form."""

from __future__ import annotations

import html
import re

import httpx

from tests.dashboard.conftest import csrf_of


def plain(page: str) -> str:
    """Return the words of a page, without tags."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def recommend(client: httpx.Client, base: str, title: str, easy: str, status: str = "pending",
              reason: str = "", rid: int | None = None) -> httpx.Response:  # fmt: skip
    """Add (or, with rid, edit) a recommendation through the dashboard's form."""
    token = csrf_of(client.get(base + "/facilitator/recommendations").text)
    target = "add" if rid is None else str(rid)
    return client.post(f"{base}/facilitator/recommendations/{target}", follow_redirects=True,
                       data={"csrf_token": token, "title": title, "easy_title": easy, "status": status,
                             "reason": reason, "pictogram": "transport"})  # fmt: skip
