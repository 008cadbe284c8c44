"""The flows the service runs: current versions from disk, old versions from the database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flows.loader import load_text
from flows.model import Flow
from flows.validate import FlowError, Problem


class FlowStore:
    """Current flows by id, and every version a run started on."""

    def __init__(self, sources: dict[str, tuple[Flow, str]]) -> None:
        self._current = sources
        self._old: dict[tuple[str, int], Flow] = {}

    @classmethod
    def from_directory(cls, directory: Path) -> FlowStore:
        """Load and validate every flow file of a directory."""
        sources: dict[str, tuple[Flow, str]] = {}
        for path in sorted(directory.glob("*.yml")):
            content = path.read_text(encoding="utf-8")
            flow = load_text(content, str(path))
            if flow.id in sources:
                raise FlowError([Problem(str(path), None, f"flow id '{flow.id}' is used twice")])
            sources[flow.id] = (flow, content)
        return cls(sources)

    def ids(self) -> list[str]:
        """Return the ids of the current flows."""
        return list(self._current)

    def has(self, flow_id: str) -> bool:
        """Say whether a flow with this id exists."""
        return flow_id in self._current

    def current(self, flow_id: str) -> Flow:
        """Return the current version of a flow."""
        return self._current[flow_id][0]

    def start_version(self, remember: Callable[[str, int, str], None], flow_id: str) -> Flow:
        """Return the current version, after `remember(id, version, source)` stored its source."""
        flow, content = self._current[flow_id]
        remember(flow.id, flow.version, content)
        return flow

    def version(self, flow_id: str, version: int, stored: Callable[[str, int], str | None]) -> Flow:
        """Return the exact version a run started on; `stored` reads an old version's source."""
        current = self._current.get(flow_id)
        if current and current[0].version == version:
            return current[0]
        cached = self._old.get((flow_id, version))
        if cached is not None:
            return cached
        content = stored(flow_id, version)
        if content is None:
            raise KeyError(f"flow {flow_id} version {version} is not stored")
        flow = load_text(content, f"{flow_id}@{version}")
        self._old[(flow_id, version)] = flow
        return flow
