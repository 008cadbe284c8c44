"""FLOIP row and contact ids are keyed per export: two exports cannot be joined on them."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from dashboard.exporters import floip_stream
from storage.exports import AnswerRow, Pseudonyms

DESCRIPTOR = {"resources": [{"schema": {"questions": {"humeur": {"type": "select_one"}}}}]}


def responses(answer_ids: list[int]) -> list[list[object]]:
    """Export the same answers once, as a new export would, and read responses.json back."""
    contacts = Pseudonyms()
    rows = [AnswerRow(i, contacts(i // 2), "humeur", "bien", datetime(2026, 11, 1, tzinfo=UTC))
            for i in answer_ids]  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(b"".join(floip_stream(DESCRIPTOR, rows)))) as archive:
        return list(json.loads(archive.read("responses.json")))


def test_two_exports_share_no_row_or_contact_id() -> None:
    ids = [100, 101, 102, 103]
    first, second = responses(ids), responses(ids)
    assert {r[1] for r in first}.isdisjoint({r[1] for r in second})
    assert {r[2] for r in first}.isdisjoint({r[2] for r in second})
    assert not {r[1] for r in first} & set(ids) and len({r[1] for r in first}) == 4
    assert len({r[2] for r in first}) == 2  # one contact's rows still share their id
