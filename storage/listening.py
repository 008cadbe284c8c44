"""The listening queue: recorded answers no one has written down yet, and their transcripts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.masking import mask
from storage.models import Answer


@dataclass(frozen=True)
class Recorded:
    """A recorded answer waiting for its transcript."""

    answer_id: int
    flow_id: str
    result: str
    channel: str
    audio_ref: str
    at: datetime


def pending(session: Session, limit: int = 100) -> list[Recorded]:
    """Return the recorded answers without a transcript, oldest first."""
    query = (
        select(Answer.id, Answer.flow_id, Answer.result, Answer.channel, Answer.audio_ref, Answer.created_at)
        .where(Answer.audio_ref.is_not(None), Answer.raw_text.is_(None))
        .order_by(Answer.id)
        .limit(limit)
    )
    return [Recorded(answer_id, flow_id, result, channel, ref or "", at)
            for answer_id, flow_id, result, channel, ref, at in session.execute(query)]  # fmt: skip


def recording(session: Session, answer_id: int) -> str | None:
    """Return an answer's recording reference, if it still has one."""
    return session.scalar(select(Answer.audio_ref).where(Answer.id == answer_id))


def transcribe(session: Session, answer_id: int, text: str, theme: str | None, forget: bool) -> str | None:
    """Store a masked transcript and its theme; drop the reference when forgotten; return the reference."""
    answer = session.get(Answer, answer_id)
    if answer is None or answer.audio_ref is None or answer.raw_text is not None:
        return None
    ref = answer.audio_ref
    answer.raw_text, answer.theme = mask(text), theme or None
    if forget:
        answer.audio_ref = None
    session.flush()
    return ref
