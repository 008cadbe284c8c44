"""Volunteers for the workshop, and the panels drawn among them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.counted import counted_runs
from storage.dashboard_models import Panel, PanelMember
from storage.models import Answer, OutboxMessage, Participant

# Traits a quota may use besides the profile: the channel, and the reading mode (facile/standard).
CHANNEL, READING = "canal", "lecture"


@dataclass(frozen=True)
class Volunteer:
    """A participant who volunteered, with their profile answers (feature -> key)."""

    participant_id: int
    channel: str
    profile: dict[str, str]


def volunteers(
    session: Session, flow_id: str, volunteer_result: str, yes: str, profile: Mapping[str, str]
) -> list[Volunteer]:
    """Return the volunteers who can still be contacted, with their profile."""
    ids = select(Answer.participant_id).where(
        Answer.run_id.in_(counted_runs(flow_id)),
        Answer.result == volunteer_result,
        Answer.value == yes,
    )
    people = session.execute(
        select(Participant.id, Participant.channel)
        .where(Participant.id.in_(ids), Participant.opted_out_at.is_(None))
        .order_by(Participant.id)
    ).all()
    by_result = {result: feature for feature, result in profile.items()}
    answers: dict[int, dict[str, str]] = {pid: {} for pid, _channel in people}
    for pid, result, value in session.execute(
        select(Answer.participant_id, Answer.result, Answer.value).where(
            Answer.run_id.in_(counted_runs(flow_id)),
            Answer.participant_id.in_(ids),
            Answer.result.in_(list(by_result)),
        )
    ):
        if pid in answers:
            answers[pid][by_result[result]] = value
    return [Volunteer(pid, channel, answers[pid]) for pid, channel in people]


def save_panel(
    session: Session, members: list[int], size: int, seed: int, quotas: dict[str, Any], by: str
) -> Panel:
    """Store a drawn panel and its members."""
    panel = Panel(size=size, seed=seed, quotas=quotas, created_by=by)
    session.add(panel)
    session.flush()
    for pid in members:
        session.add(PanelMember(panel_id=panel.id, participant_id=pid))
    session.flush()
    return panel


def latest_panel(session: Session) -> Panel | None:
    """Return the most recent panel."""
    return session.scalar(select(Panel).order_by(Panel.id.desc()).limit(1))


def members(session: Session, panel_id: int) -> list[PanelMember]:
    """Return a panel's members."""
    query = select(PanelMember).where(PanelMember.panel_id == panel_id).order_by(PanelMember.id)
    return list(session.scalars(query))


def delivery(session: Session, outbox_ids: list[int]) -> dict[tuple[str, str, str], int]:
    """Count outbox messages per (status, channel, last error)."""
    counts: dict[tuple[str, str, str], int] = {}
    if not outbox_ids:
        return counts
    query = select(OutboxMessage.status, OutboxMessage.channel, OutboxMessage.error).where(
        OutboxMessage.id.in_(outbox_ids)
    )
    for status, channel, error in session.execute(query):
        key = (status, channel, error or "")
        counts[key] = counts.get(key, 0) + 1
    return counts


def invitation_answers(session: Session, panel_id: int) -> dict[int, str]:
    """Return participant id -> their answer to the panel's invitation: oui, non, stop, or ""."""
    query = (
        select(PanelMember.participant_id, OutboxMessage.reply, Participant.opted_out_at)
        .join(Participant, Participant.id == PanelMember.participant_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == PanelMember.outbox_id)
        .where(PanelMember.panel_id == panel_id)
    )
    rows = session.execute(query)
    return {pid: reply or ("stop" if stopped is not None else "") for pid, reply, stopped in rows}


def with_traits(session: Session, flow_id: str, pool: list[Volunteer], results: list[str]) -> list[Volunteer]:
    """Add to each volunteer their channel, reading mode and the answers named (quotas use them)."""
    ids = [v.participant_id for v in pool]
    modes = select(Participant.id, Participant.easy).where(Participant.id.in_(ids))
    easy = dict(session.execute(modes).all())
    answers: dict[int, dict[str, str]] = {pid: {} for pid in ids}
    if results:
        for pid, result, value in session.execute(
            select(Answer.participant_id, Answer.result, Answer.value).where(
                Answer.run_id.in_(counted_runs(flow_id)), Answer.participant_id.in_(ids),
                Answer.result.in_(results))
        ):  # fmt: skip
            answers[pid][result] = value
    return [Volunteer(v.participant_id, v.channel, {
        **v.profile, **answers[v.participant_id], CHANNEL: v.channel,
        READING: "facile" if easy.get(v.participant_id) else "standard",
    }) for v in pool]  # fmt: skip
