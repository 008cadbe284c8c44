"""SQLAlchemy 2 typed models: the tables of Porte-voix."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Participant(Base):
    """A person, known only by an HMAC of (channel, address)."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    address_enc: Mapped[bytes] = mapped_column(LargeBinary)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    easy: Mapped[bool] = mapped_column(Boolean, default=False)
    audio: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    pending_action: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    runs: Mapped[list[Run]] = relationship(back_populates="participant")


class FlowVersion(Base):
    """The source of every flow version a run started on, so old runs can resume."""

    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Run(Base):
    """One participant going through one flow version."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_participant_status", "participant_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="active")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    participant: Mapped[Participant] = relationship(back_populates="runs")


class Answer(Base):
    """One accepted answer to one result of a run (re-answering replaces it)."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("run_id", "result"),
        Index("ix_answers_flow_result", "flow_id", "result"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    step: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64))
    raw_text: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(String(40))
    audio_ref: Mapped[str | None] = mapped_column(String(255))
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)
    easy: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundEvent(Base):
    """A message received from a platform; unique per (channel, external id) for dedupe."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A message to send; written in the same transaction as the answers it follows."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status", "status", "id"),
        Index("ix_outbox_inbound", "inbound_event_id"),
        Index("ix_outbox_participant", "participant_id", "id"),
        Index("ix_outbox_external_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    inbound_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_events.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    segments: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    # When a sender last took the row; a "sending" row older than the lease is sent again.
    claimed_at: Mapped[datetime | None]
    # How it left: "reply" inside a webhook's HTTP answer, "api" through the platform's API.
    via: Mapped[str | None] = mapped_column(String(8))
    # What the participant answered to a message that invited them: "oui", "non" (None: nothing).
    reply: Mapped[str | None] = mapped_column(String(8))


class SafetyFlag(Base):
    """A message that disclosed violence or danger, queued for a facilitator."""

    __tablename__ = "safety_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE")
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    step: Mapped[str | None] = mapped_column(String(64))
    excerpt: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(255))
