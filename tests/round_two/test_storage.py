"""Statements and votes: what a session is dealt, one vote per statement, moderation, erasure."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from storage import repo, round_two
from storage.db import Database
from storage.erasure import erase_flow
from storage.models import Participant
from storage.retention import erase, purge
from storage.round_two_models import Statement


def person(session: Session, name: str) -> Participant:
    """Add a participant known by a made-up key."""
    participant = Participant(key=f"key-{name}", channel="sms", address_enc=b"")
    session.add(participant)
    session.flush()
    return participant


def test_a_session_is_dealt_the_least_voted_statements_never_one_already_voted_on(database: Database) -> None:
    with database.transaction() as session:
        ids = [round_two.write(session, f"Idée {n}.", f"Idée {n}.", "anne").id for n in range(4)]
        ana, bob, eve = (person(session, n) for n in ("ana", "bob", "eve"))
        for voter in (ana, bob):
            round_two.cast(session, voter.id, ids[0], "agree", "deliberation")
        round_two.cast(session, ana.id, ids[1], "pass", "deliberation")
        round_two.cast(session, eve.id, ids[3], "disagree", "deliberation")
        dealt = [s.id for s in round_two.deal(session, eve.id, 2, random.Random(3))]
        assert dealt == [ids[2], ids[1]]  # no vote yet, then one vote; eve's own vote is not dealt again
        assert [s.id for s in round_two.deal(session, eve.id, 10, random.Random(3))] == [
            ids[2],
            ids[1],
            ids[0],
        ]


def test_ties_come_in_random_order_so_every_statement_gets_seen(database: Database) -> None:
    with database.transaction() as session:
        ids = {round_two.write(session, f"Idée {n}.", f"Idée {n}.", "anne").id for n in range(6)}
        someone = person(session, "ana")
        firsts = {round_two.deal(session, someone.id, 1, random.Random(seed))[0].id for seed in range(40)}
    assert firsts == ids


def test_nothing_unmoderated_or_refused_is_dealt_or_counted(database: Database) -> None:
    with database.transaction() as session:
        ana = person(session, "ana")
        approved = round_two.write(session, "Des bancs.", "Des bancs.", "anne")
        proposed = round_two.propose(session, ana.id, "Une idée pas encore relue.", "deliberation")
        refused = round_two.propose(session, ana.id, "Une idée refusée.", "deliberation")
        round_two.moderate(session, refused.id, False, "", "", "anne")
        assert [s.id for s in round_two.deal(session, ana.id, 7, random.Random(1))] == [approved.id]
        assert not round_two.cast(session, ana.id, proposed.id, "agree", "deliberation")
        round_two.moderate(session, proposed.id, True, "Une idée relue.", "Une idée facile.", "anne")
        assert round_two.cast(session, ana.id, proposed.id, "agree", "deliberation")
        statement = session.get(Statement, proposed.id)
        assert statement is not None and (statement.status, statement.easy) == (
            "approved",
            "Une idée facile.",
        )


def test_a_second_vote_on_a_statement_replaces_the_first(database: Database) -> None:
    with database.transaction() as session:
        ana = person(session, "ana")
        statement = round_two.write(session, "Des bancs.", "Des bancs.", "anne")
        round_two.cast(session, ana.id, statement.id, "agree", "deliberation")
        round_two.cast(session, ana.id, statement.id, "disagree", "deliberation")
        assert round_two.votes(session) == [(ana.id, statement.id, "disagree")]


def test_erasure_removes_a_participant_s_votes_and_statements(database: Database) -> None:
    with database.transaction() as session:
        ana, bob = person(session, "ana"), person(session, "bob")
        shared = round_two.write(session, "Des bancs.", "Des bancs.", "anne")
        hers = round_two.propose(session, ana.id, "Une idée d'Ana.", "deliberation")
        round_two.moderate(session, hers.id, True, "Une idée d'Ana.", "Une idée d'Ana.", "anne")
        theirs = round_two.propose(session, bob.id, "Une idée de Bob.", "deliberation")
        for voter in (ana, bob):
            round_two.cast(session, voter.id, shared.id, "agree", "deliberation")
        round_two.cast(session, bob.id, hers.id, "agree", "deliberation")
        erase(session, ana)  # an admin's erasure (porte-voix erase)
        assert round_two.votes(session) == [(bob.id, shared.id, "agree")]
        assert [s.id for s in round_two.listed(session)] == [shared.id, theirs.id]
        repo.erase_participant_data(session, bob)  # EFFACER in the conversation
        assert round_two.votes(session) == []
        assert [s.id for s in round_two.listed(session)] == [shared.id]


def test_retention_drops_unapproved_proposals_and_keeps_anonymous_votes(database: Database) -> None:
    with database.transaction() as session:
        ana = Participant(
            key="key-ana", channel="sms", address_enc=b"x", last_seen_at=datetime(2026, 1, 1, tzinfo=UTC)
        )
        session.add(ana)
        session.flush()
        approved = round_two.propose(session, ana.id, "Des bancs.", "deliberation")
        round_two.moderate(session, approved.id, True, "Des bancs.", "Des bancs.", "anne")
        round_two.propose(session, ana.id, "Mon idée pas encore relue.", "deliberation")
        round_two.cast(session, ana.id, approved.id, "agree", "deliberation")
        purge(session, datetime(2026, 6, 1, tzinfo=UTC))
        assert [s.text for s in round_two.listed(session)] == ["Des bancs."]
        assert round_two.votes(session) == [(ana.id, approved.id, "agree")]


def test_erasing_the_round_two_flow_removes_its_votes_and_proposals(database: Database) -> None:
    with database.transaction() as session:
        ana = person(session, "ana")
        written = round_two.write(session, "Des bancs.", "Des bancs.", "anne")
        round_two.propose(session, ana.id, "Mon idée.", "deliberation")
        round_two.cast(session, ana.id, written.id, "agree", "deliberation")
        erase_flow(session, "egalite", None)
        assert len(round_two.votes(session)) == 1 and len(round_two.listed(session)) == 2
        erase_flow(session, "deliberation", None)
        assert round_two.votes(session) == []
        assert [s.text for s in round_two.listed(session)] == ["Des bancs."]
