"""Free-text answers as facilitators read them, and the themes they correct."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.counted import counted_runs
from storage.models import Answer
from storage.theme_models import ThemeCorrection


@dataclass(frozen=True)
class FreeText:
    """One counted free-text answer: its id, what was said, its theme ('' for none)."""

    answer_id: int
    participant_id: int
    text: str
    theme: str
    corrected: bool


def said(value: str, raw: str | None) -> str:
    """Return what an answer says: the transcript for a recording, else its value."""
    text = raw if value == "audio" else value
    return "" if not text or text == "audio" else text


def free_texts(
    session: Session, flow_id: str, results: list[str], theme: str | None = None, limit: int = 500
) -> list[FreeText]:
    """Return the latest counted free texts of a flow, of one theme when given ('' for none)."""
    query = (
        select(Answer.id, Answer.participant_id, Answer.value, Answer.raw_text, Answer.theme,
               ThemeCorrection.id)
        .outerjoin(ThemeCorrection, ThemeCorrection.answer_id == Answer.id)
        .where(Answer.run_id.in_(counted_runs(flow_id)), Answer.result.in_(results))
        .order_by(Answer.id.desc())
        .limit(limit)
    )  # fmt: skip
    if theme is not None:
        query = query.where(Answer.theme.is_(None) if not theme else Answer.theme == theme)
    found = []
    for answer_id, person, value, raw, given, correction in session.execute(query):
        text = said(value, raw)
        if text:
            found.append(FreeText(answer_id, person, text, given or "", correction is not None))
    return found


def correct(session: Session, answer_id: int, theme: str, by: str) -> tuple[str, str] | None:
    """Set an answer's theme; return (before, after), or None for an unknown answer."""
    answer = session.get(Answer, answer_id)
    if answer is None:
        return None
    before = answer.theme or ""
    correction = session.scalar(select(ThemeCorrection).where(ThemeCorrection.answer_id == answer_id))
    if correction is None:
        correction = ThemeCorrection(answer_id=answer_id, automatic=answer.theme, theme=theme,
                                     corrected_by=by)  # fmt: skip
        session.add(correction)
    correction.theme, correction.corrected_by = theme, by
    answer.theme = theme
    session.flush()
    return before, theme


def examples(session: Session) -> dict[str, list[str]]:
    """Return the corrected texts per theme, still as corrected (a text answered again is left out)."""
    query = (
        select(ThemeCorrection.theme, Answer.value, Answer.raw_text)
        .join(Answer, Answer.id == ThemeCorrection.answer_id)
        .where(Answer.theme == ThemeCorrection.theme)
        .order_by(ThemeCorrection.theme, Answer.id)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for theme, value, raw in session.execute(query):
        text = " ".join(said(value, raw).split())
        if text and text not in found[theme]:
            found[theme].append(text)
    return dict(found)
