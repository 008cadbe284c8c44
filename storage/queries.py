"""Read-only aggregate queries for the dashboard (counts of people, never rows of people)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select, true
from sqlalchemy.orm import Session

from storage.counted import Totals, agreed_people, came_people, counted_runs, finished_runs, totals
from storage.models import Answer, Participant, Run


@dataclass(frozen=True)
class Overview:
    """Participation figures (came, agreed, finished as storage.counted defines them)."""

    participants: int
    agreed: int
    completed: int
    days: list[tuple[str, int, int]] = field(default_factory=list)
    channels: list[tuple[str, int, int]] = field(default_factory=list)
    modes: list[tuple[str, int]] = field(default_factory=list)


def _day(value: date | datetime | str | None) -> str:
    """Return an ISO day from whatever the database returned for a date."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:10]


def profile_values(profile_flow: str, result: str) -> Select[int, str]:
    """Select (participant, value) of one profile answer, from the run that counts."""
    return select(Answer.participant_id.label("person"), Answer.value.label("value")).where(
        Answer.run_id.in_(counted_runs(profile_flow)), Answer.result == result
    )


def participant_values(feature: str) -> Select[int, str]:
    """Select (participant, value) of a participant-level feature for everyone whose answers count.

    `channel` gives the channel's key; `easy` gives "facile" or "standard"; `audio` and
    `assisted` (helped by someone at least once) give "oui" or "non".
    """
    helped = Participant.id.in_(select(Answer.participant_id).where(Answer.assisted.is_(True)))
    flags = {
        "easy": (Participant.easy.is_(True), "facile", "standard"),
        "audio": (Participant.audio.is_(True), "oui", "non"),
        "assisted": (helped, "oui", "non"),
    }
    if feature == "channel":
        value: Any = Participant.channel
    else:
        flag, yes, no = flags[feature]
        value = case((flag, literal(yes)), else_=literal(no))
    return select(Participant.id.label("person"), value.label("value")).where(
        Participant.id.in_(agreed_people())
    )


def people_valued(values: Select[int, str], value: str) -> Select[Any]:
    """Select the participants whose (participant, value) row has this value."""
    rows = values.subquery()
    return select(rows.c.person).where(rows.c.value == value)


def crosstab(session: Session, flow_id: str, result: str, values: Select[int, str],
             people: Select[Any] | None = None) -> Counter[tuple[str, str]]:  # fmt: skip
    """Count people per (group value, answer) of one result; a multiple answer stays joined."""
    rows = values.subquery()
    query = (
        select(rows.c.value, Answer.value, func.count())
        .join(rows, rows.c.person == Answer.participant_id)
        .where(Answer.run_id.in_(counted_runs(flow_id)), Answer.result == result)
        .group_by(rows.c.value, Answer.value)
    )
    if people is not None:
        query = query.where(Answer.participant_id.in_(people))
    return Counter({(str(group), str(answer)): int(n) for group, answer, n in session.execute(query)})


def count_people(session: Session, people: Select[Any] | None) -> int:
    """Count the participants a filter selects (when None: everyone whose answers count)."""
    if people is None:
        return int(session.scalar(select(func.count()).select_from(agreed_people().subquery())) or 0)
    return int(session.scalar(select(func.count()).select_from(people.subquery())) or 0)


def _totals_among(session: Session, people: Select[Any]) -> Totals:
    """Count came, agreed and finished across every questionnaire, among the people selected."""
    came = select(func.count()).where(Participant.id.in_(came_people()), Participant.id.in_(people))
    kept = agreed_people().where(Answer.participant_id.in_(people))
    agreed = select(func.count()).select_from(kept.subquery())
    finished = select(func.count(func.distinct(Run.participant_id))).where(
        Run.id.in_(finished_runs()), Run.participant_id.in_(people)
    )
    return Totals(*(int(session.scalar(q) or 0) for q in (came, agreed, finished)))


def overview(session: Session, people: Select[Any] | None = None) -> Overview:
    """Count the people who came and who finished, per day, channel and mode (among people, if given)."""

    def among(column: Any) -> Any:
        return column.in_(people) if people is not None else true()

    counted = totals(session) if people is None else _totals_among(session, people)
    came = and_(Participant.id.in_(came_people()), among(Participant.id))
    joined: Counter[str] = Counter()
    for day, n in session.execute(
        select(func.date(Participant.created_at), func.count()).where(came)
        .group_by(func.date(Participant.created_at))
    ):
        joined[_day(day)] += int(n)
    finished: Counter[str] = Counter()
    done = and_(Run.id.in_(finished_runs()), among(Run.participant_id))
    for day, n in session.execute(
        select(func.date(Run.ended_at), func.count(func.distinct(Run.participant_id)))
        .where(done, Run.ended_at.is_not(None))
        .group_by(func.date(Run.ended_at))
    ):
        finished[_day(day)] += int(n)
    days = [(d, joined[d], finished[d]) for d in sorted(set(joined) | set(finished)) if d]
    per_channel = select(Participant.channel, func.count()).where(came).group_by(Participant.channel)
    by_channel = dict(session.execute(per_channel).all())
    done_channel = dict(
        session.execute(
            select(Participant.channel, func.count(func.distinct(Run.participant_id)))
            .join(Run, Run.participant_id == Participant.id)
            .where(done)
            .group_by(Participant.channel)
        ).all()
    )
    channels = [
        (str(c), int(by_channel.get(c, 0)), int(done_channel.get(c, 0)))
        for c in sorted(set(by_channel) | set(done_channel))
    ]
    easy = session.scalar(select(func.count()).where(came, Participant.easy.is_(True)))
    audio = session.scalar(select(func.count()).where(came, Participant.audio.is_(True)))
    assisted = session.scalar(
        select(func.count(func.distinct(Answer.participant_id)))
        .where(Answer.assisted.is_(True), among(Answer.participant_id))
    )
    modes = [("easy", int(easy or 0)), ("audio", int(audio or 0)), ("assisted", int(assisted or 0))]
    return Overview(counted.came, counted.agreed, counted.finished, days, channels, modes)


def distribution(
    session: Session,
    flow_id: str,
    result: str,
    people: Select[Any] | None = None,
    multi: bool = False,
) -> tuple[int, Counter[str]]:
    """Count people per answer of one result: (respondents, count per key)."""
    query = select(Answer.value).where(Answer.run_id.in_(counted_runs(flow_id)), Answer.result == result)
    if people is not None:
        query = query.where(Answer.participant_id.in_(people))
    counts: Counter[str] = Counter()
    respondents = 0
    if not multi:
        grouped = query.with_only_columns(Answer.value, func.count()).group_by(Answer.value)
        for value, n in session.execute(grouped):
            counts[str(value)] += int(n)
        return sum(counts.values()), counts
    for (value,) in session.execute(query.execution_options(yield_per=2000)):
        respondents += 1
        counts.update(k for k in str(value).split(",") if k)
    return respondents, counts


def flow_ids(session: Session) -> list[str]:
    """Return every flow that has runs."""
    return sorted(session.scalars(select(Run.flow_id).distinct()))


def theme_counts(
    session: Session, flow_id: str, results: list[str], people: Select[Any] | None = None
) -> Counter[str]:
    """Count people per theme of their free-text answers ('' for no theme)."""
    query = (
        select(Answer.theme, func.count(func.distinct(Answer.participant_id)))
        .where(Answer.run_id.in_(counted_runs(flow_id)), Answer.result.in_(results))
        .group_by(Answer.theme)
    )
    if people is not None:
        query = query.where(Answer.participant_id.in_(people))
    return Counter({str(theme or ""): int(n) for theme, n in session.execute(query)})


def theme_texts(
    session: Session,
    flow_id: str,
    results: list[str],
    theme: str,
    people: Select[Any] | None = None,
    limit: int = 400,
) -> list[str]:
    """Return the latest free texts of one theme (the transcript for a recording)."""
    query = (
        select(Answer.value, Answer.raw_text)
        .where(Answer.run_id.in_(counted_runs(flow_id)), Answer.result.in_(results))
        .where(Answer.theme.is_(None) if not theme else Answer.theme == theme)
        .order_by(Answer.id.desc())
        .limit(limit)
    )
    if people is not None:
        query = query.where(Answer.participant_id.in_(people))
    texts = []
    for value, raw in session.execute(query):
        text = raw if value == "audio" and raw else value
        if text and text != "audio":
            texts.append(str(text))
    return texts
