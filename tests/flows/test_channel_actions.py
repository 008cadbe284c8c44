"""Every text is true to each way of answering: the linter rule, and the shipped flows keep it."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from flows import kinds
from flows.events import DONT_KNOW_KEY
from flows.lint import LintIssue, lint, lint_system
from flows.loader import DEFINITIONS, load_directory, load_text

SOURCE = "essai.yml"
CONFIG = Path(__file__).resolve().parents[2] / "config.yml"


def flow_yaml(*steps: str) -> str:
    """Return a flow whose steps are the given YAML snippets, ending with an end step."""
    body = "".join(steps) + '  - {id: fin, kind: end, say: {text: "Merci.", easy: "Merci."}}\n'
    return f"spec_version: 2\nid: essai\nversion: 1\nsteps:\n{body}"


def actions(content: str) -> list[LintIssue]:
    """Return the channel_action issues of a flow."""
    return [i for i in lint(load_text(content, SOURCE)) if i.rule == "channel_action"]


def ways(found: list[LintIssue]) -> set[str]:
    """Return the ways of answering the issues are about."""
    return {re.sub(r"^\w+@(\w+):.*", r"\1", i.message) for i in found}


CHOICE = """  - id: q1
    kind: choice
    result: q1
    say: {{text: "{text}", easy: "{easy}"}}
    choices:
      - {{key: a, label: "Au travail", icon: "💼"}}
      - {{key: b, label: "A la maison", icon: "🏠"}}
"""


def test_a_button_the_step_does_not_show_is_an_error_with_file_and_step() -> None:
    found = actions(flow_yaml(CHOICE.format(text="Puis appuyez sur J'ai fini.", easy="Choisissez.")))
    assert found and all(i.severity == "error" for i in found)
    assert {(i.source, i.step, i.register) for i in found} == {(SOURCE, "q1", "standard")}
    assert ways(found) == {"buttons", "kiosk", "numbers", "keypad"}
    assert "essai.yml: step 'q1'" in str(found[0])


def test_a_choice_label_or_a_navigation_button_may_be_named_where_there_are_buttons() -> None:
    text = "Appuyez sur Au travail, ou sur Aide."
    found = actions(flow_yaml(CHOICE.format(text=text, easy=text)))
    assert ways(found) == {"numbers", "keypad"}  # no button to press by SMS or on a call


def test_typing_a_command_is_offered_by_telegram_and_sms_only() -> None:
    text = "Pour tout effacer, écrivez effacer."
    found = actions(flow_yaml(CHOICE.format(text=text, easy=text)))
    assert ways(found) == {"kiosk", "keypad"}


def test_a_variant_per_way_makes_the_step_true_everywhere() -> None:
    step = CHOICE.format(text="Pour tout effacer, écrivez effacer.", easy="Choisissez.") + """
    say@kiosk: {text: "Pour tout effacer, appuyez sur Effacer.", easy: "Choisissez."}
    say@numbers: {text: "Pour tout effacer, envoyez EFFACER.", easy: "Choisissez."}
    say@keypad: {text: "Pour tout effacer, appuyez sur 8.", easy: "Choisissez."}
"""
    assert actions(flow_yaml(step)) == []
    flow = load_text(flow_yaml(step), SOURCE)
    assert "envoyez EFFACER" in flow.step("q1").said("numbers").get("fr").text


def test_the_validate_button_is_named_by_its_own_label_in_each_register() -> None:
    multi = """  - id: q1
    kind: multi
    result: q1
    say: {{text: "{text}", easy: "{easy}"}}
    choices:
      - {{key: a, label: "Au travail", icon: "💼"}}
      - {{key: b, label: "A la maison", icon: "🏠"}}
"""
    right = multi.format(text="Choisissez, puis validez.", easy="Puis appuyez sur J'ai fini.")
    assert ways(actions(flow_yaml(right))) == {"numbers", "keypad"}
    wrong = multi.format(text="Puis appuyez sur J'ai fini.", easy="Puis appuyez sur Valider.")
    found = [i for i in actions(flow_yaml(wrong)) if "buttons" in i.message]
    assert {i.register for i in found} == {"standard", "easy"}


def test_speech_only_where_an_answer_is_recorded() -> None:
    text_step = """  - id: idee
    kind: text
    result: idee
    say: {text: "Dites votre idée.", easy: "Dites votre idée."}
"""
    assert ways(actions(flow_yaml(text_step))) == {"numbers"}  # the kiosk records spoken answers too
    spoken_choice = CHOICE.format(text="Dites votre choix.", easy="Dites votre choix.")
    assert ways(actions(flow_yaml(spoken_choice))) == {"buttons", "numbers", "kiosk", "keypad"}


def test_system_messages_are_checked_on_each_way_without_their_own_variant() -> None:
    flow = load_text(flow_yaml("") + "system:\n  resumed: {text: \"Appuyez sur un bouton.\", "
                     "easy: \"Appuyez sur un bouton.\"}\n", SOURCE)  # fmt: skip
    found = [i for i in lint_system(flow, ["resumed"]) if i.rule == "channel_action"]
    assert ways(found) == {"numbers", "keypad"} and found[0].step == "system.resumed"


def test_shipped_flows_and_system_messages_name_only_what_each_way_offers() -> None:
    for flow in load_directory(DEFINITIONS).values():
        assert [str(i) for i in lint(flow) + lint_system(flow) if i.rule == "channel_action"] == []


def test_every_opinion_question_offers_je_ne_sais_pas() -> None:
    opinions = {"egalite": {"essai_echelle", "ressenti", "securite_soir"},
                "evaluation": {"discussions_utiles", "avis_change"}}  # fmt: skip
    for flow in load_directory(DEFINITIONS).values():
        if flow.id not in opinions:  # round two's reactions offer "Je passe" instead
            continue
        scales = {s.id for s in flow.steps if s.kind == "scale"}
        assert scales <= opinions[flow.id]  # every scale is an opinion question
        for step_id in opinions[flow.id]:
            step = flow.step(step_id)
            assert step.choice(DONT_KNOW_KEY) is not None, step_id
            assert step.choice(DONT_KNOW_KEY).label.get("fr").easy == "Je ne sais pas"  # type: ignore[union-attr]
            assert step.optional, f"{step_id} can be skipped"


def test_a_scale_has_three_pictures_besides_je_ne_sais_pas() -> None:
    for flow in load_directory(DEFINITIONS).values():
        for step in flow.steps:
            if step.kind == "scale":
                pictures = [c for c in step.choices if c.key != DONT_KNOW_KEY]
                assert len(pictures) == 3 and all(c.category for c in pictures), step.id


def test_no_question_pushes_yes_by_always_putting_it_first() -> None:
    for flow in load_directory(DEFINITIONS).values():
        yesno = [s for s in flow.steps if s.kind == "yesno"]
        if len(yesno) > 1:
            assert len({s.choices[0].key for s in yesno}) == 2, flow.id


def test_consent_says_how_long_answers_are_kept_as_the_config_keeps_them() -> None:
    days = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["privacy"]["retention_days"]
    months = f"{round(days / 30)} mois"
    for flow in load_directory(DEFINITIONS).values():
        if flow.id == "deliberation":  # round two: people who consented in round one
            continue
        [consent] = [s for s in flow.steps if kinds.get(s.kind).name == "consent"]
        for way in ("buttons", "numbers", "keypad", "kiosk"):
            said = consent.said(way)
            assert said is not None
            text = said.get("fr")
            assert months in text.text and months in text.easy, (flow.id, way)
            assert "département" in text.easy  # who asks
