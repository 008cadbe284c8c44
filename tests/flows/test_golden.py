"""Golden conversations: a flow plus scripted inputs must emit exactly the recorded events.

Regenerate on purpose only, after checking the diff reads right:
    REGEN_GOLDEN=1 python -m pytest tests/flows/test_golden.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from flows.engine import MAX_STEPS_PER_SPRINT, resume, start
from flows.events import Input, Prefs, RunState
from flows.loader import DEFINITIONS, load_file, load_text
from flows.model import Choice, Flow, Message, Step, Text

GOLDEN = Path(__file__).with_name("golden")
REGEN = os.environ.get("REGEN_GOLDEN") == "1"


def press(key: str, step: str | None = None) -> Input:
    """Press a button (of a given step, as real buttons carry it)."""
    return Input.choose(key, step)


def write(text: str, theme: str | None = None) -> Input:
    """Write free text."""
    return Input.say(text, theme=theme)


def command(name: str) -> Input:
    """Use a navigation command."""
    return Input.command(name)


def submit(step: str, *keys: str) -> Input:
    """Submit several keys of a multiple choice at once (a kiosk form)."""
    return Input(kind="choice", step=step, keys=keys)


VALIDATE = "_valider"
TO_CONSENT = [press("standard", "lecture"), press("non", "audio")]
TO_THEMES = [*TO_CONSENT, press("oui", "consentement")]
TO_SCALES = [*TO_THEMES, press(VALIDATE), press(VALIDATE)]
TO_PRIORITY = [*TO_SCALES, press("bien"), press("moyen"), press("confiance")]


def egalite() -> Flow:
    """Load the campaign flow."""
    return load_file(DEFINITIONS / "egalite.yml")


def looping() -> Flow:
    """Build a flow whose message steps send each other back and forth after one question.

    The validator refuses such a flow, so it is built in memory: the engine's step limit is
    the safety net for a flow that slipped through anyway.
    """
    shipped = load_text(MINIMAL, "boucle.yml")
    steps = (
        Step("question", "yesno", msg("On y va ?"), result="go",
             choices=(Choice("oui", msg("Oui"), "👍"), Choice("non", msg("Non"), "👎"))),
        Step("ping", "message", msg("Ping."), next="pong"),
        Step("pong", "message", msg("Pong."), next="ping"),
    )  # fmt: skip
    return replace(shipped, id="boucle", steps=steps)


def msg(text: str) -> Message:
    """Build a French message with the same text in both registers."""
    return Message({"fr": Text(text, text)})


MINIMAL = "spec_version: 2\nid: x\nversion: 1\nsteps: [{id: f, kind: end, say: {text: F, easy: F}}]\n"


@dataclass(frozen=True)
class Conversation:
    """A scripted conversation: which flow, how the participant starts, what they do."""

    flow: Callable[[], Flow]
    prefs: Prefs
    script: list[Input]


STANDARD, EASY = Prefs(), Prefs(easy=True)
CONVERSATIONS: dict[str, Conversation] = {
    "egalite_standard_path": Conversation(egalite, STANDARD, [
        *TO_THEMES,
        press("travail", "themes_quotidien"), press("education", "themes_quotidien"),
        press(VALIDATE, "themes_quotidien"),
        submit("themes_dehors", "espace_public", "sport_loisirs"),
        press("bien", "essai_echelle"), press("moyen", "ressenti"), press("confiance", "securite_soir"),
        write("Des crèches ouvertes plus tard le soir."), press("oui", "priorite"),
        press("30-44", "age"), write("Vitry-sur-Seine"), press("oui", "commune"),
        press("femme", "genre"), press("rarement", "vie_publique"),
        press("oui", "volontaire"), press("oui", "suivi"),
    ]),
    "egalite_easy_read_path": Conversation(egalite, STANDARD, [
        press("facile", "lecture"), press("oui", "audio"), press("oui", "consentement"),
        press("taches_domestiques"), press(VALIDATE), press("espace_public"), press(VALIDATE),
        press("mal"), press("mal"), press("peur"),
        write("Que les hommes fassent aussi le ménage."), press("oui"),
        press("60-74"), write("Créteil"), press("oui"), press("homme"), press("souvent"),
        press("non", "volontaire"), press("non", "suivi"),
    ]),
    "egalite_consent_refused": Conversation(egalite, EASY, [
        *TO_CONSENT, press("non", "consentement"), write("bonjour ?"),
    ]),
    "egalite_optional_skipped": Conversation(egalite, STANDARD, [
        *TO_THEMES, command("passer"), command("passer"), press("moyen"), press("moyen"),
        command("passer"), command("passer"), command("passer"), command("passer"),
        command("passer"), command("passer"), command("passer"), press("non"), press("non"),
    ]),
    "egalite_retour": Conversation(egalite, STANDARD, [
        command("retour"), *TO_THEMES, press("travail"), press(VALIDATE), command("retour"),
        press("education"), press(VALIDATE), press(VALIDATE), press("bien"), command("retour"),
        command("retour"), press(VALIDATE),
    ]),
    "egalite_pause_resume": Conversation(egalite, EASY, [
        *TO_SCALES, command("pause"), command("repeter"), command("pause"),
        press("bien", "essai_echelle"),
    ]),
    "egalite_stale_button": Conversation(egalite, STANDARD, [
        *TO_SCALES, press("bien", "essai_echelle"), press("mal", "essai_echelle"),
        press("mal", "ressenti"),
    ]),
    "egalite_free_text_readback": Conversation(egalite, STANDARD, [
        *TO_PRIORITY, write("Plus de lumière dans les rues."), press("non", "priorite"),
        write("Éclairer les rues et les arrêts de bus le soir.", theme="espace_public"),
        press("peut-etre", "priorite"), press("oui", "priorite"), press("30-44"),
        write("Ivry"), press("oui", "commune"),
    ]),
    "egalite_multi_choice": Conversation(egalite, STANDARD, [
        *TO_THEMES, press("travail"), press("taches_domestiques"), press("travail"),
        press("inconnu"), press(VALIDATE), press(VALIDATE),
    ]),
    "loop_step_limit": Conversation(looping, STANDARD, [press("oui", "question"), write("allo ?")]),
}  # fmt: skip


def plain(value: Any) -> Any:
    """Return a value as JSON would give it back (tuples become lists)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def play(conversation: Conversation) -> dict[str, Any]:
    """Run a conversation through the engine, storing the state as JSON between turns."""
    flow = conversation.flow()
    sprint = start(flow, conversation.prefs)
    turns = [{"input": None, "events": [asdict(e) for e in sprint.events],
              "state": sprint.state.to_dict()}]  # fmt: skip
    for inp in conversation.script:
        state = RunState.from_dict(plain(sprint.state.to_dict()))  # as the service stores it
        sprint = resume(flow, state, inp)
        turns.append({"input": asdict(inp), "events": [asdict(e) for e in sprint.events],
                      "state": sprint.state.to_dict()})  # fmt: skip
    return plain({"flow": flow.id, "version": flow.version, "prefs": asdict(conversation.prefs),
                  "turns": turns})  # fmt: skip


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_golden_conversation(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    actual = play(CONVERSATIONS[name])
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with REGEN_GOLDEN=1 once, then review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected


def test_every_golden_file_has_a_conversation() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(CONVERSATIONS)


def test_step_limit_fails_the_run_without_sending_the_loop() -> None:
    turn = play(CONVERSATIONS["loop_step_limit"])["turns"][1]
    assert turn["state"]["status"] == "failed"
    assert [e["type"] for e in turn["events"]] == ["result_saved", "message_created", "run_ended"]
    assert turn["events"][1]["role"] == "system"  # the apology, not 50 pings
    assert turn["events"][-1]["reason"].startswith(f"step limit {MAX_STEPS_PER_SPRINT} passed")
