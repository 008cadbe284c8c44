"""Which answers count, and the people counted: came, agreed, finished, stopped.

The rule, the same for every figure, report, export and panel: each person counts once per
questionnaire, with one set of answers, their latest FINISHED run; a person who never
finished counts with their latest run that kept answers. An unfinished later run (someone
who wrote again, or started again) never replaces a finished one, and a run without kept
answers (consent refused, answers erased) never counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session

from storage.models import Answer, Run

COMPLETED = "completed"


@dataclass(frozen=True)
class Totals:
    """The people of a questionnaire (or of all of them) under the definitions."""

    came: int  # started a questionnaire (erased people have no run left: they are not here)
    agreed: int  # answers kept: agreed to take part, and did not erase
    finished: int  # among them, the run that counts went to the end

    @property
    def stopped(self) -> int:
        """Count the people whose answers count but who did not finish."""
        return self.agreed - self.finished


def counted_runs(flow_id: str) -> Select[Any]:
    """Select the run that counts for each person in a flow (see the module's rule)."""
    finished = case((Run.status == COMPLETED, Run.id))
    kept = select(Answer.run_id).where(Answer.flow_id == flow_id)
    return (
        select(func.coalesce(func.max(finished), func.max(Run.id)).label("run_id"))
        .where(Run.flow_id == flow_id, Run.id.in_(kept))
        .group_by(Run.participant_id)
    )


def came_people() -> Select[Any]:
    """Select the people who started at least one questionnaire."""
    return select(Run.participant_id).distinct()


def agreed_people() -> Select[Any]:
    """Select the people who have answers kept in at least one questionnaire."""
    return select(Answer.participant_id).distinct()


def finished_runs() -> Select[Any]:
    """Select the finished runs that kept answers (in any questionnaire)."""
    kept = select(Answer.run_id)
    return select(Run.id).where(Run.status == COMPLETED, Run.id.in_(kept))


def has_finished(session: Session, participant_id: int) -> bool:
    """Say whether a person finished a questionnaire whose answers are kept."""
    query = select(exists().where(Run.participant_id == participant_id, Run.id.in_(finished_runs())))
    return bool(session.scalar(query))


def totals(session: Session, flow_id: str | None = None) -> Totals:
    """Count came, agreed and finished for one questionnaire, or across all (None)."""
    if flow_id is None:
        came = select(func.count()).select_from(came_people().subquery())
        agreed = select(func.count()).select_from(agreed_people().subquery())
        finished = select(func.count(func.distinct(Run.participant_id))).where(Run.id.in_(finished_runs()))
    else:
        came = select(func.count(func.distinct(Run.participant_id))).where(Run.flow_id == flow_id)
        agreed = select(func.count()).select_from(counted_runs(flow_id).subquery())
        finished = select(func.count()).where(Run.id.in_(counted_runs(flow_id)), Run.status == COMPLETED)
    return Totals(*(int(session.scalar(q) or 0) for q in (came, agreed, finished)))
