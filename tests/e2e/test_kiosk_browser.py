"""The kiosk in Chromium: every screen of every flow, in each mode, at three sizes; by keyboard
only; and by ear only, following what the sound says."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.container import Services, build_services
from bot.settings import load_settings
from storage.models import Answer
from tests.conftest import TEST_SECRET, make_database
from tests.e2e.browser import axe_violations, launch
from tests.e2e.kiosk_checks import SIZES, answer_problems, focus_problems, spoken
from tests.live import live_server

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
FLOWS = ("egalite", "evaluation")
MODES = ("standard", "facile", "audio")
MAX_SCREENS = 60
# A fake microphone: the browser records a tone when the kiosk asks for a spoken answer.
MICROPHONE = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")


@dataclasses.dataclass
class Kiosk:
    """The live server the browsers visit, and its services."""

    url: str
    services: Services


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kiosk]:
    """One server for the whole module, on the shipped flows, with sound."""
    tmp = tmp_path_factory.mktemp("kiosk")
    env = {"PORTE_VOIX_SECRET_KEY": TEST_SECRET, "PORTE_VOIX_DATA_DIR": str(tmp / "data"),
           "PORTE_VOIX_MODE": "test", "DATABASE_URL": f"sqlite:///{tmp / 'app.db'}"}  # fmt: skip
    settings = load_settings(env)
    settings = dataclasses.replace(settings, flows_dir=ROOT / "flows" / "definitions", default_flow="egalite")
    database = make_database(f"sqlite:///{tmp / 'kiosk.db'}")
    services = build_services(settings, database)
    with live_server(create_app(settings, services)) as url:
        yield Kiosk(url, services)
    database.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium for the whole module."""
    with launch(*MICROPHONE) as browser:
        yield browser


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh tab with its own cookies: a new person at the kiosk."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": 320, "height": 568})
    yield context.new_page()
    context.close()


def begin(page: Any, url: str, flow: str, mode: str) -> None:
    """Open the welcome, pick the questions and the mode, by pointer."""
    page.goto(url + "/kiosk")
    picker = page.locator(f'input[name="flow"][value="{flow}"]')
    if picker.count():
        picker.check()
    page.locator(f'button[name="mode"][value="{mode}"]').click()


def answer(page: Any) -> bool:
    """Answer the question on screen by pointer; False when there is none (the end)."""
    form = page.locator("main form.answer")
    if not page.locator("#question").count():
        return False
    if form.locator("textarea").count():
        form.locator("textarea").fill("Des bancs et de la lumière dans le parc")
        form.locator('button[data-say="Envoyer"]').click()
    elif form.locator('input[name="keys"]').count():
        form.locator('input[name="keys"]').first.check()
        form.locator('button[name="multi"]').click()
    elif form.locator('button[name="choice"][value="oui"]').count():
        form.locator('button[name="choice"][value="oui"]').click()
    else:
        form.locator('button[name="choice"]').first.click()
    page.wait_for_load_state()
    return True


def measure(page: Any, where: str, sizes: tuple[str, ...] = tuple(SIZES)) -> list[str]:
    """Check the screen at each size: axe-core, answers in sight, the focused control in sight."""
    problems = []
    for size in sizes:
        width, height = SIZES[size]
        page.set_viewport_size({"width": width, "height": height})
        label = f"{where} at {size}"
        problems += [f"{label}: axe {v['id']} {v['nodes']}" for v in axe_violations(page)]
        problems += [f"{label}: {p}" for p in answer_problems(page)]
        problems += [f"{label}: {p}" for p in focus_problems(page)]
    return problems


def screen_name(page: Any) -> str:
    """Return the step on screen (or the page's path) for a readable report."""
    step = page.locator('main form.answer input[name="step"]')
    return str(step.first.get_attribute("value")) if step.count() else page.url.rsplit("/", 1)[-1]


@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize("mode", MODES)
def test_every_screen_is_accessible_at_three_sizes(kiosk: Kiosk, page: Any, flow: str, mode: str) -> None:
    problems: list[str] = []
    page.goto(kiosk.url + "/kiosk")
    problems += measure(page, "welcome")
    begin(page, kiosk.url, flow, mode)
    screens = 1
    for index in range(MAX_SCREENS):
        # Each question at one size, in turn; the offset by mode means that over the three
        # modes every question is seen at every size.
        size = list(SIZES)[(index + FLOWS.index(flow) + MODES.index(mode)) % len(SIZES)]
        problems += measure(page, f"{flow}/{mode}/{screen_name(page)}", (size,))
        screens += 1
        if not answer(page):
            break
    else:
        pytest.fail(f"{flow} in {mode} mode never reached its end")
    assert "Nouvelle personne" in page.locator("footer.leave").inner_text()
    for extra in ("/kiosk/aide-urgente", "/kiosk/nouvelle", "/kiosk/carte", "/kiosk/nouvelles"):
        page.goto(kiosk.url + extra)
        problems += measure(page, f"{flow}/{mode}{extra}")
        screens += 1
    print(f"{flow}/{mode}: {screens} screens, welcome and 4 pages at 3 sizes, questions at 1 in turn")
    assert problems == []


def test_pause_help_and_erase_screens(kiosk: Kiosk, page: Any) -> None:
    problems: list[str] = []
    begin(page, kiosk.url, "egalite", "facile")
    for command in ("cmd:aide", "cmd:pause"):
        page.locator(f'button[value="{command}"]').click()
        problems += measure(page, command)
    assert page.locator('button[value="cmd:repeter"]').inner_text().strip().endswith("Reprendre")
    page.locator('button[value="cmd:effacer"]').click()
    problems += measure(page, "erase confirmation")
    page.locator('button[name="choice"][value="oui"]').click()
    problems += measure(page, "erased")
    assert problems == []


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the control matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_person_walks_to_the_end_by_keyboard_only(kiosk: Kiosk, page: Any) -> None:
    page.goto(kiosk.url + "/kiosk")
    tab_to(page, 'button[name="mode"][value="facile"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(MAX_SCREENS):
        if not page.locator("#question").count():
            break
        form = page.locator("main form.answer")
        if form.locator("textarea").count():
            tab_to(page, "textarea")
            page.keyboard.type("Plus de bus le soir")
            tab_to(page, 'button[data-say="Envoyer"]')
        elif form.locator('input[name="keys"]').count():
            tab_to(page, 'input[name="keys"]')
            page.keyboard.press("Space")
            tab_to(page, 'button[name="multi"]')
        elif form.locator('button[value="oui"]').count():
            tab_to(page, 'form.answer button[value="oui"]')
        else:
            tab_to(page, 'form.answer button[name="choice"]')
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        pytest.fail("the keyboard walk never reached the end")
    assert page.locator('a[href="/kiosk/nouvelle"]').count(), page.locator("main").inner_text()


def heard_choice(page: Any, heard: str, selector: str) -> Any:
    """Return the first control whose spoken name the sound said."""
    for control in page.locator(selector).all():
        if (control.get_attribute("data-say") or "\x00") in heard:
            return control
    raise AssertionError(f"the sound never names one of {selector}: {heard!r}")


def listen(kiosk: Kiosk, page: Any) -> str:
    """Return what the screen's clip says: its script, checked against the clip's own address."""
    heard = spoken(page)
    clip = str(page.locator("#question audio source, .welcome audio source").first.get_attribute("src"))
    assert clip.rsplit("/", 1)[1].split(".")[0] == kiosk.services.audio.digest(heard, "fr")
    assert httpx.get(kiosk.url + clip).status_code == 200
    return heard


def test_a_person_walks_to_the_end_by_ear_only(kiosk: Kiosk, page: Any) -> None:
    """Follow what the clips say, never the screen text."""
    page.goto(kiosk.url + "/kiosk")
    heard = listen(kiosk, page)
    heard_choice(page, heard, 'button[name="mode"]').click()
    page.wait_for_load_state()
    recorded = 0
    for _ in range(MAX_SCREENS):
        if not page.locator("#question").count():
            break
        heard = listen(kiosk, page)
        form = page.locator("main form.answer")
        if form.locator("textarea").count():
            if "Écrivez" not in heard:  # the kiosk records: speak into the (fake) microphone
                form.locator("button.record").click()
                page.wait_for_timeout(800)
                with page.expect_navigation():
                    form.locator("button.send-voice").click()
                recorded += 1
            else:
                form.locator("textarea").fill("Plus de bus le soir")
                heard_choice(page, heard + " Envoyer", "form.answer button[data-say]").click()
        elif form.locator('input[name="keys"]').count():
            heard_choice(page, heard, 'input[name="keys"]').check()
            form.locator('button[name="multi"]').click()
        else:
            heard_choice(page, heard, 'form.answer button[name="choice"]').click()
        page.wait_for_load_state()
    else:
        pytest.fail("the audio walk never reached the end")
    with kiosk.services.db.sessions() as session:
        refs = [r for r in session.scalars(select(Answer.audio_ref)) if r]
    assert recorded >= 1 and len(refs) == recorded  # each spoken answer is kept as a recording


def test_after_three_idle_minutes_the_kiosk_welcomes_a_new_person(kiosk: Kiosk, page: Any) -> None:
    page.clock.install()
    begin(page, kiosk.url, "evaluation", "facile")
    answer(page)
    assert page.locator("#question").count()
    with page.expect_navigation():
        page.clock.run_for(181_000)
    assert page.locator('button[name="mode"]').count() == 3  # the welcome
    page.goto(kiosk.url + "/kiosk")
    assert page.locator('button[name="mode"]').count() == 3  # the last person's question is gone
