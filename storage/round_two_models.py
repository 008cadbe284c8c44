"""The tables of round two: statements people react to, and their votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

STATUSES = ("proposed", "approved", "refused")
SOURCES = ("facilitator", "participant")
VOTES = ("agree", "disagree", "pass")


class Statement(Base):
    """A short statement in both registers; only an approved one is ever shown to participants."""

    __tablename__ = "statements"
    __table_args__ = (Index("ix_statements_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    easy: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(12))
    # The pseudonymous participant who proposed it (None for a facilitator's statement).
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    flow_id: Mapped[str | None] = mapped_column(String(64))  # the flow it was proposed in
    created_by: Mapped[str | None] = mapped_column(String(255))  # the facilitator who wrote it
    moderated_by: Mapped[str | None] = mapped_column(String(255))
    moderated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Vote(Base):
    """One participant's reaction to one statement: one vote per person per statement."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("participant_id", "statement_id", name="uq_votes_participant_statement"),
        Index("ix_votes_statement", "statement_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(64))  # the flow the vote was given in
    value: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)
