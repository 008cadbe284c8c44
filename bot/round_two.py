"""Round two inside a conversation: deal the statements when a run starts, save votes and proposals.

The engine stays pure: it shows the deck it is given and emits one result per vote. This hook
deals the deck from the database (approved statements the person has not voted on, fewest
votes first) and turns the results back into votes and proposed statements.
"""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from flows.events import ResultSaved
from flows.kinds.reaction import Card, deck_values, statement_of
from flows.model import Flow
from storage import round_two
from storage.round_two import RoundTwoConfig

REACTION = "reaction"


class Deliberation:
    """The service's round-two hook."""

    def __init__(self, config: RoundTwoConfig, rng: random.Random | None = None) -> None:
        self.config = config
        self.rng = rng or random.SystemRandom()

    def concerns(self, flow: Flow) -> bool:
        """Say whether a flow has anything of round two (votes, proposals): else no need of a session."""
        return flow.id == self.config.flow or any(step.kind == REACTION for step in flow.steps)

    def values(self, session: Session, participant_id: int, flow: Flow) -> dict[str, str] | None:
        """Return the deck for a run of a flow that has a reaction step (else None)."""
        if not any(step.kind == REACTION for step in flow.steps):
            return None
        dealt = round_two.deal(session, participant_id, self.config.statements_per_session, self.rng)
        return deck_values([Card(s.id, s.text, s.easy) for s in dealt])

    def consume(self, session: Session, participant_id: int, flow: Flow, event: ResultSaved) -> bool:
        """Save a vote (and say it is not an answer) or hold a typed proposal for moderation."""
        if not flow.has_step(event.step):
            return False
        step = flow.step(event.step)
        if step.kind == REACTION and step.result:
            statement = statement_of(event.name, step.result)
            if statement is not None:
                round_two.cast(session, participant_id, statement, event.value, flow.id)
                return True
        proposal = flow.id == self.config.flow and event.name == self.config.proposal_result
        if proposal and event.raw_text and not event.audio_ref:  # a recording is heard as an answer
            round_two.propose(session, participant_id, event.raw_text, flow.id)
        return False
