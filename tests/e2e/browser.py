"""Debian's Chromium driven by Playwright, and axe-core injected from node_modules."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@contextmanager
def launch(*extra: str) -> Iterator[Any]:
    """Launch Debian's Chromium (never a downloaded browser), skipping when it is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium package is not installed")
    if not AXE.exists():
        pytest.skip("axe-core is missing: run npm ci at the repository root")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra])
        yield chromium
        chromium.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium for one test."""
    with launch() as chromium:
        yield chromium


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.2 AA rules) on the page and return its violations."""
    # Evaluated through the DevTools protocol, not as an inline <script>: the kiosk's CSP
    # (script-src 'self') stays in force while axe runs.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;window.axe = axe;")
    result: list[dict[str, Any]] = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
        WCAG_TAGS,
    )
    return result


def assert_accessible(page: Any) -> None:
    """Fail with a readable list when axe-core finds any violation."""
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations
    )
