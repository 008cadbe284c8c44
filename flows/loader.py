"""Load flows from YAML: parse, migrate older specs, build the model, validate."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from flows import kinds
from flows.model import SPEC_VERSION, Choice, Flow, Message, Step, Text
from flows.validate import FlowError, Problem, validate
from flows.ways import WAYS

SYSTEM_FILE = Path(__file__).with_name("system.yml")
DEFINITIONS = Path(__file__).with_name("definitions")
STEP_KEYS = {
    "id", "kind", "say", "result", "choices", "next", "optional", "help", "sets", "feeling", "role",
}  # fmt: skip
VARIANT_KEYS = {f"{part}@{way}" for part in ("say", "help") for way in WAYS}


class _Parser:
    """Turn one parsed YAML document into a Flow, collecting problems with their step."""

    def __init__(self, source: str, languages: tuple[str, ...]) -> None:
        self.source = source
        self.languages = languages
        self.problems: list[Problem] = []

    def problem(self, step: str | None, reason: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(self.source, step, reason))

    def message(self, raw: Any, step: str | None, what: str, label: bool = False) -> Message:
        """Parse a message: a dict of text/easy/audio, or one such dict per language."""
        if isinstance(raw, str) and label:
            raw = {"text": raw, "easy": raw}
        if isinstance(raw, str):
            self.problem(step, f"{what} has no easy-read text (write text: and easy:)")
            raw = {"text": raw, "easy": raw}
        if not isinstance(raw, dict) or not raw:
            self.problem(step, f"{what} must be a mapping with text: and easy:")
            return Message({self.languages[0]: Text("", "")})
        if "text" in raw or "easy" in raw:
            raw = {self.languages[0]: raw}
        by_lang: dict[str, Text] = {}
        for lang, body in raw.items():
            if isinstance(body, str) and label:
                body = {"text": body, "easy": body}
            if not isinstance(body, dict):
                self.problem(step, f"{what} in '{lang}' must be a mapping with text: and easy:")
                continue
            text, easy = body.get("text"), body.get("easy")
            if not text:
                self.problem(step, f"{what} in '{lang}' has no standard text")
            if not easy:
                if label:
                    easy = text
                else:
                    self.problem(step, f"{what} in '{lang}' has no easy-read text")
            by_lang[str(lang)] = Text(str(text or ""), str(easy or text or ""), body.get("audio"))
        for lang in self.languages:
            if lang not in by_lang:
                self.problem(step, f"{what} has no text in language '{lang}'")
        return Message(by_lang or {self.languages[0]: Text("", "")})

    def number(self, raw: Any, step: str | None, what: str, default: int) -> int:
        """Parse a positive whole number, recording a problem (and using a default) if it is not."""
        if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
            return raw
        self.problem(step, f"{what} must be a positive whole number, not {raw!r}")
        return default

    def choice(self, raw: Any, step: str) -> Choice | None:
        """Parse one choice."""
        if not isinstance(raw, dict) or "key" not in raw:
            self.problem(step, "a choice must be a mapping with key:, label: and icon:")
            return None
        key = str(raw["key"])
        if not raw.get("icon"):
            self.problem(step, f"choice '{key}' has no icon")
        label = self.message(raw.get("label", key), step, f"label of choice '{key}'", label=True)
        return Choice(
            key=key,
            label=label,
            icon=str(raw.get("icon") or ""),
            next=raw.get("next"),
            category=raw.get("category"),
            tell=raw.get("tell"),
        )

    def step(self, raw: Any, index: int) -> Step | None:
        """Parse one step."""
        if not isinstance(raw, dict) or not raw.get("id"):
            self.problem(f"#{index + 1}", "a step must be a mapping with an id:")
            return None
        sid = str(raw["id"])
        name = raw.get("kind", "message")
        kind = kinds.get(name if kinds.known(name) else "message")
        unknown = set(raw) - STEP_KEYS - VARIANT_KEYS - kind.fields
        if unknown:
            self.problem(sid, f"unknown field(s): {', '.join(sorted(unknown))}")
        if not kinds.known(name):
            self.problem(sid, f"unknown kind '{name}' (expected one of {', '.join(kinds.names())})")
        choices_raw = raw.get("choices") or list(kind.default_choices)
        choices = tuple(c for c in (self.choice(r, sid) for r in choices_raw) if c)
        return Step(
            id=sid,
            kind=kind.name,
            say=self.message(raw.get("say"), sid, "the message"),
            result=raw.get("result"),
            choices=choices,
            next=raw.get("next"),
            optional=bool(raw.get("optional", False)),
            help=self.message(raw["help"], sid, "the help") if raw.get("help") else None,
            sets=raw.get("sets"),
            feeling=bool(raw.get("feeling", kind.feeling)),
            role=raw.get("role", kind.role()) if raw.get("result") else raw.get("role"),
            options=kind.options(raw, sid, self),
            variants={key: self.message(raw[key], sid, f"the message {key}")
                      for key in sorted(VARIANT_KEYS & set(raw))},  # fmt: skip
        )


def migrate(doc: dict[str, Any], source: str) -> dict[str, Any]:
    """Bring an older spec up to the current one; refuse a newer one."""
    spec = doc.get("spec_version")
    if not isinstance(spec, int):
        raise FlowError([Problem(source, None, "spec_version is missing or not a number")])
    if spec > SPEC_VERSION:
        raise FlowError(
            [Problem(source, None, f"spec_version {spec} is newer than this Porte-voix reads "
                                   f"({SPEC_VERSION}); upgrade Porte-voix")]
        )  # fmt: skip
    if spec == 1:
        # Spec 1 said type/question/options(value, emoji) where spec 2 says kind/say/choices.
        steps = []
        for raw in doc.get("steps") or []:
            if not isinstance(raw, dict):
                steps.append(raw)  # the parser names what is wrong with it
                continue
            step = dict(raw)
            if "type" in step:
                step["kind"] = step.pop("type")
            if "question" in step:
                step["say"] = step.pop("question")
            if "options" in step:
                step["choices"] = [
                    {"key": o.get("value"), "label": o.get("label"), "icon": o.get("emoji"),
                     **({"next": o["next"]} if "next" in o else {})}
                    if isinstance(o, dict) else o
                    for o in step.pop("options") or []
                ]  # fmt: skip
            steps.append(step)
        doc = {**doc, "steps": steps, "spec_version": 2}
    if doc["spec_version"] == 2:
        # Spec 2 had no `role:`: each question takes its kind's default (a choice is an
        # opinion). The dashboard never takes its configured profile answers for opinions.
        doc = {**doc, "spec_version": 3}
    return doc


@lru_cache(maxsize=1)
def _system_doc() -> dict[str, Any]:
    """Read the default system messages shipped with Porte-voix."""
    with SYSTEM_FILE.open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def load_text(content: str, source: str = "<memory>") -> Flow:
    """Load and validate a flow from YAML text; raise FlowError naming file, step and reason."""
    try:
        doc = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" at line {line + 1}" if line is not None else ""
        raise FlowError([Problem(source, None, f"invalid YAML{where}: {exc}")]) from exc
    if not isinstance(doc, dict):
        raise FlowError([Problem(source, None, "a flow file must be a YAML mapping")])
    doc = migrate(doc, source)
    languages = tuple(doc.get("languages") or ("fr",))
    parser = _Parser(source, languages)
    for field_name in ("id", "version", "steps"):
        if not doc.get(field_name):
            parser.problem(None, f"missing '{field_name}'")
    if parser.problems:
        raise FlowError(parser.problems)
    if not isinstance(doc["steps"], list):
        raise FlowError([Problem(source, None, "steps: must be a list of steps")])
    version = parser.number(doc["version"], None, "version", 1)
    steps = tuple(s for s in (parser.step(r, i) for i, r in enumerate(doc["steps"])) if s)
    system_raw = {**_system_doc(), **(doc.get("system") or {})}
    system = {
        key: parser.message(raw, f"system.{key}", f"system message '{key}'")
        for key, raw in system_raw.items()
    }
    flow = Flow(
        id=str(doc["id"]),
        version=version,
        title=str(doc.get("title", doc["id"])),
        languages=languages,
        steps=steps,
        system=system,
        source=source,
    )
    problems = parser.problems + validate(flow)
    if problems:
        raise FlowError(problems)
    return flow


def load_file(path: Path) -> Flow:
    """Load and validate one flow file."""
    return load_text(path.read_text(encoding="utf-8"), str(path))


def load_directory(directory: Path = DEFINITIONS) -> dict[str, Flow]:
    """Load every flow of a directory, keyed by flow id."""
    flows: dict[str, Flow] = {}
    for path in sorted(directory.glob("*.yml")):
        flow = load_file(path)
        if flow.id in flows:
            raise FlowError([Problem(str(path), None, f"flow id '{flow.id}' is used twice")])
        flows[flow.id] = flow
    return flows
