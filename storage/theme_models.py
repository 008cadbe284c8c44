"""Tables of the facilitators' work on free texts: theme corrections and proposals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class ThemeCorrection(Base):
    """The theme a facilitator gave a free-text answer (the answer's theme is set to it too)."""

    __tablename__ = "theme_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
    theme: Mapped[str] = mapped_column(String(40))
    automatic: Mapped[str | None] = mapped_column(String(40))  # the theme before any correction
    corrected_by: Mapped[str] = mapped_column(String(255))
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)


class Proposal(Base):
    """One idea many people gave in their own words, named and ranked by facilitators."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_flow", "flow_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(200))  # None: named by its typical quote
    rank: Mapped[int | None] = mapped_column(Integer)  # None: not ranked yet
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalMember(Base):
    """A free-text answer that belongs to a proposal (one proposal per answer)."""

    __tablename__ = "proposal_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
