"""Theme corrections and proposals hold no one's words once their answers are gone or replaced."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from storage import erasure, proposals, theme_corrections
from storage.db import Database
from storage.models import Answer, Participant
from storage.privacy import Crypto
from storage.theme_models import Proposal, ProposalMember, ThemeCorrection
from tests.conftest import TEST_SECRET
from tests.dashboard.seed import add_people

TEXTS = ["Des papiers plus simples pour la CAF", "Un bus le dimanche"]


def seed(db: Database) -> list[int]:
    people = add_people(db, Crypto(TEST_SECRET), [{"priorite": t} for t in TEXTS])
    with db.transaction() as session:
        return [session.scalars(select(Answer.id).where(Answer.participant_id == p)).one() for p in people]


def count(db: Database, table: type) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_text_answered_again_leaves_the_training_examples(database: Database) -> None:
    first, second = seed(database)
    with database.transaction() as session:
        changed = theme_corrections.correct(session, first, "acces_aux_droits", "anne")
        assert changed == ("", "acces_aux_droits")
        theme_corrections.correct(session, second, "espace_public", "anne")
        both = {"acces_aux_droits": [TEXTS[0]], "espace_public": [TEXTS[1]]}
        assert theme_corrections.examples(session) == both
        answer = session.get(Answer, second)
        assert answer is not None
        # answered again: the row keeps its id, with a new text and its automatic theme
        answer.value, answer.raw_text, answer.theme = "Autre chose", "Autre chose", "travail"
    with database.transaction() as session:
        assert theme_corrections.examples(session) == {"acces_aux_droits": [TEXTS[0]]}


def test_erasing_people_or_a_flow_takes_their_corrections_and_proposals(database: Database) -> None:
    first, second = seed(database)
    with database.transaction() as session:
        theme_corrections.correct(session, first, "acces_aux_droits", "anne")
        proposals.create(session, "egalite", [first, second])
        person = session.scalar(select(Answer.participant_id).where(Answer.id == first))
        session.execute(delete(Participant).where(Participant.id == person))
    assert count(database, ThemeCorrection) == 0 and count(database, ProposalMember) == 1
    with database.transaction() as session:
        (listed,) = proposals.listed(session, "egalite")
        assert [t.text for t in listed.texts] == [TEXTS[1]]
        erasure.erase_flow(session, "egalite", None)
    assert count(database, Proposal) == 0 and count(database, ProposalMember) == 0
