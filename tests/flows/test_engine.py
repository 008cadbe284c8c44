"""Engine behaviours the golden conversations do not pin."""

from __future__ import annotations

import json

import pytest

from flows.engine import repeat, resume, start
from flows.events import (
    DONE_KEY,
    Input,
    MessageCreated,
    PrefChanged,
    Prefs,
    ResultSaved,
    RunEnded,
    RunState,
)
from flows.loader import DEFINITIONS, load_file, load_text
from flows.model import Flow
from flows.validate import FlowError

SMALL = """
spec_version: 2
id: petit
version: 3
steps:
  - id: sujets
    kind: multi
    result: sujets
    say: {text: "Quels sujets ?", easy: "Quels sujets ?"}
    help: {text: Aide des sujets., easy: Aide des sujets.}
    choices:
      - {key: travail, label: Travail, icon: "💼"}
      - {key: maison, label: Maison, icon: "🏠"}
  - id: idee
    kind: text
    result: idee
    max_length: 20
    say: {text: "Votre idée ?", easy: "Votre idée ?", audio: Dites votre idée.}
  - id: fin
    kind: end
    say: {text: Merci., easy: Merci.}
"""


@pytest.fixture
def small() -> Flow:
    return load_text(SMALL, "petit.yml")


def texts(events: tuple[object, ...]) -> list[str]:
    """Return the texts of the messages among events."""
    return [e.text for e in events if isinstance(e, MessageCreated)]


def at_text_step(flow: Flow) -> RunState:
    """Return a run waiting at the free-text step."""
    return resume(flow, start(flow, Prefs()).state, Input(kind="choice", keys=("maison",))).state


def test_required_multi_refuses_an_empty_selection(small: Flow) -> None:
    sprint = resume(small, start(small, Prefs()).state, Input.choose(DONE_KEY))
    assert texts(sprint.events)[0] == "Choisissez au moins une réponse, puis validez."
    assert sprint.state.step == "sujets"
    assert not any(isinstance(e, ResultSaved) for e in sprint.events)


def test_multi_saves_keys_in_flow_order(small: Flow) -> None:
    state = start(small, Prefs()).state
    for key in ("maison", "travail", DONE_KEY):
        sprint = resume(small, state, Input.choose(key))
        state = sprint.state
    saved = [e for e in sprint.events if isinstance(e, ResultSaved)]
    assert [(e.name, e.value) for e in saved] == [("sujets", "travail,maison")]


def test_state_survives_json_between_every_turn(small: Flow) -> None:
    state = start(small, Prefs(easy=True)).state
    state = resume(small, state, Input.choose("travail")).state
    stored = json.loads(json.dumps(state.to_dict()))
    assert RunState.from_dict(stored) == state
    assert stored["pending"] == {"kind": "multi", "selected": ["travail"]}
    assert stored["flow_version"] == 3


def test_repeat_changes_nothing(small: Flow) -> None:
    state = at_text_step(small)
    sprint = repeat(small, state)
    assert texts(sprint.events) == ["Votre idée ?"]
    assert sprint.state == state


def test_help_uses_the_step_help_then_repeats_the_question(small: Flow) -> None:
    sprint = resume(small, start(small, Prefs()).state, Input.command("aide"))
    assert texts(sprint.events) == ["Aide des sujets.", "Quels sujets ?"]
    without = resume(small, at_text_step(small), Input.command("aide"))
    assert texts(without.events)[0].startswith("Choisissez une réponse avec un bouton")


def test_too_long_text_is_refused_with_the_limit(small: Flow) -> None:
    sprint = resume(small, at_text_step(small), Input.say("x" * 21))
    assert "20 caractères au plus" in texts(sprint.events)[0]
    assert sprint.state.pending is None and sprint.state.step == "idee"


def test_blank_text_asks_again(small: Flow) -> None:
    sprint = resume(small, at_text_step(small), Input.say("   "))
    assert texts(sprint.events) == ["Votre idée ?"]


def test_voice_answer_is_saved_without_read_back(small: Flow) -> None:
    sprint = resume(small, at_text_step(small), Input.say("", audio_ref="audio/42.ogg"))
    saved = next(e for e in sprint.events if isinstance(e, ResultSaved))
    assert (saved.value, saved.audio_ref) == ("audio", "audio/42.ogg")
    assert isinstance(sprint.events[-1], RunEnded) and sprint.state.status == "completed"


def test_text_on_a_choice_step_and_unknown_key_are_not_understood(small: Flow) -> None:
    state = start(small, Prefs()).state
    for inp in (Input.say("le travail"), Input.choose("sport")):
        sprint = resume(small, state, inp)
        assert texts(sprint.events)[0].startswith("Je n'ai pas compris")
        assert sprint.state.step == "sujets"


def test_required_step_cannot_be_skipped(small: Flow) -> None:
    sprint = resume(small, start(small, Prefs()).state, Input.command("passer"))
    assert texts(sprint.events) == [
        "Cette question a besoin d'une réponse. Choisissez avec un bouton.",
        "Quels sujets ?",
    ]


def test_reading_and_audio_commands_switch_the_register(small: Flow) -> None:
    flow = load_file(DEFINITIONS / "egalite.yml")
    state = start(flow, Prefs()).state
    sprint = resume(flow, state, Input.command("facile"))
    assert sprint.events[0] == PrefChanged(name="reading", value=True)
    assert texts(sprint.events) == ["Comment voulez-vous lire les messages ?"]
    sprint = resume(flow, sprint.state, Input.command("audio"))
    assert sprint.state.prefs == Prefs(easy=True, audio=True)


def test_spoken_text_uses_the_audio_script_and_lists_the_choices(small: Flow) -> None:
    state = at_text_step(small)
    assert repeat(small, state).messages()[0].spoken == "Dites votre idée."
    first = start(small, Prefs()).messages()[0]
    assert first.spoken == "Quels sujets ? Travail. Maison. Valider."


def test_input_after_the_end_says_the_run_is_over(small: Flow) -> None:
    state = resume(small, at_text_step(small), Input.say("Des bancs")).state
    done = resume(small, state, Input.choose("oui")).state
    assert done.status == "completed"
    sprint = resume(small, done, Input.say("encore"))
    assert texts(sprint.events)[0].startswith("Ce questionnaire est terminé")
    assert sprint.state == done


def test_refused_consent_ends_the_run_as_declined() -> None:
    flow = load_file(DEFINITIONS / "egalite.yml")
    state = start(flow, Prefs()).state
    for key in ("standard", "non", "non"):
        sprint = resume(flow, state, Input.choose(key))
        state = sprint.state
    assert state.status == "declined" and state.step == "refus"
    assert sprint.events[-1] == RunEnded(status="declined")


def test_readback_keeps_the_theme_when_asked_again(small: Flow) -> None:
    pending = resume(small, at_text_step(small), Input.say("Payer pareil", theme="travail"))
    assert "Vous parlez du travail." in texts(pending.events)[0]
    again = resume(small, pending.state, Input.choose("bof"))
    assert "Vous parlez du travail." in texts(again.events)[1]


def test_retour_to_a_multi_shows_the_saved_selection(small: Flow) -> None:
    state = at_text_step(small)
    sprint = resume(small, state, Input.command("retour"))
    assert sprint.messages()[0].selected == ("maison",)
    sprint = resume(small, sprint.state, Input.choose(DONE_KEY))
    saved = next(e for e in sprint.events if isinstance(e, ResultSaved))
    assert saved.value == "maison"


def test_evaluation_flow_runs_to_its_end() -> None:
    flow = load_file(DEFINITIONS / "evaluation.yml")
    state = start(flow, Prefs(easy=True)).state
    opening = (Input.choose("facile"), Input.choose("non"), Input.choose("oui"))
    for inp in (*opening, Input.choose("un_peu"), Input.choose("change"), Input.command("passer")):
        state = resume(flow, state, inp).state
    assert state.status == "completed"
    assert state.results == {"consentement": "oui", "discussions_utiles": "un_peu", "avis_change": "change"}


def test_evaluation_opens_with_reading_then_sound_then_consent() -> None:
    flow = load_file(DEFINITIONS / "evaluation.yml")
    sprint = start(flow, Prefs())
    asked = [sprint.messages()[-1].step]
    for key in ("standard", "oui"):
        sprint = resume(flow, sprint.state, Input.choose(key))
        asked.append(sprint.messages()[-1].step)
    assert asked == ["lecture", "audio", "consentement"]
    assert sprint.state.prefs.audio  # the sound chosen at the second question is on
    consent = sprint.messages()[-1].text
    assert "6 mois" in consent and "effacer" in consent


def test_a_choice_that_tells_says_its_system_message_once_chosen() -> None:
    flow = load_file(DEFINITIONS / "egalite.yml")
    state = RunState("egalite", flow.version, "securite_soir", prefs=Prefs(easy=True))
    sprint = resume(flow, state, Input.choose("peur", step="securite_soir"))
    texts = [m.text for m in sprint.messages()]
    assert "3919" in texts[0] and sprint.state.results["securite_soir"] == "peur"
    assert sprint.messages()[-1].step == "priorite"  # and the run goes on
    calm = resume(flow, state, Input.choose("confiance", step="securite_soir"))
    assert not any("3919" in m.text for m in calm.messages())


def test_a_choice_may_only_tell_a_system_message_that_exists() -> None:
    content = (DEFINITIONS / "egalite.yml").read_text(encoding="utf-8")
    with pytest.raises(FlowError, match="tells 'inconnu'"):
        load_text(content.replace("tell: helplines", "tell: inconnu"), "essai.yml")
