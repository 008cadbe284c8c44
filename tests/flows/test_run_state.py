"""RunState serialisation: what is stored with a run, and read back."""

from __future__ import annotations

import dataclasses

from flows.events import Prefs, RunState


def test_a_run_state_is_stored_whole_and_read_back_equal() -> None:
    state = RunState("egalite", 3, "priorite", "paused", Prefs("fr", True, True), {"age": "30-44"},
                     ["lecture", "age"], {"kind": "readback", "value": "Des bus", "keys": ["a"]})  # fmt: skip
    stored = state.to_dict()
    assert stored == dataclasses.asdict(state)  # every field, a new one included
    assert RunState.from_dict(stored) == state


def test_the_stored_dict_does_not_change_with_the_state() -> None:
    state = RunState("egalite", 1, "age", pending={"kind": "readback", "keys": ["a"]})
    stored = state.to_dict()
    state.results["age"] = "75+"
    state.history.append("age")
    assert state.pending is not None
    state.pending["keys"].append("b")
    assert (stored["results"], stored["history"], stored["pending"]["keys"]) == ({}, [], ["a"])
