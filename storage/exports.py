"""Answers for export, streamed one respondent at a time, without address or key.

Respondents are numbered with an HMAC of the participant id under a random salt made
for each export: rows of one person share a number inside an export, but two exports
cannot be joined on it, and nothing in the file leads back to the database's ids.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.counted import counted_runs
from storage.masking import mask
from storage.models import Answer, Run

BATCH = 2000
META = ("respondent", "flow_version", "channel", "status", "date", "easy", "assisted")


def redact(text: str) -> str:
    """Mask phone numbers and e-mail addresses a participant may have written (older rows too)."""
    return mask(text)


class Pseudonyms:
    """Per-export numbers: HMAC-SHA256 of a database id under this export's salt, 16 hex digits.

    Respondents are "R…"; FLOIP's answer rows are "A…" (prefix), so no id joins two exports.
    """

    def __init__(self, salt: bytes | None = None, prefix: str = "R") -> None:
        self._salt = salt or secrets.token_bytes(32)
        self._prefix = prefix

    def __call__(self, participant_id: int) -> str:
        """Return the number of a participant (or an answer) in this export."""
        digest = hmac.new(self._salt, str(participant_id).encode(), hashlib.sha256).hexdigest()
        return self._prefix + digest[:16]


@dataclass(frozen=True)
class Layout:
    """The columns of one flow's export: metadata, then one per result (plus themes)."""

    flow_id: str
    results: Sequence[str]
    text_results: frozenset[str] = frozenset()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Return the column names, in order."""
        columns = list(META)
        for result in self.results:
            columns.append(result)
            if result in self.text_results:
                columns.append(f"{result}_theme")
        return columns


@dataclass(frozen=True)
class AnswerRow:
    """One answer, as the long (one row per answer) formats need it."""

    answer_id: int
    respondent: str
    result: str
    value: str
    at: datetime


def _answers(session: Session, flow_id: str) -> Any:
    """Stream the answers of each person's run that counts, grouped by run."""
    query = (
        select(Answer.run_id, Answer.participant_id, Answer.result, Answer.value, Answer.raw_text,
               Answer.theme, Answer.easy, Answer.assisted, Answer.created_at, Answer.id,
               Run.flow_version, Run.channel, Run.status, Run.started_at)
        .join(Run, Run.id == Answer.run_id)
        .where(Answer.flow_id == flow_id, Answer.run_id.in_(counted_runs(flow_id)))
        .order_by(Answer.run_id, Answer.id)
        .execution_options(yield_per=BATCH)
    )  # fmt: skip
    return session.execute(query)


def _text(value: str, raw: str | None) -> str:
    """Return what a free-text answer said (a recording's transcript when there is one)."""
    return redact(raw if value == "audio" and raw else value)


def respondent_rows(session: Session, layout: Layout, pseudonyms: Pseudonyms) -> Iterator[dict[str, Any]]:
    """Yield one row per person (their run that counts), keyed by the layout's columns."""
    known = set(layout.results)
    current: dict[str, Any] | None = None
    current_run: int | None = None
    for r in _answers(session, layout.flow_id):
        if r.run_id != current_run:
            if current is not None:
                yield current
            current_run = r.run_id
            current = dict.fromkeys(layout.columns, "")
            current.update(
                respondent=pseudonyms(r.participant_id), flow_version=r.flow_version,
                channel=r.channel, status=r.status, date=r.started_at.date().isoformat(),
                easy=False, assisted=False,
            )  # fmt: skip
        assert current is not None
        current["easy"] = current["easy"] or bool(r.easy)
        current["assisted"] = current["assisted"] or bool(r.assisted)
        if r.result not in known:
            continue
        if r.result in layout.text_results:
            current[r.result] = _text(r.value, r.raw_text)
            current[f"{r.result}_theme"] = r.theme or ""
        else:
            current[r.result] = r.value
    if current is not None:
        yield current


def answer_rows(session: Session, flow_id: str, pseudonyms: Pseudonyms,
                text_results: frozenset[str]) -> Iterator[AnswerRow]:  # fmt: skip
    """Yield one row per answer (for the Flow Results Package)."""
    for r in _answers(session, flow_id):
        value = _text(r.value, r.raw_text) if r.result in text_results else r.value
        yield AnswerRow(r.id, pseudonyms(r.participant_id), r.result, value, r.created_at)


def extra_results(session: Session, flow_id: str, results: Sequence[str]) -> list[str]:
    """Return result names answered under older flow versions that the current one lacks."""
    answered = session.scalars(select(Answer.result).where(Answer.flow_id == flow_id).distinct())
    return sorted(set(answered) - set(results))
