"""The audio modules import one another without a cycle; engines share only a base."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

AUDIO = Path(__file__).resolve().parents[2] / "bot" / "audio"
ENGINES = ("espeak_engine", "gtts_engine", "piper_engine")


def audio_imports() -> dict[str, set[str]]:
    """Return each bot.audio module and the bot.audio modules it imports, wherever it imports them."""
    graph: dict[str, set[str]] = {}
    for path in AUDIO.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = {
            node.module.removeprefix("bot.audio.")
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot.audio.")
        }
    return graph


def test_the_audio_modules_import_no_cycle() -> None:
    graph = audio_imports()
    assert set(ENGINES) | {"engines", "registry", "service", "cache", "convert"} <= set(graph)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle in bot/audio: {exc.args[1]}") from exc
    assert order.index("engines") < order.index("registry") < order.index("service")


def test_an_engine_imports_the_base_never_another_engine_or_the_registry() -> None:
    graph = audio_imports()
    for engine in ENGINES:
        assert graph[engine] <= {"engines", "config", "text"}, engine
    assert graph["engines"] == set() and graph["convert"] == {"engines"}
