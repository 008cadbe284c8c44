"""Tables of the report back: the recommendations' statuses and each published report back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

STATUSES = ("pending", "adopted", "in_progress", "partly", "not_adopted")


class Recommendation(Base):
    """A recommendation of the citizens' workshop and what became of it, in easy words."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    easy_title: Mapped[str] = mapped_column(String(300))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")  # why, in easy words
    pictogram: Mapped[str] = mapped_column(String(16), default="")  # a key of the pictograms list
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255))


class ReportBack(Base):
    """A published report back: the texts sent and shown, and the recommendations as they stood."""

    __tablename__ = "report_backs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intro_text: Mapped[str] = mapped_column(Text)
    intro_easy: Mapped[str] = mapped_column(Text)
    items: Mapped[dict[str, Any]]  # {"items": [{title, easy_title, status, reason, pictogram}]}
    text: Mapped[str] = mapped_column(Text)  # the whole standard message
    easy: Mapped[str] = mapped_column(Text)  # the whole easy-read message
    spoken: Mapped[str] = mapped_column(Text)  # the easy message as the voice reads it
    sms: Mapped[str] = mapped_column(Text)  # the short SMS
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_campaigns.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(String(255))
