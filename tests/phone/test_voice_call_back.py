"""A caller who finished and calls back is told so, and chooses: answer again, erase, or hang up."""

from __future__ import annotations

from bot.container import Services
from tests.phone.conftest import Twilio, stored_answers
from tests.phone.test_voice_webhook import Call, heard

ANSWERED = "Merci, vous avez déjà répondu au questionnaire. Vos réponses sont gardées."


async def finish_a_call(twilio: Twilio, sid: str) -> None:
    call = Call(twilio, call_sid=sid)
    await call.start()
    for digits in ("1", "1", "2", "1", "#", "3"):  # reading, consent, mood, a subject, validate, age
        await call.press(digits)
    doc = await call.speak()
    assert heard(doc)[-1] == "Merci pour vos réponses !"


async def test_a_caller_who_finished_hears_so_and_can_answer_again(
    twilio: Twilio, phone_services: Services
) -> None:
    await finish_a_call(twilio, "CA" + "1" * 32)
    call = Call(twilio, call_sid="CA" + "2" * 32)
    said = heard(await call.start())
    keys = "Pour répondre encore une fois, tapez 1. Pour effacer vos réponses, tapez 8. En danger, tapez 9."
    assert said[:2] == [ANSWERED, keys]
    assert "Comment voulez-vous lire ?" not in said  # no new questionnaire unless asked
    assert stored_answers(phone_services)["humeur"] == "moyen"
    doc = await call.press("1")
    assert "Comment voulez-vous lire ?" in heard(doc)  # a new run, on request


async def test_a_caller_who_finished_can_erase_or_just_hang_up(
    twilio: Twilio, phone_services: Services
) -> None:
    await finish_a_call(twilio, "CA" + "3" * 32)
    call = Call(twilio, call_sid="CA" + "4" * 32)
    await call.start()
    doc = await call.press("4")  # any other key: goodbye, nothing changes
    assert heard(doc) == ["Merci. Au revoir."] and [e.tag for e in doc][-1] == "Hangup"
    assert stored_answers(phone_services)["age"]
    call = Call(twilio, call_sid="CA" + "5" * 32)
    await call.start()
    doc = await call.press("8")
    assert heard(doc)[0].startswith("Voulez-vous effacer toutes vos réponses")
    doc = await call.press("1")
    assert heard(doc)[0].startswith("Vos réponses sont effacées")
    assert stored_answers(phone_services) == {}
    doc = await Call(twilio, call_sid="CA" + "6" * 32).start()
    assert ANSWERED not in heard(doc)  # erased: a new person, who starts the questions


async def test_a_caller_who_finished_hears_the_helplines_on_9(
    twilio: Twilio, phone_services: Services
) -> None:
    await finish_a_call(twilio, "CA" + "7" * 32)
    call = Call(twilio, call_sid="CA" + "8" * 32)
    await call.start()
    said = " ".join(heard(await call.press("9")))
    assert all(number in said for number in ("3919", "114"))
