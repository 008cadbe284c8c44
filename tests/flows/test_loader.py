"""The loader and validator refuse broken flows, naming the file, the step and the reason."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from flows.loader import DEFINITIONS, load_directory, load_file, load_text
from flows.validate import FlowError

SOURCE = "campagne.yml"
CENSUS = Path(__file__).resolve().parents[2] / "dashboard" / "reference" / "val-de-marne-age-2020.csv"


def flow_yaml(steps: str, spec: int = 2) -> str:
    """Return a flow document around some YAML steps."""
    return f"spec_version: {spec}\nid: essai\nversion: 1\nsteps:\n{steps}"


OK_END = "  - {id: fin, kind: end, say: {text: Merci., easy: Merci.}}\n"


def refused(content: str) -> str:
    """Load a broken flow and return the error text."""
    with pytest.raises(FlowError) as caught:
        load_text(content, SOURCE)
    return str(caught.value)


def test_unknown_target_names_file_step_and_target() -> None:
    steps = "  - {id: q1, kind: message, say: {text: A, easy: A}, next: nulle_part}\n" + OK_END
    assert "campagne.yml: step 'q1': unknown target step 'nulle_part'" in refused(flow_yaml(steps))


def test_unreachable_step() -> None:
    steps = (
        "  - {id: q1, kind: message, say: {text: A, easy: A}, next: fin}\n"
        "  - {id: orpheline, kind: message, say: {text: B, easy: B}}\n" + OK_END
    )
    assert "campagne.yml: step 'orpheline': unreachable step" in refused(flow_yaml(steps))


def test_duplicate_result_names_both_steps() -> None:
    steps = (
        "  - {id: q1, kind: text, result: avis, say: {text: A, easy: A}}\n"
        "  - {id: q2, kind: text, result: avis, say: {text: B, easy: B}}\n" + OK_END
    )
    error = refused(flow_yaml(steps))
    assert "campagne.yml: step 'q2': duplicate result name 'avis'" in error
    assert "also saved by step 'q1'" in error


def test_message_without_easy_text() -> None:
    steps = "  - {id: q1, kind: message, say: {text: Bonjour}}\n" + OK_END
    assert "campagne.yml: step 'q1': the message in 'fr' has no easy-read text" in refused(flow_yaml(steps))


def test_plain_string_message_is_refused_for_lack_of_easy_text() -> None:
    steps = "  - {id: q1, kind: message, say: Bonjour}\n" + OK_END
    assert "step 'q1': the message has no easy-read text" in refused(flow_yaml(steps))


def test_choice_without_icon() -> None:
    steps = (
        "  - id: q1\n    kind: choice\n    result: r\n    say: {text: A, easy: A}\n"
        "    choices: [{key: a, label: A, icon: '🙂'}, {key: b, label: B}]\n" + OK_END
    )
    assert "campagne.yml: step 'q1': choice 'b' has no icon" in refused(flow_yaml(steps))


def test_more_than_five_choices() -> None:
    choices = ", ".join(f"{{key: k{n}, label: L{n}, icon: '🙂'}}" for n in range(6))
    steps = (
        f"  - {{id: q1, kind: choice, result: r, say: {{text: A, easy: A}}, choices: [{choices}]}}\n" + OK_END
    )
    assert "campagne.yml: step 'q1': 6 choices (at most 5)" in refused(flow_yaml(steps))


def test_scale_needs_three_pictured_choices() -> None:
    steps = (
        "  - id: note\n    kind: scale\n    result: r\n    say: {text: A, easy: A}\n"
        "    choices: [{key: a, label: A, icon: '🙂'}, {key: b, label: B, icon: '🙁'}]\n" + OK_END
    )
    assert "campagne.yml: step 'note': a scale has exactly 3 pictured choices" in refused(flow_yaml(steps))


def test_newer_spec_version_is_refused() -> None:
    error = refused(flow_yaml(OK_END, spec=4))
    assert error.startswith("campagne.yml: spec_version 4 is newer")
    assert "upgrade Porte-voix" in error


def test_spec_1_is_migrated() -> None:
    steps = (
        "  - id: humeur\n    type: choice\n    result: humeur\n"
        "    question: {text: 'Comment allez-vous ?', easy: 'Ça va ?'}\n"
        "    options:\n"
        "      - {value: bien, label: Bien, emoji: '🙂'}\n"
        "      - {value: mal, label: Mal, emoji: '🙁', next: fin}\n" + OK_END
    )
    flow = load_text(flow_yaml(steps, spec=1), SOURCE)
    step = flow.step("humeur")
    assert step.kind == "choice"
    assert step.say.get("fr").easy == "Ça va ?"
    assert [(c.key, c.icon, c.next) for c in step.choices] == [
        ("bien", "🙂", None),
        ("mal", "🙁", "fin"),
    ]


QUESTIONS = (
    "  - {id: age, kind: choice, result: age, say: {text: Votre âge, easy: Votre âge}, ROLE\n"
    "     choices: [{key: j, label: Jeune, icon: '🧒'}, {key: v, label: Vieux, icon: '🧓'}]}\n"
    "  - {id: peur, kind: yesno, result: peur, say: {text: Avez-vous peur, easy: Avez-vous peur}}\n"
    "  - {id: ok, kind: consent, result: ok, say: {text: Accord, easy: Accord}}\n"
)


def test_spec_3_marks_each_question_profile_or_opinion() -> None:
    flow = load_text(flow_yaml(QUESTIONS.replace("ROLE", "role: profile,") + OK_END, spec=3), SOURCE)
    assert [(s.id, s.role) for s in flow.results()] == [("age", "profile"), ("peur", "opinion"), ("ok", None)]
    assert [s.id for s in flow.opinions()] == ["peur"]


def test_spec_2_is_migrated_with_each_kind_s_default_role() -> None:
    flow = load_text(flow_yaml(QUESTIONS.replace("ROLE", "") + OK_END, spec=2), SOURCE)
    assert [(s.id, s.role) for s in flow.results()] == [("age", "opinion"), ("peur", "opinion"), ("ok", None)]


def test_a_role_that_is_not_profile_or_opinion_is_refused() -> None:
    error = refused(flow_yaml(QUESTIONS.replace("ROLE", "role: avis,") + OK_END, spec=3))
    assert "campagne.yml: step 'age': role: 'avis' is not a role (profile or opinion)" in error
    steps = "  - {id: m, kind: message, role: opinion, say: {text: A, easy: A}}\n" + OK_END
    assert "step 'm': only a question that names its result has a role" in refused(flow_yaml(steps, spec=3))


def test_invalid_yaml_reports_the_line() -> None:
    content = flow_yaml("  - id: q1\n    say: {text: A, easy: A\n" + OK_END)
    error = refused(content)
    assert error.startswith("campagne.yml: invalid YAML at line ")
    line = int(error.split("at line ")[1].split(":")[0])
    assert content.splitlines()[line - 1].strip().startswith("- {id: fin")


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("  - {id: q1, kind: dance, say: {text: A, easy: A}}\n", "step 'q1': unknown kind 'dance'"),
        (
            "  - {id: q1, kind: message, colour: red, say: {text: A, easy: A}}\n",
            "step 'q1': unknown field(s): colour",
        ),
        (
            "  - {id: q1, kind: text, say: {text: A, easy: A}}\n",
            "step 'q1': a step that asks must name its result",
        ),
        (
            "  - {id: q1, kind: text, result: r, max_length: long, say: {text: A, easy: A}}\n",
            "step 'q1': max_length must be a positive whole number",
        ),
        (
            "  - {id: q1, kind: message, say: {text: A, easy: A}}\n"
            "  - {id: q1, kind: message, say: {text: B, easy: B}}\n",
            "step 'q1': duplicate step id",
        ),
        (
            "  - id: q1\n    kind: consent\n    result: ok\n    say: {text: A, easy: A}\n"
            "    choices: [{key: oui, label: Oui, icon: '👍'}, {key: peut, label: P, icon: '🤷'}]\n",
            "step 'q1': a 'consent' step has exactly the keys oui and non",
        ),
        (
            "  - id: q1\n    kind: choice\n    sets: reading\n    say: {text: A, easy: A}\n"
            "    choices: [{key: oui, label: Oui, icon: '👍'}, {key: non, label: Non, icon: '👎'}]\n",
            "step 'q1': a step that sets reading has exactly the keys facile and standard",
        ),
    ],
)
def test_other_structural_errors(steps: str, expected: str) -> None:
    assert f"campagne.yml: {expected}" in refused(flow_yaml(steps + OK_END))


def test_every_problem_is_reported_at_once() -> None:
    steps = (
        "  - {id: q1, kind: message, say: {text: A}, next: ailleurs}\n"
        "  - {id: q2, kind: choice, result: r, say: {text: B, easy: B}, choices: [{key: x}]}\n"
    )
    with pytest.raises(FlowError) as caught:
        load_text(flow_yaml(steps + OK_END), SOURCE)
    steps_named = {p.step for p in caught.value.problems}
    assert {"q1", "q2"} <= steps_named
    assert len(caught.value.problems) >= 3


def test_system_message_override_without_easy_text_is_refused() -> None:
    content = flow_yaml(OK_END) + "system:\n  paused: {text: En pause.}\n"
    assert "step 'system.paused': system message 'paused' in 'fr' has no easy-read text" in (refused(content))


def test_shipped_flows_load() -> None:
    flows = load_directory(DEFINITIONS)
    assert set(flows) == {"egalite", "evaluation", "deliberation"}
    egalite = flows["egalite"]
    assert 12 <= len(egalite.steps) <= 20
    assert 7 <= len(flows["evaluation"].steps) <= 10
    # One open question; the optional commune of the profile is matched to the territory's list.
    assert [s.result for s in egalite.steps if s.kind == "text"] == ["priorite"]
    assert egalite.step("commune").kind == "commune" and egalite.step("commune").optional


def test_egalite_result_names_are_the_export_columns() -> None:
    flow = load_file(DEFINITIONS / "egalite.yml")
    assert [s.result for s in flow.results()] == [
        "consentement",
        "themes_quotidien",
        "themes_dehors",
        "essai_echelle",
        "ressenti",
        "securite_soir",
        "priorite",
        "age",
        "commune",
        "genre",
        "vie_publique",
        "volontaire",
        "suivi",
    ]
    assert all(s.result and s.result.isidentifier() and s.result.islower() for s in flow.results())


def test_egalite_age_bands_match_the_census_reference() -> None:
    bands = [c.key for c in load_file(DEFINITIONS / "egalite.yml").step("age").choices]
    assert bands == ["15-29", "30-44", "45-59", "60-74", "75+"]
    with CENSUS.open(encoding="utf-8") as fh:  # the census reference the dashboard ships
        census = [row["value"] for row in csv.DictReader(fh) if row["feature"] == "age"]
    assert bands == census


def test_consent_refusal_branches_to_a_polite_end() -> None:
    flow = load_file(DEFINITIONS / "egalite.yml")
    consent = flow.step("consentement")
    refusal = flow.step(flow.next_of(consent, consent.choice("non")) or "")
    assert refusal.kind == "end"
    assert flow.next_of(consent, consent.choice("oui")) != refusal.id


def test_steps_that_loop_without_asking_are_refused() -> None:
    steps = (
        "  - {id: q1, kind: text, result: r, say: {text: A, easy: A}}\n"
        "  - {id: ping, kind: message, say: {text: P, easy: P}, next: pong}\n"
        "  - {id: pong, kind: message, say: {text: Q, easy: Q}, next: ping}\n"
    )
    error = refused(flow_yaml(steps))
    assert "campagne.yml: step 'ping': steps loop without waiting for an answer: " in error
    assert "ping -> pong -> ping" in error


def test_a_loop_through_a_question_is_allowed() -> None:
    steps = (
        "  - {id: q1, kind: text, result: r, say: {text: A, easy: A}}\n"
        "  - {id: info, kind: message, say: {text: B, easy: B}, next: q1}\n"
    )
    assert load_text(flow_yaml(steps), SOURCE).step("info").next == "q1"
