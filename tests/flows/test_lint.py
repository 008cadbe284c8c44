"""The linter: one passing and one failing case per FALC rule, and the shipped flows pass."""

from __future__ import annotations

import pytest

from flows.lint import LintIssue, lint, lint_system, overridden_system, sms_figures, summary
from flows.loader import DEFINITIONS, load_directory, load_text
from flows.model import Choice, Flow, Message, Step, Text

SOURCE = "essai.yml"
SHORT = "Bonjour."


def msg(text: str, easy: str | None = None, audio: str | None = None) -> Message:
    """Build a French message."""
    return Message({"fr": Text(text, text if easy is None else easy, audio)})


def choice(key: str, icon: str = "🙂", label: str | None = None) -> Choice:
    """Build a choice."""
    return Choice(key, msg(label or key.capitalize()), icon)


def flow_of(*steps: Step) -> Flow:
    """Build a flow in memory (the loader would refuse some of the broken ones)."""
    return Flow("essai", 1, "Essai", ("fr",), steps, source=SOURCE)


def easy_step(easy: str, text: str = SHORT, audio: str | None = None) -> Flow:
    """Build a one-message flow with this easy-read text."""
    return flow_of(Step("q1", "message", msg(text, easy, audio)))


def issues(flow: Flow, rule: str) -> list[LintIssue]:
    """Return the issues of one rule."""
    return [i for i in lint(flow) if i.rule == rule]


def only(flow: Flow, rule: str) -> LintIssue:
    """Return the single issue of one rule."""
    found = issues(flow, rule)
    assert len(found) == 1, found
    return found[0]


def test_sentence_length_warns_past_12_words_and_fails_past_15() -> None:
    assert not issues(easy_step("Vous pouvez répondre avec les boutons ou avec vos mots."), "sentence_length")
    thirteen = "Vous pouvez répondre à cette question avec les boutons ou avec vos mots."
    warning = only(easy_step(thirteen), "sentence_length")
    assert (warning.severity, warning.register, warning.step, warning.source) == (
        "warning", "easy", "q1", SOURCE,
    )  # fmt: skip
    assert warning.words == (thirteen,)
    sixteen = "Vous pouvez répondre à cette question avec les boutons de votre écran ou avec vos mots."
    assert only(easy_step(sixteen), "sentence_length").severity == "error"


def test_one_sentence_per_line() -> None:
    assert not issues(easy_step("Bonjour !\nVotre avis compte."), "one_sentence_per_line")
    issue = only(easy_step("Bonjour ! Votre avis compte."), "one_sentence_per_line")
    assert issue.severity == "error" and issue.words == ("Bonjour ! Votre avis compte.",)


def test_message_length_limit_is_50_words() -> None:
    line = "Votre avis compte beaucoup.\n"
    assert not issues(easy_step(line * 12), "message_length")  # 48 words
    issue = only(easy_step(line * 13), "message_length")
    assert issue.severity == "error" and "52 words" in issue.message


def test_standard_text_gets_the_length_check_as_a_warning() -> None:
    flow = easy_step(SHORT, text="Votre avis compte pour nous. " * 13)
    issue = only(flow, "message_length")
    assert (issue.register, issue.severity) == ("standard", "warning")


@pytest.mark.parametrize("text", ["Le ménage, les enfants, etc.", "Appelez la CAF.", "Voir p. ex. la mairie.",
                                  "Votre n° de rue."])  # fmt: skip
def test_abbreviations_and_capitals(text: str) -> None:
    issue = only(easy_step(text), "abbreviation")
    assert issue.severity == "error" and issue.words


def test_no_abbreviation_in_plain_words() -> None:
    assert not issues(easy_step("Par exemple : la mairie.\nÉcrivez effacer."), "abbreviation")


def test_special_characters() -> None:
    assert not issues(easy_step("Le travail et la maison."), "special_character")
    issue = only(easy_step("Le travail & la maison / le sport ; la santé."), "special_character")
    assert issue.words == ("&", "/", ";")


def test_numbers_in_words_percentages_and_big_numbers() -> None:
    clean = easy_step("Il y a 3 questions.\nAppelez le 3919.")
    assert not [i for i in lint(clean) if i.rule in ("number_words", "percentage", "big_number")]
    assert only(easy_step("Il y a trois questions."), "number_words").words == ("trois",)
    assert only(easy_step("La moitié, cinquante pour cent."), "percentage").severity == "error"
    assert only(easy_step("Il y a 1 400 000 habitants."), "big_number").words == ("1 400 000",)


def test_negation_warns_and_double_negation_fails() -> None:
    assert not issues(easy_step("Vous pouvez passer la question."), "negation")
    negation = only(easy_step("Vous ne devez pas répondre."), "negation")
    assert negation.severity == "warning"
    double = only(easy_step("Vous ne pouvez pas ne pas répondre."), "double_negative")
    assert double.severity == "error"
    assert only(easy_step("Vous ne partez jamais sans payer."), "double_negative")


def test_rare_words_are_flagged_but_not_names_numbers_or_inflections() -> None:
    assert not issues(
        easy_step("Écrivez votre idée.\nVos réponses sont gardées.\nVous habitez à Créteil ?"),
        "rare_word",
    )
    issue = only(easy_step("La gouvernance paritaire est un objectif."), "rare_word")
    assert issue.words == ("paritaire",) and issue.severity == "warning"


def test_templates_do_not_trip_the_rules() -> None:
    flow = easy_step('Vous avez dit : "{text}".\nVous parlez {theme}.\nC\'est juste ?')
    assert lint(flow) == []


def test_too_many_choices_counts_the_validate_button_of_a_multi() -> None:
    five = tuple(choice(f"c{n}") for n in range(5))
    single = flow_of(Step("q1", "choice", msg(SHORT), result="r", choices=five))
    assert not issues(single, "too_many_choices")
    multi = flow_of(Step("q1", "multi", msg(SHORT), result="r", choices=five))
    assert "6 buttons (with the validate button)" in only(multi, "too_many_choices").message
    six = flow_of(Step("q1", "choice", msg(SHORT), result="r", choices=(*five, choice("c5"))))
    assert only(six, "too_many_choices").severity == "error"


def test_feeling_questions_have_at_most_three_choices() -> None:
    three = tuple(choice(k, icon) for k, icon in (("bien", "🙂"), ("moyen", "😐"), ("mal", "🙁")))
    ok = flow_of(Step("q1", "scale", msg(SHORT), result="r", choices=three, feeling=True))
    assert not issues(ok, "too_many_choices")
    four = flow_of(Step("q1", "choice", msg(SHORT), result="r", feeling=True,
                        choices=(*three, choice("tres_mal", "😢"))))  # fmt: skip
    assert "at most 3 for a feeling" in only(four, "too_many_choices").message


def test_every_choice_needs_a_pictogram() -> None:
    ok = flow_of(Step("q1", "choice", msg(SHORT), result="r", choices=(choice("a", "✅"), choice("b", "1️⃣"))))
    assert not issues(ok, "choice_icon")
    bad = flow_of(Step("q1", "choice", msg(SHORT), result="r", choices=(choice("a", "x"), choice("b", ""))))
    assert [i.words for i in issues(bad, "choice_icon")] == [("x",), ("b",)]


def test_choice_labels_get_the_easy_read_rules() -> None:
    labels = (choice("a", label="Oui"), choice("b", label="Voir la CAF"))
    issue = only(flow_of(Step("q1", "choice", msg(SHORT), result="r", choices=labels)), "abbreviation")
    assert issue.message.startswith("choice 'b': ")


def test_sms_encoding_suggests_the_gsm_spelling() -> None:
    assert not issues(easy_step("C'est juste ?", text="C'est juste ?"), "sms_encoding")
    issue = only(easy_step("C'est juste ?", text="C’est juste ?"), "sms_encoding")
    assert issue.register == "standard" and issue.words == ("’",)
    assert "’ → '" in issue.message and "GSM-7, 1 segment(s) after" in issue.message


def test_sms_budget_warns_at_two_segments_and_fails_past_two() -> None:
    one = "Votre avis compte.\n" * 8  # 152 GSM-7 characters
    assert not issues(easy_step(one), "sms_budget")
    two = only(easy_step("Votre avis compte.\n" * 10), "sms_budget")
    assert two.severity == "warning" and "2 SMS segments (GSM-7" in two.message
    three = only(easy_step("Votre avis compte.\n" * 17), "sms_budget")
    assert three.severity == "error" and "3 SMS segments" in three.message


def test_sms_budget_names_the_letters_that_force_ucs2() -> None:
    text = "Vous êtes au bon endroit pour donner votre avis sur la ville."
    issue = only(easy_step(SHORT, text=text + " " + text), "sms_budget")
    assert "UCS-2" in issue.message and "without ê: 1 segment(s)" in issue.message


def test_audio_coverage() -> None:
    assert not issues(easy_step("Merci."), "audio_missing")
    silent = issues(easy_step("🙂", text="🙂"), "audio_missing")
    assert {(i.register, i.severity) for i in silent} == {("audio", "error")}
    assert [i.message for i in silent] == [
        "nothing to say in the easy text; add audio:",
        "nothing to say in the standard text; add audio:",
    ]
    assert not issues(easy_step("🙂", text="🙂", audio="Merci beaucoup."), "audio_missing")
    assert only(easy_step(SHORT, audio="…"), "audio_missing").message == "the audio script is empty"
    symbols = only(easy_step(SHORT, audio="Merci 🙂 / à bientôt"), "audio_symbols")
    assert symbols.words == ("🙂", "/")


def test_help_messages_are_linted_with_a_prefix() -> None:
    flow = flow_of(Step("q1", "message", msg(SHORT), help=msg(SHORT, "Appelez la CAF.")))
    assert only(flow, "abbreviation").message.startswith("help: ")


def test_shipped_flows_have_no_error() -> None:
    for flow in load_directory(DEFINITIONS).values():
        errors = [i for i in lint(flow) if i.severity == "error"]
        assert errors == [], "\n".join(map(str, errors))


def test_shipped_system_messages_have_no_error() -> None:
    flow = load_directory(DEFINITIONS)["egalite"]
    issues_found = lint_system(flow, source="flows/system.yml")
    assert [i for i in issues_found if i.severity == "error"] == []
    assert {i.source for i in issues_found} <= {"flows/system.yml"}


def test_shipped_prompts_fit_in_two_sms_segments() -> None:
    for flow in load_directory(DEFINITIONS).values():
        assert max(f.segments for f in sms_figures(flow)) <= 2


def test_only_overridden_system_messages_are_linted_with_a_flow() -> None:
    head = "spec_version: 2\nid: x\nversion: 1\nsteps: [{id: f, kind: end, say: {text: F, easy: F}}]\n"
    defaults = load_text(head)
    custom = load_text(head + "system:\n  paused: {text: Pause., easy: 'Pause, etc.'}\n", SOURCE)
    assert overridden_system(custom, defaults) == ["paused"]
    found = lint_system(custom, overridden_system(custom, defaults))
    assert [(i.step, i.rule) for i in found] == [("system.paused", "abbreviation")]


def test_summary_counts_per_severity_and_rule() -> None:
    counts = summary(lint(easy_step("Vous ne devez pas répondre, etc.")))
    assert counts == {"error": {"abbreviation": 1}, "warning": {"negation": 1}}
