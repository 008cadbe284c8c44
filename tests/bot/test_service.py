"""The conversation service on SQLite (and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from bot.channels.base import InboundMessage
from bot.container import Services
from storage.models import Answer, InboundEvent, OutboxMessage, Participant, Run, SafetyFlag

Send = Callable[..., Any]


def answers(services: Services) -> dict[str, str]:
    """Return every stored answer as result -> value."""
    with services.db.sessions() as session:
        return {a.result: a.value for a in session.scalars(select(Answer))}


def count(services: Services, model: Any) -> int:
    """Count the rows of a table."""
    with services.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def to_consent(send: Send, address: str = "person-1") -> None:
    """Start the demo flow and accept consent, in easy-read."""
    send(address, start_flow="demo")
    send(address, choice="facile", step="lecture")
    send(address, choice="oui", step="accord")


def test_full_journey_saves_every_answer(services: Services, send: Send) -> None:
    first = send(start_flow="demo")
    assert [r.text for r in first.replies] == ["Bonjour et bienvenue.", "Comment voulez-vous lire ?"]
    send(choice="facile", step="lecture")
    consent = send(choice="oui", step="accord")
    assert consent.replies[-1].text == "Comment allez-vous ?"
    assert consent.replies[-1].easy is True
    send(text="moyen")  # typed text matched onto a choice label
    send(choice="travail", step="sujets")
    send(choice="rue", step="sujets")
    send(choice="_valider", step="sujets")
    send(choice="cmd:passer", step="age")
    readback = send(text="Des horaires de crèche plus longs")
    assert 'Vous avez dit : "Des horaires de crèche plus longs"' in readback.replies[-1].text
    end = send(text="oui")
    assert end.replies[-1].text == "Merci !"
    assert answers(services) == {
        "accord": "oui",
        "humeur": "moyen",
        "sujets": "travail,rue",
        "priorite": "Des horaires de crèche plus longs",
    }
    with services.db.sessions() as session:
        participant = session.scalars(select(Participant)).one()
        assert participant.easy is True and participant.consent_at is not None
        assert session.scalars(select(Run)).one().status == "completed"
        assert b"person-1" not in participant.address_enc
        assert services.crypto.decrypt(participant.address_enc) == "person-1"


def test_duplicate_inbound_returns_stored_reply_and_saves_once(services: Services, send: Send) -> None:
    to_consent(send)
    first = send(choice="bien", step="humeur", external_id="dup-1")
    again = send(choice="bien", step="humeur", external_id="dup-1")
    assert again.duplicate is True
    assert [r.text for r in again.replies] == [r.text for r in first.replies]
    assert again.outbox_ids == first.outbox_ids
    assert count(services, Answer) == 2  # accord + humeur, humeur once
    assert count(services, InboundEvent) == 4


def test_concurrent_messages_for_one_participant_are_serialised(services: Services, send: Send) -> None:
    to_consent(send)
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def post(name: str, inbound: InboundMessage) -> None:
        barrier.wait()
        results[name] = services.service.handle(inbound)

    a = InboundMessage("kiosk", "person-1", "race-a", choice="bien", step="humeur")
    b = InboundMessage("kiosk", "person-1", "race-b", choice="cmd:repeter")
    threads = [threading.Thread(target=post, args=(n, m)) for n, m in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert set(results) == {"a", "b"}
    assert answers(services)["humeur"] == "bien"
    # Each message's replies form one block: the two turns never interleaved.
    ids_a, ids_b = results["a"].outbox_ids, results["b"].outbox_ids
    assert max(ids_a) < min(ids_b) or max(ids_b) < min(ids_a)
    assert count(services, InboundEvent) == 5


def test_many_concurrent_duplicates_store_one_answer(services: Services, send: Send) -> None:
    to_consent(send)
    inbound = InboundMessage("kiosk", "person-1", "same-id", choice="mal", step="humeur")
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(services.service.handle(inbound)))
               for _ in range(6)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 6
    assert sum(not r.duplicate for r in results) == 1
    assert answers(services)["humeur"] == "mal"
    assert count(services, Answer) == 2


def test_stop_opts_out_and_bonjour_comes_back_on_the_kiosk(services: Services, send: Send) -> None:
    to_consent(send)
    stopped = send(text="STOP")
    assert "fini pour vous" in stopped.replies[0].text  # the kiosk's words: nothing more is asked
    later = send(text="encore moi")
    assert later.replies[0].text.startswith("Vous avez arrêté")
    again = send(text="Bonjour")
    assert again.replies[-1].step == "lecture"


def test_stop_is_final_on_sms(services: Services, send: Send) -> None:
    send("+33612345678", channel="sms", text="demo")
    send("+33612345678", channel="sms", text="ARRÊT")
    after = send("+33612345678", channel="sms", text="bonjour")
    assert after.replies == [] and after.outbox_ids == []


def test_erase_asks_first_then_deletes_answers(services: Services, send: Send) -> None:
    to_consent(send)
    send(choice="bien", step="humeur")
    confirm = send(text="efface")
    assert confirm.replies[0].expects == "confirm"
    kept = send(text="non")
    assert "gardées" in kept.replies[0].text
    assert answers(services) == {"accord": "oui", "humeur": "bien"}
    send(choice="cmd:effacer")
    done = send(choice="oui")
    assert "effacées" in done.replies[0].text
    assert answers(services) == {}
    assert count(services, Run) == 0


def test_danger_gets_helplines_at_once_and_is_flagged(services: Services, send: Send) -> None:
    to_consent(send)
    reply = send(text="mon mari me frappe")
    assert "3919" in reply.replies[0].text and "114" in reply.replies[0].text
    assert reply.replies[-1].step == "humeur"  # the conversation can go on
    with services.db.sessions() as session:
        flag = session.scalars(select(SafetyFlag)).one()
        assert flag.step == "humeur" and flag.handled_at is None


def test_stale_button_changes_nothing(services: Services, send: Send) -> None:
    to_consent(send)
    send(choice="bien", step="humeur")
    stale = send(choice="mal", step="humeur")
    assert "ancien" in stale.replies[0].text
    assert answers(services)["humeur"] == "bien"


def test_outbox_rows_hold_no_address(services: Services, send: Send) -> None:
    send("+33699999999", channel="kiosk", start_flow="demo")
    with services.db.sessions() as session:
        for row in session.scalars(select(OutboxMessage)):
            assert "+33699999999" not in str(row.payload)


def test_refusing_consent_after_going_back_keeps_nothing(services: Services, send: Send) -> None:
    to_consent(send)
    send(choice="bien", step="humeur")
    send(choice="cmd:retour")
    send(choice="cmd:retour")
    assert answers(services) == {"accord": "oui", "humeur": "bien"}
    refused = send(choice="non", step="accord")
    assert refused.replies[-1].text.startswith("D'accord")
    assert answers(services) == {}
    with services.db.sessions() as session:
        assert session.scalars(select(Run)).one().status == "declined"
        assert session.scalars(select(Participant)).one().consent_at is None


def test_a_button_from_an_earlier_run_changes_nothing(services: Services, send: Send) -> None:
    send(start_flow="demo")
    with services.db.sessions() as session:
        old_run = session.scalars(select(Run)).one().id
    send(text="STOP")
    send(text="bonjour")  # a new run of the same flow
    stale = send(choice="facile", step="lecture", run_id=old_run)
    assert "ancien" in stale.replies[0].text
    assert stale.replies[-1].step == "lecture"
    with services.db.sessions() as session:
        assert session.scalars(select(Participant)).one().easy is False


def test_passer_pressed_on_an_old_question_skips_nothing(services: Services, send: Send) -> None:
    to_consent(send)
    send(choice="bien", step="humeur")
    send(choice="maison", step="sujets")
    send(choice="_valider", step="sujets")
    # Now on the optional age step: a "Passer" from the sujets message is old.
    stale = send(choice="cmd:passer", step="sujets")
    assert "ancien" in stale.replies[0].text and stale.replies[-1].step == "age"
    moved = send(choice="cmd:passer", step="age")
    assert moved.replies[-1].step == "priorite"


def test_effacer_deletes_recordings_too(services: Services, send: Send) -> None:
    assert services.service.recordings is not None
    recording = services.service.recordings / "telegram" / "note.oga"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"OggS fake voice")
    to_consent(send)
    send(choice="bien", step="humeur")
    send(choice="_valider", step="sujets", keys=("rue",))
    send(choice="cmd:passer", step="age")
    send(audio_ref="telegram/note.oga")
    assert answers(services)["priorite"] == "audio"
    send(text="effacer")
    send(text="oui")
    assert not recording.exists()
    assert answers(services) == {}
def test_inline_replies_are_stored_as_sent_with_their_cost(services: Services) -> None:
    seen: list[list[str]] = []

    def cost(replies: list[Any]) -> list[int | None]:
        seen.append([r.text for r in replies])
        return [len(replies) - i for i in range(len(replies))]

    inbound = InboundMessage("sms", "+33612345678", "in-1", start_flow="demo")
    result = services.service.handle(inbound, reply_inline=cost)
    assert seen == [[r.text for r in result.replies]] and len(result.replies) == 2
    with services.db.sessions() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [r.id for r in rows] == result.outbox_ids
    assert [(r.status, r.segments, r.attempts) for r in rows] == [("sent", 2, 1), ("sent", 1, 1)]
    assert all(r.sent_at is not None for r in rows)
    again = services.service.handle(inbound, reply_inline=cost)
    assert again.duplicate is True and again.outbox_ids == result.outbox_ids
    assert len(seen) == 1  # a duplicate's replies are not costed (nor answered) again


async def test_the_outbox_never_sends_a_reply_that_went_out_inline(services: Services) -> None:
    inbound = InboundMessage("sms", "+33612345678", "in-1", start_flow="demo")
    services.service.handle(inbound, reply_inline=lambda replies: [1] * len(replies))
    assert await services.dispatcher.dispatch() == 0
    with services.db.sessions() as session:
        assert {r.status for r in session.scalars(select(OutboxMessage))} == {"sent"}


def test_a_reader_reads_the_message_against_the_last_question(services: Services) -> None:
    prompts: list[Any] = []

    def read(inbound: InboundMessage, prompt_of: Callable[[], Any]) -> InboundMessage:
        prompt = prompt_of()
        prompts.append(prompt and prompt["step"])
        if prompt and inbound.text == "2":  # the second choice of the question asked
            return InboundMessage(inbound.channel, inbound.address, inbound.external_id,
                                  choice=prompt["buttons"][1][0], step=prompt["step"])  # fmt: skip
        return inbound

    def handle(external_id: str, **fields: Any) -> Any:
        inbound = InboundMessage("sms", "+33612345678", external_id, **fields)
        return services.service.handle(inbound, read=read)

    handle("a", start_flow="demo")
    consent = handle("b", text="2")
    assert prompts == [None, "lecture"]
    assert consent.replies[-1].easy is True  # "2" read as the easy-read button


def test_writing_after_the_end_keeps_the_run_and_a_refusal_may_start_again(
    services: Services, send: Send
) -> None:
    to_consent(send, "done")
    for inbound in ({"text": "moyen"}, {"choice": "travail", "step": "sujets"},
                    {"choice": "_valider", "step": "sujets"}, {"choice": "cmd:passer", "step": "age"},
                    {"text": "Des crèches"}, {"text": "oui"}):  # fmt: skip
        last = send("done", **inbound)
    assert last.replies[-1].text == "Merci !"
    again = send("done", text="Je voulais ajouter quelque chose")
    assert again.replies[0].text.startswith("Merci, vous avez déjà répondu")
    send("refused", start_flow="demo")
    send("refused", choice="facile", step="lecture")
    send("refused", choice="non", step="accord")
    later = send("refused", text="En fait oui")
    assert later.replies[-1].step == "lecture"  # nothing kept: the questionnaire starts again
    with services.db.sessions() as session:
        done = session.scalars(select(Participant.id).where(Participant.channel == "kiosk")).first()
        assert [r.status for r in session.scalars(select(Run).where(Run.participant_id == done))] == [
            "completed"]  # fmt: skip
