"""Where the SMS webhook spends its CPU: signed requests through the app in-process, by phase.

    python bench/inbound/phases.py [--messages 2000] [--people 200] [--cprofile 25]
                                   [--concurrency 1] [--postgresql ADMIN_URL]

Drives the Twilio SMS webhook of the real app (egalite flow) through httpx's ASGI transport,
the same conversation as run.py, and prints CPU milliseconds per message for each phase
(thread CPU time, so other processes on the machine do not count) and, with --cprofile, the
functions that cost most. No HTTP server: this is the Porte-voix side only.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import functools
import os
import pstats
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import event
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.inbound.signed import BODIES  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.channels import registry  # noqa: E402
from bot.channels.twilio import sms  # noqa: E402
from bot.container import build_services  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.throttle import Throttle  # noqa: E402
from storage.db import Database  # noqa: E402

PUBLIC, TOKEN = "http://bench.local", "bench-auth-token"
ENV = {"TWILIO_ACCOUNT_SID": "ACbench", "TWILIO_AUTH_TOKEN": TOKEN}
SPENT: dict[str, float] = defaultdict(float)


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a function (sync or async) to add its thread CPU time to SPENT[name]."""
    if asyncio.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            # Only valid sequentially: awaits inside run on this thread (or hop to a worker,
            # whose time the sync phases count on their own).
            started = time.thread_time()
            try:
                return await fn(*args, **kwargs)
            finally:
                SPENT[name] += time.thread_time() - started

        return async_wrapper

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] += time.thread_time() - started

    return wrapper


def instrument(services: Any) -> None:
    """Time each phase of the SMS webhook that exists in this version of the code."""
    for name in ("signed_form", "to_e164", "read_sms", "twiml"):
        if hasattr(sms, name):
            setattr(sms, name, timed(name, getattr(sms, name)))
    hooks = sms.TwilioSmsWebhooks
    for name in ("_reply", "_handle"):
        if hasattr(hooks, name):
            setattr(hooks, name, timed(name.strip("_"), getattr(hooks, name)))
    services.service.handle = timed("service.handle", services.service.handle)
    # Inside service.handle (nested: these are part of its time).
    from sqlalchemy.orm import SessionTransaction

    import bot.service
    from storage import repo
    from storage.turns import TurnStore

    inner: list[tuple[str, Any, str]] = [
        *((f"  repo.{name}", repo, name) for name in (
            "lock_participant", "find_inbound", "record_inbound", "open_run", "latest_prompt",
            "save_answer", "add_outbox_rows", "remember_flow")),
        *((f"  store.{name}", TurnStore, name) for name in (
            "lock_participant", "open_run", "last_prompt", "record_inbound", "new_run",
            "save_run", "save_answer", "add_outbox_rows", "remember_flow", "save_participant",
            "finish")),
        ("  converse", bot.service.ConversationService, "_converse"),
        ("  engine", bot.service.engine, "resume"),
        ("  outbound()", bot.service, "outbound"),
        ("  commit", SessionTransaction, "commit"),
        ("  sms pack", sms, "pack"),
    ]  # fmt: skip
    for label, owner, name in inner:
        if hasattr(owner, name):
            setattr(owner, name, timed(label, getattr(owner, name)))


def count_driver_statements(statements: list[str]) -> None:
    """Count the statements the inbound hot path runs on the driver's cursor (no SQLAlchemy event)."""
    try:
        from storage.turns import TurnStore
    except ImportError:  # an older version of the code
        return
    original = TurnStore._run

    def counted(self: Any, statement: str, params: dict[str, Any]) -> Any:
        statements.append(statement.split(None, 1)[0].upper())
        return original(self, statement, params)

    TurnStore._run = counted  # type: ignore[method-assign]


def run_inline() -> None:
    """Run worker-thread calls on the event loop thread, so cProfile sees them."""
    import anyio.to_thread

    async def run_sync(fn: Callable[..., Any], *args: Any, **_: Any) -> Any:
        return fn(*args)

    anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]


def requests(messages: int, people: int) -> list[dict[str, str]]:
    """Return the forms to post: person i % people says BODIES in order."""
    return [
        {"MessageSid": f"SMprof{i:08d}", "AccountSid": "ACbench", "From": f"+3361{i % people:07d}",
         "To": "+33700000000", "Body": BODIES[(i // people) % len(BODIES)], "NumMedia": "0"}
        for i in range(messages)
    ]  # fmt: skip


async def drive(app: Any, forms: list[dict[str, str]], concurrency: int) -> float:
    """Post every form (signed), `concurrency` at a time; return the wall time."""
    url = PUBLIC + "/webhooks/twilio/sms"
    validator = RequestValidator(TOKEN)
    signed = [(urlencode(f), validator.compute_signature(url, f)) for f in forms]
    transport = httpx.ASGITransport(app)
    queue = iter(signed)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as http:

        async def worker() -> None:
            for body, signature in queue:
                response = await http.post("/webhooks/twilio/sms", content=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature})  # fmt: skip
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def main() -> None:
    """Parse the options and profile, on a database made for the run when it is PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgresql", default=None, metavar="ADMIN_URL",
                        help="profile on PostgreSQL: a database is created on this server, then dropped")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--cprofile", type=int, default=0, help="print this many top functions")
    parser.add_argument("--dump", default=None, help="write the cProfile stats to this file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    if args.postgresql is None:
        profile(args, f"sqlite:///{tmp / 'profile.db'}", tmp)
        return
    from bench.inbound.run import pg_database

    with pg_database(args.postgresql, f"bench_phases_{os.getpid()}") as url:
        profile(args, url, tmp)


def profile(args: argparse.Namespace, url: str, tmp: Path) -> None:
    """Drive the webhook on this database and print where the time goes."""
    settings = load_settings({"PORTE_VOIX_SECRET_KEY": "b" * 48, "DATABASE_URL": url,
                              "PORTE_VOIX_DATA_DIR": str(tmp)})  # fmt: skip
    settings = dataclasses.replace(settings, flows_dir=ROOT / "flows" / "definitions",
                                   public_base_url=PUBLIC)  # fmt: skip
    db = Database(url)
    db.upgrade()
    services = build_services(settings, db)
    services.channels.update(registry.build_channels(settings, ENV))
    services.throttle = Throttle(rate=1000, burst=1000)
    app = create_app(settings, services)
    warm_clips = getattr(services.service.forget_clips, "warm", None)
    if warm_clips is not None:  # as a serving process does at start (bot/app.py)
        warm_clips()
    warm, forms = requests(args.people, args.people), requests(args.messages, args.people)
    for form in warm:
        form["MessageSid"] += "w"
        form["From"] = form["From"].replace("+3361", "+3362")
    asyncio.run(drive(app, warm, 1))
    instrument(services)
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_: statements.append(sql.split(None, 1)[0].upper()))  # fmt: skip
    event.listen(db.engine, "begin", lambda conn: statements.append("BEGIN"))  # on the driver
    event.listen(db.engine, "commit", lambda conn: statements.append("COMMIT"))
    count_driver_statements(statements)
    profiler = cProfile.Profile(time.thread_time) if args.cprofile else None  # CPU, not waits
    if profiler:
        run_inline()
    cpu = time.process_time()
    if profiler:
        profiler.enable()
    wall = asyncio.run(drive(app, forms, args.concurrency))
    if profiler:
        profiler.disable()
    cpu = time.process_time() - cpu
    n = len(forms)
    print(f"database: {'sqlite' if db.is_sqlite else 'postgresql'}  messages: {n}  "
          f"concurrency: {args.concurrency}  wall: {1000 * wall / n:.2f} ms/msg  "
          f"process CPU: {1000 * cpu / n:.2f} ms/msg (client and ASGI transport included)")
    kinds = Counter(statements)
    print(f"  SQL per message: {len(statements) / n:.2f} (" + ", ".join(
        f"{kind} {count / n:.2f}" for kind, count in kinds.most_common()) + ")")
    for name, spent in sorted(SPENT.items(), key=lambda item: (item[0].startswith(" "), -item[1])):
        print(f"  {name:<16}{1000 * spent / n:8.3f} ms/msg")
    if profiler:
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler).strip_dirs()
        print(f"  Python function calls per message: {stats.total_calls / n:.0f}")  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(args.cprofile)
        stats.sort_stats("cumulative").print_stats(args.cprofile)
    db.dispose()


if __name__ == "__main__":
    main()
