"""A step kind defined only in the tests loads, validates, lints and converses like a built-in."""

from __future__ import annotations

import pytest

from flows import kinds
from flows.engine import resume, start
from flows.events import Input, MessageCreated, Prefs, ResultSaved, RunEnded
from flows.kinds import Kind
from flows.lint import lint
from flows.loader import load_file, load_text
from flows.model import Flow
from flows.validate import FlowError
from tests.kinds.reaction import FLOWS

HEAD = "spec_version: 2\nid: x\nversion: 1\nsteps:\n"
END = "  - {id: fin, kind: end, say: {text: Merci., easy: Merci.}}\n"


@pytest.fixture
def avis(reaction: Kind) -> Flow:
    return load_file(FLOWS / "avis.yml")


def prompt(events: tuple[object, ...]) -> MessageCreated:
    """Return the question among the events."""
    return next(e for e in events if isinstance(e, MessageCreated) and e.role == "prompt")


def test_an_unregistered_kind_is_unknown_and_registering_does_not_leak() -> None:
    assert "avis_test" not in kinds.names()
    with pytest.raises(FlowError, match=r"step 'bus': unknown kind 'avis_test' \(expected one of .*yesno\)"):
        load_file(FLOWS / "avis.yml")


def test_the_loader_lists_the_registered_kinds(reaction: Kind) -> None:
    with pytest.raises(FlowError) as refused:
        load_text(HEAD + "  - {id: q, kind: dance, say: {text: A, easy: A}}\n" + END)
    assert "unknown kind 'dance'" in str(refused.value) and "avis_test" in str(refused.value)


def test_a_reaction_gets_its_built_in_choices(avis: Flow) -> None:
    step = avis.step("bus")
    assert [(c.key, c.label.get("fr").text, c.icon) for c in step.choices] == [
        ("accord", "D'accord", "👍"), ("desaccord", "Pas d'accord", "👎"),
        ("ne_sait_pas", "Je ne sais pas", "🤷"),
    ]  # fmt: skip
    assert step.asks and step.feeling


def test_the_kind_validates_its_own_steps(reaction: Kind) -> None:
    steps = (
        "  - id: q\n    kind: avis_test\n    result: r\n    say: {text: A, easy: A}\n"
        "    choices: [{key: oui, label: Oui, icon: '👍'}, {key: non, label: Non, icon: '👎'}]\n"
    )
    with pytest.raises(FlowError, match="step 'q': a reaction has the keys accord, desaccord, ne_sait_pas"):
        load_text(HEAD + steps + END)


def test_the_flow_passes_the_linter(avis: Flow) -> None:
    assert [str(i) for i in lint(avis) if i.severity == "error"] == []


def test_a_conversation_with_a_step_back(avis: Flow) -> None:
    sprint = start(avis, Prefs(easy=True))
    question = prompt(sprint.events)
    assert (question.step, question.expects) == ("bus", "choice")
    assert question.text == "Les bus passent assez souvent."
    assert question.spoken.endswith("D'accord. Pas d'accord. Je ne sais pas.")
    sprint = resume(avis, sprint.state, Input.choose("desaccord", "bus"))
    assert prompt(sprint.events).step == "lumiere"
    sprint = resume(avis, sprint.state, Input.command("retour"))
    assert prompt(sprint.events).step == "bus"
    sprint = resume(avis, sprint.state, Input.choose("accord", "bus"))
    sprint = resume(avis, sprint.state, Input.choose("peut-etre", "lumiere"))
    assert sprint.messages()[0].text.startswith("Je n'ai pas compris")
    sprint = resume(avis, sprint.state, Input.choose("ne_sait_pas", "lumiere"))
    saved = [(e.name, e.value) for e in sprint.events if isinstance(e, ResultSaved)]
    assert saved == [("lumiere", "ne_sait_pas")]
    assert sprint.messages()[-1].text == "Merci !"
    assert sprint.events[-1] == RunEnded(status="completed")
    assert sprint.state.results == {"bus": "accord", "lumiere": "ne_sait_pas"}
