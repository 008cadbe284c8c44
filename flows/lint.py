"""Lint a loaded flow against FALC.md: easy-read rules, SMS budget, pictures, audio coverage."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from flows import kinds
from flows.easyread import check_easy, check_length, strip_templates, words
from flows.events import DONT_KNOW_KEY
from flows.gsm7 import TYPOGRAPHIC, budget, to_gsm7
from flows.kinds.base import FEELING_CHOICES
from flows.model import Flow, Message, Step, Text
from flows.validate import MAX_CHOICES
from flows.ways import WAYS, Context, Way, missing_actions, normal_label

Severity = Literal["error", "warning"]
Register = Literal["easy", "standard", "audio", ""]
MAX_SEGMENTS = 2
LABEL_PREFIXES = ("label_", "nav_", "theme_")
NAV_KEYS = ("nav_aide", "nav_repeter", "nav_retour", "nav_pause")
# System messages said only at an open question (where the kiosk has a text field).
TEXT_STEP_KEYS = frozenset({"too_long", "write_again", "audio_saved", "readback", "readback_theme"})


@dataclass(frozen=True)
class LintIssue:
    """One rule broken somewhere in a flow."""

    source: str
    step: str | None
    register: Register
    rule: str
    severity: Severity
    message: str
    words: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.source}: step '{self.step}'" if self.step else self.source
        register = f" [{self.register}]" if self.register else ""
        found = f": {', '.join(self.words)}" if self.words else ""
        return f"{where}{register}: {self.severity} {self.rule}: {self.message}{found}"


@dataclass(frozen=True)
class SmsFigure:
    """What one prompt costs as an SMS, in one register."""

    step: str
    register: Register
    encoding: str
    segments: int
    with_choices: int  # segments with the numbered choices appended; 0 without choices


def is_pictogram(icon: str) -> bool:
    """Say whether an icon is a pictogram (an emoji or symbol), not a letter or a digit."""
    return any(unicodedata.category(ch) == "So" or ch == "\u20e3" for ch in icon)


def speakable(text: str) -> bool:
    """Say whether a voice has words to say in a text."""
    return bool(words(strip_templates(text)))


def sms_text(text: Text, easy: bool) -> str:
    """Return a prompt as an SMS would carry it, without placeholders."""
    return strip_templates(text.pick(easy))


def with_choices(prompt: str, labels: list[str]) -> str:
    """Return the prompt followed by its numbered choices, as SMS shows buttons."""
    return "\n".join([prompt] + [f"{n}. {label}" for n, label in enumerate(labels, 1)])


class _Linter:
    """Collect the issues of one flow."""

    def __init__(self, flow: Flow, allow: frozenset[str]) -> None:
        self.flow = flow
        self.allow = allow
        self.issues: list[LintIssue] = []

    def add(
        self,
        step: str | None,
        register: Register,
        rule: str,
        severity: str,
        message: str,
        found: Iterable[str] = (),
    ) -> None:
        """Record one issue."""
        self.issues.append(
            LintIssue(
                self.flow.source,
                step,
                register,
                rule,
                severity,  # type: ignore[arg-type]
                message,
                tuple(found),
            )
        )

    def message(self, step: str, message: Message, part: str, sms: bool) -> None:
        """Check one message in every language and register."""
        prefix = "" if part == "say" else f"{part}: "
        for lang in self.flow.languages:
            text = message.get(lang)
            for finding in check_easy(text.easy, lang, self.allow):
                self.add(
                    step,
                    "easy",
                    finding.rule,
                    finding.severity,
                    prefix + finding.message,
                    finding.words,
                )
            for finding in check_length(strip_templates(text.text), "warning"):
                self.add(step, "standard", finding.rule, finding.severity, prefix + finding.message)
            if sms:
                self.sms(step, "easy", text.easy, prefix)
                self.sms(step, "standard", text.text, prefix)
            self.audio(step, text, prefix)

    def sms(self, step: str, register: Register, raw: str, prefix: str) -> None:
        """Check the SMS budget of one text and suggest GSM-7 spellings."""
        text = strip_templates(raw)
        cost = budget(text)
        fixed = to_gsm7(text, typographic_only=True)
        if cost.encoding == "UCS-2" and fixed != text:
            swaps = sorted({ch for ch in text if ch in TYPOGRAPHIC})
            after = budget(fixed)
            self.add(
                step,
                register,
                "sms_encoding",
                "warning",
                prefix
                + "typographic characters force UCS-2; replace "
                + ", ".join(f"{ch} → {TYPOGRAPHIC[ch]}" for ch in swaps)
                + f" ({after.encoding}, {after.segments} segment(s) after)",
                swaps,
            )
        if cost.segments > 1:
            error = cost.segments > MAX_SEGMENTS
            plain = budget(to_gsm7(text))
            hint = ""
            if plain.segments < cost.segments:
                hint = f"; without {' '.join(cost.offending)}: {plain.segments} segment(s)"
            aim = f"at most {MAX_SEGMENTS}" if error else f"1 when possible, {MAX_SEGMENTS} at most"
            self.add(
                step,
                register,
                "sms_budget",
                "error" if error else "warning",
                prefix + f"{cost.segments} SMS segments ({cost.encoding}, "
                f"{cost.units} units); {aim}{hint}",
            )

    def audio(self, step: str, text: Text, prefix: str) -> None:
        """Check that a voice has something to say, and nothing it would read badly."""
        if text.audio is not None:
            if not speakable(text.audio):
                self.add(
                    step, "audio", "audio_missing", "error", prefix + "the audio script is empty"
                )
            symbols = [ch for ch in text.audio if is_pictogram(ch) or ch in "&<>§#/%"]
            if symbols:
                self.add(
                    step,
                    "audio",
                    "audio_symbols",
                    "warning",
                    prefix + "a voice reads these badly",
                    dict.fromkeys(symbols),
                )
            return
        for register, raw in (("easy", text.easy), ("standard", text.text)):
            if not speakable(raw):
                self.add(
                    step,
                    "audio",
                    "audio_missing",
                    "error",
                    prefix + f"nothing to say in the {register} text; add audio:",
                )

    def choices(self, step: Step) -> None:
        """Check pictures, number of buttons and labels."""
        added = kinds.get(step.kind).added_buttons
        buttons = len(step.choices) + len(added)
        limit = MAX_CHOICES
        if step.feeling:  # "Je ne sais pas" is not one of a feeling's pictures
            buttons -= step.choice(DONT_KNOW_KEY) is not None
            limit = FEELING_CHOICES
        if buttons > limit:
            what = "a feeling or rating question" if step.feeling else "a question"
            done = f" (with {' and '.join(added)})" if added else ""
            self.add(
                step.id,
                "",
                "too_many_choices",
                "error",
                f"{buttons} buttons{done}; at most {limit} for {what}",
            )
        for choice in step.choices:
            if not is_pictogram(choice.icon):
                self.add(
                    step.id,
                    "",
                    "choice_icon",
                    "error",
                    f"choice '{choice.key}' needs a pictogram (emoji) icon",
                    [choice.icon or choice.key],
                )
            self.message(step.id, choice.label, f"choice '{choice.key}'", sms=False)

    def step(self, step: Step) -> None:
        """Check one step: its message, help, choices, and every variant's channel actions."""
        self.message(step.id, step.say, "say", sms=True)
        if step.help:
            self.message(step.id, step.help, "help", sms=True)
        for key, variant in step.variants.items():
            self.message(step.id, variant, key, sms=key.endswith("@numbers"))
        self.choices(step)
        where = self.context(step)
        for way in WAYS.values():
            for part in ("say", "help"):
                said = step.said(way.name, part)
                if said is not None:
                    self.actions(step.id, said, f"{part}@{way.name}", way, where)

    def labels(self, easy: bool, keys: Iterable[str], choices: Iterable[Message] = ()) -> set[str]:
        """Return the normalised labels of some system labels and choices in one register."""
        messages = [self.flow.system[k] for k in keys if k in self.flow.system] + list(choices)
        return {normal_label(m.get(lang).pick(easy)) for m in messages for lang in self.flow.languages}

    def context(self, step: Step) -> dict[bool, Context]:
        """Return, per register (easy or not), where a step's texts are said: its buttons."""
        keys = [*NAV_KEYS, *(("nav_passer",) if step.optional else ())] if step.asks else []
        if kinds.get(step.kind).added_buttons:
            keys.append("label_done")
        labels = [c.label for c in step.choices]
        text_step = kinds.get(step.kind).free_text
        return {easy: Context(text_step, frozenset(self.labels(easy, keys, labels)))
                for easy in (False, True)}  # fmt: skip

    def actions(self, step: str, message: Message, part: str, way: Way,
                where: dict[bool, Context]) -> None:  # fmt: skip
        """Report every action a message names that this way of answering does not offer."""
        for lang in self.flow.languages:
            text = message.get(lang)
            said: list[tuple[Register, str, bool]] = []
            if way.shown:
                said += [("standard", text.text, False), ("easy", text.easy, True)]
            if way.spoken and text.audio:
                said.append(("audio", text.audio, True))
            elif way.spoken and not way.shown:
                said += [("standard", text.text, False), ("easy", text.easy, True)]
            for register, raw, easy in said:
                missing = missing_actions(strip_templates(raw), way, where[easy])
                if missing:
                    self.add(step, register, "channel_action", "error",
                             f"{part}: names what {way.name} does not offer", missing)  # fmt: skip


def lint(flow: Flow, allow: Iterable[str] = ()) -> list[LintIssue]:
    """Return the issues of a flow's steps (its system messages are linted apart)."""
    linter = _Linter(flow, frozenset(w.lower() for w in allow))
    for step in flow.steps:
        linter.step(step)
    return linter.issues


def lint_system(
    flow: Flow, keys: Iterable[str] | None = None, source: str | None = None
) -> list[LintIssue]:
    """Return the issues of a flow's system messages (all of them, or only some keys)."""
    linter = _Linter(flow, frozenset())
    chosen = list(flow.system) if keys is None else list(keys)
    everywhere = [*NAV_KEYS, "nav_passer", "label_done", "label_yes", "label_no"]
    for key in chosen:
        base, _, named = key.partition("@")
        texted = named == "numbers" or (not named and f"{base}@numbers" not in flow.system)
        linter.message(f"system.{key}", flow.system[key], "say",
                       sms=texted and not key.startswith(LABEL_PREFIXES))  # fmt: skip
        if key.startswith(LABEL_PREFIXES):
            continue
        ways = [WAYS[named]] if named in WAYS else [
            way for way in WAYS.values() if f"{base}@{way.name}" not in flow.system]
        for way in ways:
            where = {easy: Context(base in TEXT_STEP_KEYS, frozenset(linter.labels(easy, everywhere)))
                     for easy in (False, True)}  # fmt: skip
            linter.actions(f"system.{key}", flow.system[key], f"say@{way.name}", way, where)
    if source is None:
        return linter.issues
    return [LintIssue(source, *_fields(i)) for i in linter.issues]


def _fields(issue: LintIssue) -> tuple[str | None, Register, str, Severity, str, tuple[str, ...]]:
    """Return an issue's fields after its source."""
    return issue.step, issue.register, issue.rule, issue.severity, issue.message, issue.words


def overridden_system(flow: Flow, defaults: Flow) -> list[str]:
    """Return the system keys a flow defines differently from the shipped defaults."""
    return [k for k, m in flow.system.items() if defaults.system.get(k) != m]


def sms_figure(
    name: str, register: Register, message: Message, lang: str, labels: list[Message] | None = None
) -> SmsFigure:
    """Return what one message costs as an SMS, alone and with its numbered choices."""
    easy = register == "easy"
    prompt = sms_text(message.get(lang), easy)
    cost = budget(prompt)
    shown = [label.get(lang).pick(easy) for label in labels or []]
    full = budget(with_choices(prompt, shown)).segments if shown else 0
    return SmsFigure(name, register, cost.encoding, cost.segments, full)


def sms_figures(flow: Flow) -> list[SmsFigure]:
    """Return the SMS cost of every step's prompt in both registers."""
    lang = flow.languages[0]
    return [
        sms_figure(step.id, register, step.say, lang, [c.label for c in step.choices])
        for step in flow.steps
        for register in ("easy", "standard")
    ]


def audio_coverage(flow: Flow) -> dict[str, str]:
    """Say for each step whether its audio is an explicit script or derived from the text."""
    return {
        step.id: "script" if any(t.audio for t in step.say.by_lang.values()) else "derived"
        for step in flow.steps
    }


def summary(issues: Iterable[LintIssue]) -> dict[str, dict[str, int]]:
    """Count issues per severity and rule."""
    counts: dict[str, dict[str, int]] = {"error": {}, "warning": {}}
    for issue in issues:
        bucket = counts[issue.severity]
        bucket[issue.rule] = bucket.get(issue.rule, 0) + 1
    return counts
