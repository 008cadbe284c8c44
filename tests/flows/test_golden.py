"""Golden conversations: each file of tests/flows/golden/ must play exactly as recorded.

The format and the command that rewrites the files after a deliberate change are described in
tests/flows/golden.py (`make goldens`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.engine import MAX_STEPS_PER_SPRINT
from flows.validate import FlowError
from tests.flows.golden import GOLDEN, cases, flow_of, play, read


@pytest.mark.parametrize("path", cases(), ids=lambda p: p.stem)
def test_golden_conversation(path: Path) -> None:
    case = read(path)
    played = play(case, path.name)
    assert played["start"] == case["start"], "the opening differs: run `make goldens` if on purpose"
    for number, (got, expected) in enumerate(zip(played["turns"], case["turns"], strict=True), 1):
        assert got == expected, f"turn {number} {expected['input']} differs"


def test_there_are_golden_conversations() -> None:
    assert len(cases()) >= 10, f"golden files went missing from {GOLDEN}"


def test_a_case_the_validator_would_refuse_says_so() -> None:
    for path in cases():
        case = read(path)
        if case.get("validate", True) is False:
            with pytest.raises(FlowError):
                flow_of({**case, "validate": True}, path.name)


def test_step_limit_fails_the_run_without_sending_the_loop() -> None:
    turn = read(GOLDEN / "loop_step_limit.yml")["turns"][0]
    assert turn["state"]["status"] == "failed"
    assert [e["type"] for e in turn["events"]] == ["result_saved", "message_created", "run_ended"]
    assert turn["events"][1]["role"] == "system"  # the apology, not 50 pings
    assert turn["events"][-1]["reason"].startswith(f"step limit {MAX_STEPS_PER_SPRINT} passed")
