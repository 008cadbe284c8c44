"""The public report back in Chromium: axe-core finds nothing in either version, at three sizes."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.container import build_services
from bot.settings import load_settings
from dashboard import report_words
from storage import report_back
from tests.conftest import TEST_SECRET, make_database
from tests.e2e.browser import axe_violations
from tests.live import live_server

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SIZES = {"phone": (320, 568), "tablet": (768, 1024), "desktop": (1280, 800)}


def test_the_public_report_back_is_accessible(tmp_path: Path, browser: Any) -> None:
    env = {"PORTE_VOIX_SECRET_KEY": TEST_SECRET, "PORTE_VOIX_DATA_DIR": str(tmp_path / "data"),
           "PORTE_VOIX_MODE": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}  # fmt: skip
    settings = dataclasses.replace(load_settings(env), flows_dir=ROOT / "flows" / "definitions")
    database = make_database(f"sqlite:///{tmp_path / 'retours.db'}")
    items = [{"title": "Un bus le dimanche matin", "easy_title": "Un bus le dimanche", "status": "partly",
              "reason": "Le bus passe le dimanche.\nSeulement l'après-midi.", "pictogram": "transport"},
             {"title": "Éclairer le parc", "easy_title": "Plus de lumière au parc", "status": "adopted",
              "reason": "", "pictogram": ""}]  # fmt: skip
    text, easy, spoken = report_words.compose("Merci.", "Merci d'avoir répondu !", items)
    with database.transaction() as session:
        report_back.publish(session, "anne@example.org", intro_text="Merci.",
                            intro_easy="Merci d'avoir répondu !", items=items, text=text, easy=easy,
                            spoken=spoken, sms="-")  # fmt: skip
    problems = []
    with live_server(create_app(settings, build_services(settings, database))) as url:
        for name, (width, height) in SIZES.items():
            context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
            page = context.new_page()
            for version in ("facile", "standard"):
                page.goto(f"{url}/retours?version={version}")
                assert page.locator("audio").count() == 1
                problems += [f"{name} {version}: {v['id']} {v['nodes']}" for v in axe_violations(page)]
            context.close()
    database.dispose()
    assert problems == []
