"""Golden conversations: play the data files of tests/flows/golden/ and rewrite them on purpose.

Each file is one case:
- `about`: what it pins;
- `flow`: a path from the repository root, or `flow_inline`: the flow itself, with
  `validate: false` for one the validator refuses (tests/flows/test_golden.py checks it does);
- `prefs`: how the participant starts (Prefs fields that differ from the defaults);
- `values`: what the service gives the run when it starts (a round-two deck), if anything;
- `start`: the events and the state of the run's start;
- `turns`: each input the participant gave, with the events and the state it produced.

Inputs read as a person would do them:

    {press: KEY, step: STEP}        a button (the step is optional, as on old buttons)
    {submit: [KEY, ...], step: S}   several keys of a multiple choice at once (a kiosk form)
    {write: TEXT, theme: T}         free text (theme optional), `audio: REF` when it was spoken
    {command: NAME}                 a navigation command (passer, retour, pause, repeter, ...)
    ..., assisted: true             given with a facilitator's help

After a deliberate change of behaviour, rewrite the expected turns and read the diff:
    make goldens        (python -m tests.flows.golden --update [CASE ...])
A new case is a file with `about`, the flow, `prefs` and its turns' inputs: the same command
fills in the rest.
"""

from __future__ import annotations

import argparse
import json
from contextlib import nullcontext
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal
from unittest import mock

import yaml

from flows.engine import resume, start
from flows.events import Input, Prefs, RunState
from flows.loader import load_file, load_text
from flows.model import Flow

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden")
CASE_KEYS = (
    "about",
    "flow",
    "flow_inline",
    "validate",
    "prefs",
    "values",
    "start",
    "turns",
)  # in writing order
INPUT_KEYS = {"press", "submit", "write", "command", "step", "theme", "audio", "assisted"}


def cases() -> list[Path]:
    """Return the golden files, sorted by name."""
    return sorted(GOLDEN.glob("*.yml"))


def read(path: Path) -> dict[str, Any]:
    """Read one golden file, refusing keys it does not know (a typo must not pass silently)."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(case) - set(CASE_KEYS)
    if unknown:
        raise ValueError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}")
    return dict(case)


def flow_of(case: dict[str, Any], source: str) -> Flow:
    """Load the flow a case plays: a file of the repository, or one written in the case."""
    if "flow" in case:
        return load_file(ROOT / case["flow"])
    text = yaml.safe_dump(case["flow_inline"], allow_unicode=True, sort_keys=False)
    # `validate: false` builds a flow the validator refuses, to pin what the engine does with one
    # that slipped through; the loader's parser still runs.
    validator_off = mock.patch("flows.loader.validate", return_value=[])
    with nullcontext() if case.get("validate", True) else validator_off:
        return load_text(text, source)


def to_input(raw: dict[str, Any]) -> Input:
    """Build the engine's input from its written form ({press: oui, step: consentement}, ...)."""
    unknown = set(raw) - INPUT_KEYS
    if unknown:
        raise ValueError(f"unknown input key(s) {', '.join(sorted(unknown))} in {raw}")
    verbs = [verb for verb in ("press", "submit", "write", "command") if verb in raw]
    if len(verbs) != 1:
        raise ValueError(f"an input says one of press, submit, write or command: {raw}")
    verb = verbs[0]
    kind: Literal["choice", "text", "command"] = (
        "choice" if verb in ("press", "submit") else "text" if verb == "write" else "command"
    )
    return Input(
        kind=kind,
        value="" if verb == "submit" else str(raw[verb]),
        keys=tuple(str(k) for k in raw[verb]) if verb == "submit" else (),
        step=raw.get("step"),
        theme=raw.get("theme"),
        audio_ref=raw.get("audio"),
        assisted=bool(raw.get("assisted", False)),
    )


def plain(value: Any) -> Any:
    """Return a value as JSON would give it back (tuples become lists)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def play(case: dict[str, Any], source: str = "<golden>") -> dict[str, Any]:
    """Play a case's inputs through the engine, storing the state as JSON between turns.

    Returns what the file expects: the `start` turn and one turn per input, each with the events
    emitted and the state after it.
    """
    flow = flow_of(case, source)
    sprint = start(flow, Prefs(**case.get("prefs", {})), case.get("values"))
    played = {"start": {"events": [asdict(e) for e in sprint.events], "state": sprint.state.to_dict()}}
    turns = []
    for raw in (turn["input"] for turn in case["turns"]):
        state = RunState.from_dict(plain(sprint.state.to_dict()))  # as the service stores it
        sprint = resume(flow, state, to_input(raw))
        turns.append({"input": raw, "events": [asdict(e) for e in sprint.events],
                      "state": sprint.state.to_dict()})  # fmt: skip
    return plain({**played, "turns": turns})


class _Dumper(yaml.SafeDumper):
    """Write lists of plain values and small mappings on one line, the rest as blocks."""


def _plain_values(values: list[Any]) -> bool:
    """Say whether no value is itself a collection."""
    return not any(isinstance(v, dict | list) for v in values)


def _mapping(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    one_line = len(data) <= 5 and _plain_values(list(data.values()))
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=one_line)


def _sequence(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_plain_values(data))


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    """Write a text of several lines as a block, one line per line, as the participant sees it."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, _sequence)
_Dumper.add_representer(str, _text)


def dump(case: dict[str, Any]) -> str:
    """Write a case as YAML, in the order a reader wants it."""
    ordered = {key: case[key] for key in CASE_KEYS if key in case}
    # A wide width keeps each text on one line, as it is read and searched.
    return yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def update(path: Path) -> bool:
    """Replay one case and rewrite its expected turns; return whether anything changed."""
    case = read(path)
    text = dump({**case, **play(case, path.name)})
    changed = text != path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> None:
    """Rewrite the golden files from what the engine does now (after a deliberate change)."""
    parser = argparse.ArgumentParser(prog="python -m tests.flows.golden", description=main.__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite every golden file")
    parser.add_argument("names", nargs="*", help="only these cases (file names without .yml)")
    args = parser.parse_args(argv)
    if not args.update:
        parser.error("say --update to rewrite the files (pytest tests/flows/test_golden.py checks them)")
    for path in cases():
        if not args.names or path.stem in args.names:
            print(f"{'rewritten' if update(path) else 'unchanged'}  {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
