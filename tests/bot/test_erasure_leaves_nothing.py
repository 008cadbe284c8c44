"""Every erasure path leaves nothing of the person: scanned in every table and audio folder."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, select, update

from bot.channels.base import InboundMessage, OutboundMessage
from bot.container import Services
from bot.retention_files import prune_clips
from storage import erasure
from storage.models import OutboxMessage, Participant, utcnow
from storage.retention import message_texts, purge

SAID = "Des bancs rue Zéphyrin-Quatremare"  # no flow says this: only the person
PHONE = "+33612349876"


class Person:
    """One participant on one channel, whose traces the scan looks for."""

    def __init__(self, services: Services, channel: str, address: str) -> None:
        self.services, self.channel, self.address = services, channel, address
        self.ids: list[str] = []
        self.clips: list[str] = []  # the digests of their read-backs' audio
        self.counter = itertools.count(1)
        self.key = services.service.participant_key(channel, address)

    def send(self, inline: bool = False, **fields: Any) -> list[OutboundMessage]:
        """Send one message (answered inline like a Twilio webhook when asked)."""
        external_id = f"{self.channel}-ext-{self.address[-4:]}-{next(self.counter)}"
        self.ids.append(external_id)
        inbound = InboundMessage(channel=self.channel, address=self.address,
                                 external_id=external_id, **fields)  # fmt: skip
        reply = (lambda replies: [1] * len(replies)) if inline else None
        return self.services.service.handle(inbound, reply_inline=reply).replies

    def take_part(self, inline: bool = False, recorded: bool = False) -> None:
        """Answer the demo flow up to a free text (or a recording of it, transcribed), read back
        to them with its clip rendered."""
        self.send(inline, start_flow="demo")
        self.send(inline, choice="standard", step="lecture")
        self.send(inline, choice="oui", step="accord")
        self.send(inline, choice="bien", step="humeur")
        self.send(inline, choice="maison", step="sujets")
        self.send(inline, choice="_valider", step="sujets")
        self.send(inline, choice="cmd:passer", step="age")
        spoken: dict[str, Any] = {}
        if recorded:  # a voice note kept with the recordings, as the Telegram channel does
            root = self.services.service.recordings
            assert root is not None
            (root / "voice").mkdir(parents=True, exist_ok=True)
            (root / "voice" / f"{self.address}.oga").write_bytes(b"OggS" + SAID.encode())
            spoken = {"audio_ref": f"voice/{self.address}.oga"}
        replies = self.send(inline, text=SAID, **spoken)
        if recorded:  # kept as said, with its transcript (checked in every table): no read-back
            return
        read_back = [r for r in replies if SAID in r.text]
        assert read_back, "the flow reads the text back"
        assert self.services.audio is not None
        for reply in read_back:
            self.clips.append(self.services.audio.clip(reply.spoken or reply.text).digest)

    def id(self) -> int:
        """Return the participant's database id."""
        with self.services.db.sessions() as session:
            found = session.scalars(select(Participant.id).where(Participant.key == self.key)).one()
            return int(found)


def traces(services: Services, person: Person, pid: int) -> list[str]:
    """Return every row, file or clip that still carries something of the person."""
    needles = [person.address, person.key, SAID, *person.ids]
    found: list[str] = []
    metadata = MetaData()
    metadata.reflect(services.db.engine)
    with services.db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = repr(tuple(row))
                found += [f"{table.name}: {n}" for n in needles if n in text]
                found += [f"{table.name}.{c}" for c, v in row._mapping.items()
                          if c.endswith("participant_id") and v == pid]  # fmt: skip
    assert services.audio is not None
    found += [f"audio {d}" for d, _ in services.audio.cache.entries() if d in person.clips]
    recordings = services.service.recordings
    assert recordings is not None
    found += [f"recording {p.name}" for p in recordings.rglob("*") if p.is_file()]
    return found


@pytest.fixture
def later(services: Services) -> Iterator[Callable[[], None]]:
    """Deliver what the outbox holds (as the dispatcher does), then move past the grace."""
    def move() -> None:
        with services.db.transaction() as session:
            session.execute(update(OutboxMessage).values(status="sent", sent_at=utcnow()))
        services.service.clock = lambda: utcnow() + timedelta(minutes=5)
    yield move


@pytest.mark.parametrize("channel,address,inline", [
    ("kiosk", "kiosk-visitor-77", False), ("telegram", "918273645", False), ("sms", PHONE, True),
])  # fmt: skip
def test_effacer_in_the_conversation_leaves_nothing(services: Services, later: Callable[[], None],
                                                     channel: str, address: str,
                                                     inline: bool) -> None:  # fmt: skip
    person = Person(services, channel, address)
    person.take_part(inline, recorded=channel == "telegram")
    pid = person.id()
    person.send(inline, text="effacer")
    done = person.send(inline, choice="oui")
    assert "effacées" in done[0].text
    if not inline:  # the confirmation still has to be shown or sent: then the sweep forgets
        later()
        assert services.service.sweep_erased() == 1
    assert traces(services, person, pid) == []


def test_coming_back_before_the_sweep_starts_afresh(services: Services) -> None:
    person = Person(services, "kiosk", "kiosk-visitor-78")
    person.take_part()
    person.send(text="effacer")
    person.send(choice="oui")
    again = person.send(start_flow="demo")
    assert again[0].text == "Bonjour et bienvenue."
    assert services.service.sweep_erased() == 0


def test_erasing_a_flow_leaves_nothing_of_its_people(services: Services) -> None:
    person = Person(services, "telegram", "555000111")
    person.take_part(recorded=True)
    pid = person.id()
    with services.db.transaction() as session:
        texts = erasure.flow_texts(session, "demo")
        erasure.erase_flow(session, "demo", services.service.recordings)
    services.service.forget_clips(texts)
    assert traces(services, person, pid) == []


def test_a_flow_erasure_also_forgets_who_erased_themselves(services: Services) -> None:
    person = Person(services, "telegram", "555000222")
    person.take_part()
    pid = person.id()
    person.send(text="effacer")
    person.send(choice="oui")
    with services.db.transaction() as session:
        erasure.erase_flow(session, "demo", None)
    assert traces(services, person, pid) == []


def test_purge_past_retention_leaves_nothing(services: Services) -> None:
    person = Person(services, "sms", PHONE)
    person.take_part(inline=True)
    pid = person.id()
    with services.db.transaction() as session:
        purge(session, utcnow() + timedelta(days=1))
    prune_clips(services.settings, 0)  # as `porte-voix purge` does, past readback_audio_days
    with services.db.sessions() as session:
        for text in message_texts(session, pid):
            assert SAID not in text
    assert [t for t in traces(services, person, pid) if "participant_id" not in t] == []


def test_a_read_back_clip_is_gone_once_answered(services: Services) -> None:
    person = Person(services, "kiosk", "kiosk-visitor-79")
    person.take_part()
    assert services.audio is not None
    assert {d for d, _ in services.audio.cache.entries()} >= set(person.clips)
    person.send(choice="oui")
    assert not {d for d, _ in services.audio.cache.entries()} & set(person.clips)
