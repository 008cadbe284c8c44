"""One inbound message's transaction: the statements every message needs, on the driver's cursor.

Every message locks its participant, reads the open run and the last question, records the
inbound event, saves an answer and the run's state, and queues the replies. Through the ORM
those nine statements cost 2 to 3 ms of CPU per message, more than the conversation itself;
through the DBAPI cursor they cost about 0.5 ms (bench/inbound/phases.py). So the hot path is
plain SQL here, kept to those tables, with SQLAlchemy's own type processors for dates and JSON
(what it writes, the ORM reads back unchanged). The rare paths (an erasure, a safety flag, an
old flow version, a duplicate) use `TurnStore.session`, an ORM session in the same transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import utcnow

OPEN_STATUSES = ("active", "paused")
# last_seen_at serves retention (counted in days): refreshing it once an hour saves an UPDATE
# on nearly every message.
SEEN_REFRESH = timedelta(hours=1)
_PARTICIPANT_FIELDS = (
    "language",
    "easy",
    "audio",
    "consent_at",
    "opted_out_at",
    "pending_action",
    "last_seen_at",
)
_RUN_COLUMNS = "id, participant_id, flow_id, flow_version, channel, state, status, ended_at"
_OPEN = "(" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"


def asked(payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a message payload if it asked something (the question a reply answers), else None."""
    if not payload or payload.get("expects", "none") == "none":
        return None
    return dict(payload)


@dataclass(slots=True)
class ParticipantRow:
    """A locked participant; the fields the conversation may change are written back at the end."""

    id: int
    key: str
    channel: str
    language: str
    easy: bool
    audio: bool
    consent_at: datetime | None
    opted_out_at: datetime | None
    pending_action: str | None
    last_seen_at: datetime
    loaded: tuple[Any, ...] = ()
    created: bool = False  # new in this transaction: nothing of theirs exists yet

    def changes(self) -> dict[str, Any]:
        """Return the fields changed since the row was read."""
        now = tuple(getattr(self, name) for name in _PARTICIPANT_FIELDS)
        return {n: v for n, v, old in zip(_PARTICIPANT_FIELDS, now, self.loaded, strict=True) if v != old}


@dataclass(slots=True)
class RunRow:
    """A run as the conversation needs it (see storage.models.Run)."""

    id: int
    participant_id: int
    flow_id: str
    flow_version: int
    channel: str
    state: dict[str, Any]
    status: str
    ended_at: datetime | None = None


def _sql(text: str, dialect: str) -> str:
    """Write `:name` parameters in the driver's style (psycopg wants %(name)s)."""
    text = " ".join(text.split())
    if dialect == "postgresql":
        return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", text)
    return text


class _Statements:
    """The hot path's SQL for one dialect, and its type conversions."""

    def __init__(self, dialect: Dialect) -> None:
        name = dialect.name
        pg = name == "postgresql"
        lock = " FOR UPDATE" if pg else ""  # SQLite: BEGIN IMMEDIATE already holds the writer
        json_param = (lambda p: f"CAST(:{p} AS JSON)") if pg else (lambda p: f":{p}")
        self.participant = _sql(
            "SELECT id, key, channel, language, easy, audio, consent_at, opted_out_at,"
            f" pending_action, last_seen_at FROM participants WHERE key = :key{lock}",
            name,
        )
        self.new_participant = _sql(
            "INSERT INTO participants (key, channel, address_enc, language, easy, audio,"
            " created_at, last_seen_at) VALUES (:key, :channel, :address_enc, 'fr', :no, :no,"
            " :now, :now) ON CONFLICT (key) DO NOTHING",
            name,
        )
        self.open_run = _sql(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE participant_id = :pid"
            f" AND status IN {_OPEN} ORDER BY id DESC LIMIT 1",
            name,
        )
        # The last reply to the participant's own messages: a facilitator's feedback queued in
        # between (no inbound event) is not the question their next "1 3" answers.
        self.last_prompt = _sql(
            "SELECT payload FROM outbox WHERE participant_id = :pid"
            " AND inbound_event_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            name,
        )
        # Both in one round trip, for readers of numbered replies (SMS, keypad).
        prompt = self.last_prompt.removeprefix("SELECT payload FROM")
        self.open_run_and_prompt = _sql(
            f"SELECT {', '.join('r.' + c.strip() for c in _RUN_COLUMNS.split(','))},"
            f" (SELECT payload FROM {prompt}) FROM (SELECT 1 AS here) AS one LEFT JOIN runs r"
            f" ON r.participant_id = :pid AND r.status IN {_OPEN}"
            " ORDER BY r.id DESC LIMIT 1",
            name,
        )
        self.inbound = _sql(
            "INSERT INTO inbound_events (channel, external_id, participant_id, kind, received_at)"
            " VALUES (:channel, :external_id, :pid, :kind, :now)"
            " ON CONFLICT (channel, external_id) DO NOTHING RETURNING id",
            name,
        )
        self.new_run = _sql(
            "INSERT INTO runs (participant_id, flow_id, flow_version, channel, state, status,"
            f" started_at, updated_at) VALUES (:pid, :flow_id, :flow_version, :channel,"
            f" {json_param('state')}, :status, :now, :now) RETURNING id",
            name,
        )
        self.save_run = _sql(
            f"UPDATE runs SET state = {json_param('state')}, status = :status,"
            " updated_at = :now, ended_at = :ended_at WHERE id = :id",
            name,
        )
        answer_columns = (
            "run_id",
            "participant_id",
            "flow_id",
            "flow_version",
            "channel",
            "step",
            "result",
            "value",
            "category",
            "raw_text",
            "theme",
            "audio_ref",
            "assisted",
            "easy",
            "created_at",
        )
        kept = ("run_id", "result")  # the row keeps its id: re-answering replaces in place
        self.answer_columns = answer_columns
        self.save_answer = _sql(
            f"INSERT INTO answers ({', '.join(answer_columns)}) VALUES"
            f" ({', '.join(':' + c for c in answer_columns)})"
            " ON CONFLICT (run_id, result) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in answer_columns if c not in kept),
            name,
        )
        self.outbox = _sql(
            "INSERT INTO outbox (participant_id, inbound_event_id, channel, payload, status,"
            " attempts, segments, created_at, sent_at, claimed_at, via) VALUES (:pid, :inbound,"
            f" :channel, {json_param('payload')}, :status, :attempts, :segments, :now, :sent_at,"
            " :sent_at, :via) RETURNING id",
            name,
        )
        self.remember_flow = _sql(
            "INSERT INTO flow_versions (flow_id, version, source, created_at)"
            " VALUES (:flow_id, :version, :source, :now) ON CONFLICT (flow_id, version) DO NOTHING",
            name,
        )
        date = DateTime(timezone=True).dialect_impl(dialect)
        self.date_in: Callable[[Any], Any] = date.bind_processor(dialect) or _identity
        self.date_out: Callable[[Any], Any] = date.result_processor(dialect, None) or _identity
        self.json_in: Callable[[Any], Any] = (
            JSON().dialect_impl(dialect).bind_processor(dialect) or json.dumps
        )
        # psycopg parses json columns itself; sqlite3 gives the text back.
        self.json_out: Callable[[Any], Any] = _identity if pg else _json_text
        self.pg = pg
        self._updates: dict[tuple[str, ...], str] = {}

    def update_participant(self, names: Sequence[str]) -> str:
        """Return the UPDATE of some participant fields (built once per set of fields)."""
        key = tuple(names)
        statement = self._updates.get(key)
        if statement is None:
            sets = ", ".join(f"{name} = :{name}" for name in key)
            statement = self._updates[key] = _sql(f"UPDATE participants SET {sets} WHERE id = :id",
                                                  "postgresql" if self.pg else "sqlite")  # fmt: skip
        return statement


_STATEMENTS: dict[str, _Statements] = {}


def _identity(value: Any) -> Any:
    return value


def _json_text(value: str | None) -> Any:
    return None if value is None else json.loads(value)


class TurnStore:
    """The storage of one inbound message, inside one transaction on one connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        dialect = connection.dialect
        self.sql = _STATEMENTS.get(dialect.name) or _STATEMENTS.setdefault(dialect.name, _Statements(dialect))
        self.cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """An ORM session in this transaction, for the rare paths (opened on first use)."""
        if self._session is None:
            self._session = Session(bind=self.connection, expire_on_commit=False, autoflush=True)
        return self._session

    def _run(self, statement: str, params: dict[str, Any]) -> Any:
        self.cursor.execute(statement, params)
        return self.cursor

    # participants -------------------------------------------------------------
    def lock_participant(self, key: str, channel: str, address_enc: Callable[[], bytes]) -> ParticipantRow:
        """Get or create a participant and lock it until the transaction ends."""
        row = self._run(self.sql.participant, {"key": key}).fetchone()
        created = row is None
        if row is None:
            now = self.sql.date_in(utcnow())
            self._run(
                self.sql.new_participant,
                {"key": key, "channel": channel, "address_enc": address_enc(), "no": False, "now": now},
            )
            row = self._run(self.sql.participant, {"key": key}).fetchone()
        out = self.sql.date_out
        participant = ParticipantRow(
            row[0],
            row[1],
            row[2],
            row[3],
            bool(row[4]),
            bool(row[5]),
            out(row[6]),
            out(row[7]),
            row[8],
            out(row[9]),
        )
        participant.loaded = tuple(getattr(participant, name) for name in _PARTICIPANT_FIELDS)
        participant.created = created
        seen = participant.last_seen_at
        now = utcnow()
        if now - (seen if seen.tzinfo else seen.replace(tzinfo=UTC)) >= SEEN_REFRESH:
            participant.last_seen_at = now
        return participant

    def save_participant(self, participant: ParticipantRow) -> None:
        """Write back what the conversation changed on the participant (nothing if nothing)."""
        changes = participant.changes()
        if not changes:
            return
        params = {
            name: self.sql.date_in(value) if isinstance(value, datetime) else value
            for name, value in changes.items()
        }
        self._run(self.sql.update_participant(sorted(changes)), {**params, "id": participant.id})

    # runs -----------------------------------------------------------------------
    def _run_row(self, row: Any) -> RunRow:
        return RunRow(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            self.sql.json_out(row[5]),
            row[6],
            self.sql.date_out(row[7]),
        )

    def open_run(self, participant_id: int) -> RunRow | None:
        """Return the participant's run in progress, if any."""
        row = self._run(self.sql.open_run, {"pid": participant_id}).fetchone()
        return None if row is None else self._run_row(row)

    def open_run_and_prompt(self, participant_id: int) -> tuple[RunRow | None, dict[str, Any] | None]:
        """Return the run in progress and the last question sent (see last_prompt), in one query."""
        row = self._run(self.sql.open_run_and_prompt, {"pid": participant_id}).fetchone()
        run = None if row[0] is None else self._run_row(row)
        return run, asked(self.sql.json_out(row[8]))

    def last_prompt(self, participant_id: int) -> dict[str, Any] | None:
        """Return the last message sent in reply to the participant, if it asked something."""
        row = self._run(self.sql.last_prompt, {"pid": participant_id}).fetchone()
        return asked(None if row is None else self.sql.json_out(row[0]))


    def new_run(
        self,
        participant_id: int,
        flow_id: str,
        flow_version: int,
        channel: str,
        state: dict[str, Any],
        status: str,
        now: datetime,
    ) -> RunRow:
        """Insert a run and return it."""
        run_id = self._run(
            self.sql.new_run,
            {
                "pid": participant_id,
                "flow_id": flow_id,
                "flow_version": flow_version,
                "channel": channel,
                "state": self.sql.json_in(state),
                "status": status,
                "now": self.sql.date_in(now),
            },
        ).fetchone()[0]
        return RunRow(run_id, participant_id, flow_id, flow_version, channel, state, status)

    def save_run(self, run: RunRow, state: dict[str, Any], status: str, now: datetime) -> None:
        """Write a run's new state; the row object follows."""
        ended = run.ended_at
        self._run(
            self.sql.save_run,
            {
                "state": self.sql.json_in(state),
                "status": status,
                "now": self.sql.date_in(now),
                "id": run.id,
                "ended_at": None if ended is None else self.sql.date_in(ended),
            },
        )
        run.state, run.status = state, status

    def end_run(self, run: RunRow, status: str, when: datetime) -> None:
        """End a run now (stopped, or left for another flow)."""
        run.ended_at = when
        self.save_run(run, run.state, status, when)

    def save_answer(self, run: RunRow, values: dict[str, Any]) -> None:
        """Save an answer, replacing an earlier answer to the same result in this run."""
        params = {
            "run_id": run.id,
            "participant_id": run.participant_id,
            "flow_id": run.flow_id,
            "flow_version": run.flow_version,
            "channel": run.channel,
            "category": None,
            "raw_text": None,
            "theme": None,
            "audio_ref": None,
            "assisted": False,
            "easy": False,
            **values,
        }
        params["created_at"] = self.sql.date_in(params.get("created_at") or utcnow())
        self._run(self.sql.save_answer, {c: params[c] for c in self.sql.answer_columns})

    # inbound and outbox ----------------------------------------------------------
    def record_inbound(self, channel: str, external_id: str, participant_id: int, kind: str) -> int | None:
        """Record an inbound event and return its id; None when this id was already received."""
        row = self._run(
            self.sql.inbound,
            {
                "channel": channel,
                "external_id": external_id,
                "pid": participant_id,
                "kind": kind,
                "now": self.sql.date_in(utcnow()),
            },
        ).fetchone()
        return None if row is None else int(row[0])

    def add_outbox_rows(
        self,
        participant_id: int,
        channel: str,
        payloads: Sequence[dict[str, Any]],
        inbound_id: int | None = None,
        sent_at: datetime | None = None,
        segments: Sequence[int | None] | None = None,
    ) -> list[int]:
        """Queue outbound messages and return their ids, in order.

        With sent_at, they went out in the webhook's own reply: stored as sent, never claimed.
        """
        now, sent = self.sql.date_in(utcnow()), None if sent_at is None else self.sql.date_in(sent_at)
        ids = []
        for i, payload in enumerate(payloads):
            ids.append(
                int(
                    self._run(
                        self.sql.outbox,
                        {
                            "pid": participant_id,
                            "inbound": inbound_id,
                            "channel": channel,
                            "payload": self.sql.json_in(payload),
                            "status": "pending" if sent is None else "sent",
                            "attempts": 0 if sent is None else 1,
                            "now": now,
                            "sent_at": sent,
                            "segments": segments[i] if segments is not None else None,
                            "via": None if sent is None else "reply",
                        },
                    ).fetchone()[0]
                )
            )
        return ids

    def remember_flow(self, flow_id: str, version: int, source: str) -> None:
        """Store a flow version's source once, so runs on it can resume after edits."""
        self._run(
            self.sql.remember_flow,
            {"flow_id": flow_id, "version": version, "source": source, "now": self.sql.date_in(utcnow())},
        )

    def finish(self) -> None:
        """Flush the ORM session's work, if any, before the transaction commits."""
        if self._session is not None:
            self._session.flush()
            self._session.close()
        self.cursor.close()


@contextmanager
def turn(db: Database) -> Iterator[TurnStore]:
    """Open one transaction for one inbound message: commit on success, roll back on error."""
    with db.connection() as connection:
        store = TurnStore(connection)
        try:
            yield store
            store.finish()
        except BaseException:
            if store._session is not None:
                store._session.close()
            raise
