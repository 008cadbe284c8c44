"""Structural validation of a flow: problems that make a flow unusable."""

from __future__ import annotations

from dataclasses import dataclass

from flows import kinds
from flows.model import ROLES, Flow

MAX_CHOICES = 5
PREF_KEYS = {"reading": {"standard", "facile"}, "audio": {"oui", "non"}}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow, located by file and step."""

    source: str
    step: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}: step '{self.step}'" if self.step else self.source
        return f"{where}: {self.reason}"


class FlowError(ValueError):
    """A flow was refused; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def validate(flow: Flow) -> list[Problem]:
    """Return the structural problems of a flow (empty when it is usable)."""
    problems: list[Problem] = []

    def add(step: str | None, reason: str) -> None:
        problems.append(Problem(flow.source, step, reason))

    seen_ids: set[str] = set()
    seen_results: dict[str, str] = {}
    for step in flow.steps:
        if step.id in seen_ids:
            add(step.id, "duplicate step id")
        seen_ids.add(step.id)
        if step.result:
            if step.result in seen_results:
                add(step.id, f"duplicate result name '{step.result}' "
                             f"(also saved by step '{seen_results[step.result]}')")  # fmt: skip
            seen_results[step.result] = step.id
        kind = kinds.get(step.kind)
        if kind.takes_choices and not step.choices:
            add(step.id, f"a '{step.kind}' step needs choices")
        if not kind.takes_choices and step.choices:
            add(step.id, f"a '{step.kind}' step cannot have choices")
        if len(step.choices) > MAX_CHOICES:
            add(step.id, f"{len(step.choices)} choices (at most {MAX_CHOICES})")
        for reason in kind.check(step):
            add(step.id, reason)
        if step.asks and not step.result and not step.sets:
            add(step.id, "a step that asks must name its result")
        if step.role is not None and step.role not in ROLES:
            add(step.id, f"role: '{step.role}' is not a role (profile or opinion)")
        elif step.role is not None and not step.result:
            add(step.id, "only a question that names its result has a role")
        if step.sets and step.sets not in PREF_KEYS:
            add(step.id, f"sets: '{step.sets}' is not a preference (reading or audio)")
        elif step.sets and {c.key for c in step.choices} != PREF_KEYS[step.sets]:
            keys = " and ".join(sorted(PREF_KEYS[step.sets]))
            add(step.id, f"a step that sets {step.sets} has exactly the keys {keys}")
        for choice in step.choices:
            if choice.tell and choice.tell not in flow.system:
                add(step.id, f"choice '{choice.key}' tells '{choice.tell}', which is no system message")
        choice_keys = [c.key for c in step.choices]
        if len(set(choice_keys)) != len(choice_keys):
            add(step.id, "duplicate choice key")
        for target in [step.next] + [c.next for c in step.choices]:
            if target and not flow.has_step(target):
                add(step.id, f"unknown target step '{target}'")
    if not flow.steps:
        add(None, "a flow needs at least one step")
        return problems
    for step_id in _unreachable(flow):
        add(step_id, "unreachable step (no path leads to it)")
    for loop in _silent_loops(flow):
        add(loop[0], f"steps loop without waiting for an answer: {' -> '.join(loop)}")
    return problems


def _silent_loops(flow: Flow) -> list[list[str]]:
    """Return the cycles made only of steps that ask nothing (the engine would spin)."""
    loops: list[list[str]] = []
    seen: set[str] = set()
    for start in flow.steps:
        path: list[str] = []
        step_id: str | None = start.id
        while step_id and flow.has_step(step_id) and step_id not in seen:
            step = flow.step(step_id)
            if step.asks or kinds.get(step.kind).ends:
                break
            if step_id in path:
                loops.append([*path[path.index(step_id) :], step_id])
                break
            path.append(step_id)
            step_id = flow.next_of(step)
        seen.update(path)
    return loops


def _unreachable(flow: Flow) -> list[str]:
    """Return the ids of steps no path from the first step reaches."""
    reached: set[str] = set()
    todo = [flow.steps[0].id]
    while todo:
        step_id = todo.pop()
        if step_id in reached or not flow.has_step(step_id):
            continue
        reached.add(step_id)
        step = flow.step(step_id)
        if kinds.get(step.kind).ends:
            continue
        targets = {flow.next_of(step, c) for c in step.choices} | {flow.next_of(step)}
        if step.choices and all(c.next for c in step.choices):
            targets = {c.next for c in step.choices}
        todo.extend(t for t in targets if t)
    return [s.id for s in flow.steps if s.id not in reached]
