"""Telegram webhook benchmark: many people answering at once, through the real app and PTB.

Serves the app (SQLite, or PostgreSQL with --database) in front of the fake Bot API, then
has N people open the bot and press buttons concurrently. Prints the webhook's answer time
(Telegram's 200: the commit is done) and the time until the next question is on screen (after
pacing: about 1 message a second per chat after a burst of 3, about 30 a second overall).

    .venv/bin/python bench/telegram_webhook.py [--people 40] [--presses 3] [--think 2]
        [--database postgresql+psycopg://postgres@127.0.0.1:5432/DB]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from telegram import Bot  # noqa: E402

from bot.channels.telegram.config import derived_secret  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.channels.telegram_world import FLOWS  # noqa: E402
from tests.fakes.asgi_server import ThreadedServer  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.telegram_users import Users  # noqa: E402

PRESSES = ["Texte normal", "Non, sans le son", "Oui, j'accepte", "Valider", "Moyen"]
EXPECT = ["Voulez-vous aussi", "Acceptez-vous", "Où voyez-vous", "Comment allez-vous",
          "Quel âge"]  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    """Return a percentile of a list of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def person(
    world: Runner, chat: int, presses: int, think: float, answer: list[float], shown: list[float]
) -> None:
    """Open the bot, then press buttons, measuring each step."""
    started = time.perf_counter()
    response = await world.deliver(world.users.text(chat, "/start parcours"))
    answer.append(time.perf_counter() - started)
    assert response.status_code == 200
    await world.until_text(chat, "Comment préférez-vous lire")
    shown.append(time.perf_counter() - started)
    for label, expect in list(zip(PRESSES, EXPECT, strict=True))[:presses]:
        await asyncio.sleep(think)  # reading the question
        started = time.perf_counter()
        response = await world.deliver(world.users.press(chat, label))
        answer.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        await world.until_text(chat, expect)
        shown.append(time.perf_counter() - started)


def start_app(api_url: str, token: str, data: Path, database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    """Serve the app in its own process (uvicorn), as in production; return it and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    config = data / "config.yml"
    config.write_text(f"public_base_url: {url}\nflows_dir: {FLOWS}\ndefault_flow: parcours\n")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": api_url,
           "PORTE_VOIX_CONFIG": str(config), "PORTE_VOIX_MODE": "test",
           "PORTE_VOIX_DATA_DIR": str(data), "PORTE_VOIX_SECRET_KEY": "bench-" + "x" * 40,
           "DATABASE_URL": database_url}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bot.app:app_from_env", "--factory", "--port", str(port),
         "--log-level", "warning"], cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("the app did not start")
        time.sleep(0.1)


async def main(people: int, presses: int, think: float, database_url: str | None) -> None:
    """Run the benchmark and print the figures."""
    data = Path(tempfile.mkdtemp(prefix="pv-bench-"))
    url = database_url or f"sqlite:///{data / 'bench.db'}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    fake = FakeTelegram()
    with ThreadedServer(fake.app) as api:
        fake.base_url = api.url
        process, app_url = start_app(api.url, fake.token, data, url)
        try:
            async with Bot(fake.token, base_url=f"{api.url}/bot") as bot:
                secret = derived_secret("bench-" + "x" * 40, "porte-voix telegram webhook")
                await bot.set_webhook(f"{app_url}/webhooks/telegram", secret_token=secret)
            users = Users(fake)
            world = Runner(fake, users)
            answer: list[float] = []
            shown: list[float] = []
            started = time.perf_counter()
            await asyncio.gather(*(person(world, 10_000 + n, presses, think, answer, shown)
                                   for n in range(people)))  # fmt: skip
            elapsed = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=20)
    sends = len(fake.calls("sendMessage")) + len(fake.calls("editMessageText"))
    print(
        f"database: {url.split(':')[0]}, people: {people}, updates: {len(answer)}, think time: {think:.1f} s"
    )
    print(f"webhook answer (commit done): p50 {statistics.median(answer) * 1000:.0f} ms, "
          f"p95 {percentile(answer, 0.95) * 1000:.0f} ms")  # fmt: skip
    print(f"next question on screen:      p50 {statistics.median(shown) * 1000:.0f} ms, "
          f"p95 {percentile(shown, 0.95) * 1000:.0f} ms")  # fmt: skip
    print(
        f"Bot API sends and edits: {sends} in {elapsed:.1f} s = {sends / elapsed:.1f}/s "
        "(pacing: 30/s overall, 1/s per chat after a burst of 3)"
    )


class Runner:
    """The people's side: deliver updates and wait for what they see."""

    def __init__(self, fake: FakeTelegram, users: Users) -> None:
        self.fake, self.users = fake, users

    async def deliver(self, update: dict[str, object]) -> httpx.Response:
        """Have Telegram deliver an update."""
        return await self.users.deliver(update)

    async def until_text(self, chat: int, fragment: str) -> None:
        """Wait until a chat shows a text."""
        await self.fake.wait_for(
            lambda: any(fragment in m.get("text", "") for m in self.fake.chat(chat)), timeout=120
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--presses", type=int, default=3, choices=range(0, 6))
    parser.add_argument("--think", type=float, default=2.0, help="seconds before each press")
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default SQLite)")
    args = parser.parse_args()
    asyncio.run(main(args.people, args.presses, args.think, args.database))
