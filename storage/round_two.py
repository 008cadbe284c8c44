"""Round two's queries: statements and their moderation, the deck a session shows, the votes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import utcnow
from storage.round_two_models import VOTES, Statement, Vote


@dataclass(frozen=True)
class RoundTwoConfig:
    """config.yml `round_two:`: the flow, how many statements a session shows, who is grouped."""

    SECTION: ClassVar[str] = "round_two"
    flow: str  # the round-two flow (its reaction step shows the statements)
    statements_per_session: int
    proposal_result: str  # the result of that flow where a participant proposes a statement
    min_votes: int  # a participant is put in an opinion group after this many votes


def write(session: Session, text: str, easy: str, by: str) -> Statement:
    """Add a facilitator's statement in both registers, approved at once."""
    statement = Statement(text=text, easy=easy, status="approved", source="facilitator",
                          created_by=by, moderated_by=by, moderated_at=utcnow())  # fmt: skip
    session.add(statement)
    session.flush()
    return statement


def propose(session: Session, participant_id: int, text: str, flow_id: str) -> Statement:
    """Hold a participant's statement for moderation (shown to nobody until approved)."""
    statement = Statement(text=text, easy=text, status="proposed", source="participant",
                          participant_id=participant_id, flow_id=flow_id)  # fmt: skip
    session.add(statement)
    session.flush()
    return statement


def moderate(
    session: Session, statement_id: int, approve: bool, text: str, easy: str, by: str
) -> Statement | None:
    """Approve a statement (with its two registers as the facilitator wrote them) or refuse it."""
    statement = session.get(Statement, statement_id)
    if statement is None:
        return None
    if approve:
        statement.text, statement.easy = text, easy
    statement.status = "approved" if approve else "refused"
    statement.moderated_by, statement.moderated_at = by, utcnow()
    return statement


def listed(session: Session, status: str | None = None) -> list[Statement]:
    """Return the statements (of one status, if given), oldest first."""
    query = select(Statement).order_by(Statement.id)
    if status is not None:
        query = query.where(Statement.status == status)
    return list(session.scalars(query))


def is_open(session: Session) -> bool:
    """Say whether round two has statements to react to (at least one approved)."""
    return session.scalar(select(Statement.id).where(Statement.status == "approved").limit(1)) is not None


def vote_counts(session: Session) -> dict[int, int]:
    """Return how many votes each statement has received."""
    rows = session.execute(select(Vote.statement_id, func.count(Vote.id)).group_by(Vote.statement_id))
    return {int(sid): int(n) for sid, n in rows}


def deal(session: Session, participant_id: int, size: int, rng: random.Random) -> list[Statement]:
    """Choose a session's statements: approved, never voted on by this person, fewest votes first.

    Statements with the same number of votes come in random order, so every one gets seen.
    """
    seen = select(Vote.statement_id).where(Vote.participant_id == participant_id)
    fresh = list(session.scalars(
        select(Statement).where(Statement.status == "approved", Statement.id.not_in(seen))
    ))  # fmt: skip
    counts = vote_counts(session)
    rng.shuffle(fresh)
    fresh.sort(key=lambda s: counts.get(s.id, 0))
    return fresh[:size]


def cast(session: Session, participant_id: int, statement_id: int, value: str, flow_id: str) -> bool:
    """Save a vote on an approved statement (a second vote replaces the first); say if it was saved."""
    if value not in VOTES:
        raise ValueError(f"a vote is one of {', '.join(VOTES)}")
    statement = session.get(Statement, statement_id)
    if statement is None or statement.status != "approved":
        return False
    vote = session.scalar(
        select(Vote).where(Vote.participant_id == participant_id, Vote.statement_id == statement_id)
    )
    if vote is None:
        session.add(
            Vote(participant_id=participant_id, statement_id=statement_id, value=value, flow_id=flow_id)
        )
    else:
        vote.value, vote.at, vote.flow_id = value, utcnow(), flow_id
    session.flush()
    return True


def votes(session: Session, statement_ids: Sequence[int] | None = None) -> list[tuple[int, int, str]]:
    """Return every vote on approved statements as (participant id, statement id, value)."""
    query = (select(Vote.participant_id, Vote.statement_id, Vote.value)
             .join(Statement, Statement.id == Vote.statement_id)
             .where(Statement.status == "approved").order_by(Vote.id))  # fmt: skip
    if statement_ids is not None:
        query = query.where(Vote.statement_id.in_(list(statement_ids)))
    return [(int(p), int(s), str(v)) for p, s, v in session.execute(query)]


def forget_proposals(session: Session, participant_ids: Sequence[int]) -> int:
    """Delete the statements these people proposed that were never approved (their own words)."""
    result = session.execute(
        delete(Statement).where(
            Statement.participant_id.in_(list(participant_ids)), Statement.status != "approved"
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def erase_flow(session: Session, flow_id: str) -> None:
    """Remove the votes given and the statements proposed in a flow (with the votes on them)."""
    proposed = select(Statement.id).where(Statement.flow_id == flow_id)
    session.execute(delete(Vote).where((Vote.flow_id == flow_id) | Vote.statement_id.in_(proposed)))
    session.execute(delete(Statement).where(Statement.flow_id == flow_id))


def erase(session: Session, participant_id: int) -> None:
    """Remove a participant's votes and their statements (with the votes others gave them)."""
    theirs = select(Statement.id).where(Statement.participant_id == participant_id)
    session.execute(delete(Vote).where(Vote.statement_id.in_(theirs)))
    session.execute(delete(Vote).where(Vote.participant_id == participant_id))
    session.execute(delete(Statement).where(Statement.participant_id == participant_id))
