"""Channels stand on their own: none imports the container, each package imports first."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = ROOT / "bot" / "channels"
PACKAGES = ["bot.channels.registry", "bot.channels.kiosk", "bot.channels.telegram.channel",
            "bot.channels.twilio.sms", "bot.channels.twilio.voice",
            "bot.channels.gateway.sms_gateway"]  # fmt: skip


def imported(path: Path) -> set[str]:
    """Return every module a source file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_channel_module_imports_the_container() -> None:
    offenders = [str(path.relative_to(ROOT)) for path in sorted(CHANNELS.rglob("*.py"))
                 if any(name == "bot.container" or name.startswith("bot.container.")
                        for name in imported(path))]  # fmt: skip
    assert offenders == []


@pytest.mark.parametrize("module", PACKAGES)
def test_each_channel_imports_in_a_fresh_interpreter(module: str) -> None:
    probe = f"import sys, {module}; sys.exit('bot.container' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr or f"{module} pulled in bot.container"
