"""Proposals as facilitators shape them: their answers, merges, splits, names and ranks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage.counted import counted_runs
from storage.models import Answer
from storage.theme_corrections import FreeText, said
from storage.theme_models import Proposal, ProposalMember

TITLE_LENGTH = 200


@dataclass(frozen=True)
class Listed:
    """A proposal with the free texts it holds (newest first)."""

    id: int
    title: str | None  # a facilitator's name; None until renamed (no participant's words are copied)
    rank: int | None
    texts: list[FreeText]

    @property
    def people(self) -> set[int]:
        """Return the participants who said it."""
        return {t.participant_id for t in self.texts}


def create(session: Session, flow_id: str, answer_ids: Sequence[int]) -> Proposal:
    """Create a proposal holding answers (moved out of any other proposal)."""
    proposal = Proposal(flow_id=flow_id)
    session.add(proposal)
    session.flush()
    session.execute(delete(ProposalMember).where(ProposalMember.answer_id.in_(answer_ids)))
    session.add_all(ProposalMember(proposal_id=proposal.id, answer_id=a) for a in answer_ids)
    session.flush()
    return proposal


def listed(session: Session, flow_id: str) -> list[Listed]:
    """Return a flow's proposals: ranked ones by rank, then by people, counted answers only."""
    rows = session.execute(
        select(ProposalMember.proposal_id, Answer.id, Answer.participant_id, Answer.value,
               Answer.raw_text, Answer.theme)
        .join(Answer, Answer.id == ProposalMember.answer_id)
        .where(Answer.run_id.in_(counted_runs(flow_id)))
        .order_by(Answer.id.desc())
    )  # fmt: skip
    texts: dict[int, list[FreeText]] = {}
    for proposal_id, answer_id, person, value, raw, theme in rows:
        text = said(value, raw)
        if text:
            texts.setdefault(proposal_id, []).append(FreeText(answer_id, person, text, theme or "", False))
    found = [Listed(p.id, p.title, p.rank, texts.get(p.id, []))
             for p in session.scalars(select(Proposal).where(Proposal.flow_id == flow_id))]  # fmt: skip
    found = [p for p in found if p.texts]
    return sorted(found, key=lambda p: (p.rank is None, p.rank or 0, -len(p.people), p.id))


def members(session: Session, answer_ids: Iterable[int]) -> set[int]:
    """Return which of these answers already belong to a proposal."""
    ids = list(answer_ids)
    return set(session.scalars(select(ProposalMember.answer_id).where(ProposalMember.answer_id.in_(ids))))


def merge(session: Session, source: int, target: int) -> bool:
    """Move every answer of one proposal into another and drop the first; False if either is unknown."""
    both = select(func.count()).select_from(Proposal).where(Proposal.id.in_([source, target]))
    found = session.scalar(both)
    if source == target or found != 2:
        return False
    moved = update(ProposalMember).where(ProposalMember.proposal_id == source)
    session.execute(moved.values(proposal_id=target))
    session.execute(delete(Proposal).where(Proposal.id == source))
    return True


def split(session: Session, answer_id: int) -> Proposal | None:
    """Move one answer out into a proposal of its own; None if it belongs to none."""
    member = session.scalar(select(ProposalMember).where(ProposalMember.answer_id == answer_id))
    if member is None:
        return None
    source = session.get(Proposal, member.proposal_id)
    assert source is not None
    return create(session, source.flow_id, [answer_id])


def rename(session: Session, proposal_id: int, title: str) -> bool:
    """Rename a proposal; False if it is unknown."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is not None:
        line = " ".join(title.split())
        proposal.title = line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"
    return proposal is not None


def rank(session: Session, proposal_id: int, position: int | None) -> bool:
    """Set a proposal's rank (None: not ranked); False if it is unknown."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is not None:
        proposal.rank = position
    return proposal is not None


def erase_flow(session: Session, flow_id: str) -> None:
    """Delete a flow's proposals (their answers go with the flow's runs)."""
    session.execute(delete(Proposal).where(Proposal.flow_id == flow_id))


def profiles(
    session: Session, flow_id: str, results: Sequence[str], people: Iterable[int]
) -> dict[str, dict[int, str]]:
    """Return, per profile result, each of these people's answer in a flow's counted runs."""
    query = (
        select(Answer.result, Answer.participant_id, Answer.value)
        .where(Answer.run_id.in_(counted_runs(flow_id)), Answer.result.in_(results))
        .where(Answer.participant_id.in_(list(people)))
    )
    found: dict[str, dict[int, str]] = {r: {} for r in results}
    for result, person, value in session.execute(query):
        found[result][person] = value
    return found
