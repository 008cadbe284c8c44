"""Feedback campaigns: who opted in to hear back, and what became of each message."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.counted import counted_runs
from storage.dashboard_models import FeedbackCampaign, FeedbackMessage, PanelMember
from storage.models import Answer, Participant
from storage.panels import delivery


def followers(session: Session, flow_id: str, followup_result: str, yes: str) -> list[int]:
    """Return the participants who asked for news and did not stop."""
    opted_in = select(Answer.participant_id).where(
        Answer.run_id.in_(counted_runs(flow_id)),
        Answer.result == followup_result,
        Answer.value == yes,
    )
    query = select(Participant.id).where(Participant.id.in_(opted_in), Participant.opted_out_at.is_(None))
    return list(session.scalars(query.order_by(Participant.id)))


def panel_members(session: Session, panel_id: int) -> list[int]:
    """Return the participants of a panel who did not stop."""
    query = (
        select(PanelMember.participant_id)
        .join(Participant, Participant.id == PanelMember.participant_id)
        .where(PanelMember.panel_id == panel_id, Participant.opted_out_at.is_(None))
    )
    return list(session.scalars(query))


def create(session: Session, text: str, easy: str, audience: str, by: str) -> FeedbackCampaign:
    """Store a campaign before its messages are queued."""
    campaign = FeedbackCampaign(text=text, easy=easy, audience=audience, created_by=by)
    session.add(campaign)
    session.flush()
    return campaign


def link(session: Session, campaign_id: int, queued: dict[int, int]) -> None:
    """Remember the outbox message of each recipient."""
    for participant_id, outbox_id in queued.items():
        session.add(FeedbackMessage(campaign_id=campaign_id, participant_id=participant_id,
                                    outbox_id=outbox_id))  # fmt: skip


def campaigns(session: Session) -> list[FeedbackCampaign]:
    """Return every campaign, newest first."""
    return list(session.scalars(select(FeedbackCampaign).order_by(FeedbackCampaign.id.desc())))


def people(session: Session, participant_ids: list[int]) -> list[Participant]:
    """Return the participants of a list of ids."""
    return list(session.scalars(select(Participant).where(Participant.id.in_(participant_ids))))


def progress(session: Session, campaign_id: int) -> dict[tuple[str, str, str], int]:
    """Count a campaign's messages per (outbox status, channel, last error)."""
    ids = session.scalars(
        select(FeedbackMessage.outbox_id).where(
            FeedbackMessage.campaign_id == campaign_id, FeedbackMessage.outbox_id.is_not(None)
        )
    )
    return delivery(session, [i for i in ids if i is not None])
