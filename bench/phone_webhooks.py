"""Time the Twilio SMS and voice webhooks end to end (signature, service, commit, TwiML).

Usage: python bench/phone_webhooks.py [--participants 20] [--database-url URL]
Prints latency percentiles per webhook; never asserts anything.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.channels import registry  # noqa: E402
from bot.container import build_services  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.throttle import Throttle  # noqa: E402
from storage.db import Database  # noqa: E402

PUBLIC, TOKEN = "https://bench.example.org", "bench-token"
ENV = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": TOKEN,
    "TWILIO_FROM_NUMBER": "+33700000000",
}


async def post(http: httpx.AsyncClient, path: str, params: dict[str, str]) -> tuple[float, str]:
    """POST one signed form; return its latency in milliseconds and the TwiML."""
    url = path if path.startswith("http") else PUBLIC + path
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    started = time.perf_counter()
    response = await http.post(url, content=urlencode(params), headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})  # fmt: skip
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000, response.text


def report(name: str, samples: list[float]) -> None:
    """Print percentiles of a list of latencies."""
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{name:<14} n={len(ordered):<4} p50={statistics.median(ordered):6.1f} ms  "
          f"p95={p95:6.1f} ms  max={ordered[-1]:6.1f} ms")  # fmt: skip


async def main(participants: int, database_url: str | None) -> None:
    tmp = Path(tempfile.mkdtemp())
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    settings = load_settings({"PORTE_VOIX_SECRET_KEY": "b" * 40, "PORTE_VOIX_MODE": "test",
                              "DATABASE_URL": url, "PORTE_VOIX_DATA_DIR": str(tmp)})  # fmt: skip
    settings = dataclasses.replace(settings, flows_dir=ROOT / "tests" / "data" / "flows",
                                   default_flow="demo", public_base_url=PUBLIC)  # fmt: skip
    db = Database(url)
    db.upgrade()
    services = build_services(settings, db)
    services.channels.update(registry.build_channels(settings, ENV))
    services.throttle = Throttle(rate=1000, burst=1000)
    sms, voice = [], []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(create_app(settings, services))) as http:
        for n in range(participants):
            sender = f"+3361234{n:04d}"
            for step, body in enumerate(["DEMO", "1", "1", "2", "1 3", "1", "Des crèches", "1"]):
                params = {"MessageSid": f"SM{n:016d}{step:016d}", "From": sender, "Body": body}
                sms.append((await post(http, "/webhooks/twilio/sms", params))[0])
            call = {"CallSid": f"CA{n:032d}", "From": f"+3362234{n:04d}"}
            elapsed, doc = await post(http, "/webhooks/twilio/voice", call)
            voice.append(elapsed)
            for digit in ["1", "1", "2", "1", "#"]:
                action = next(ET.fromstring(doc).iter("Gather")).attrib["action"]
                elapsed, doc = await post(http, action, {**call, "Digits": digit})
                voice.append(elapsed)
    print(f"database: {'sqlite' if url.startswith('sqlite') else 'postgresql'}")
    report("sms webhook", sms)
    report("voice webhook", voice)
    db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.participants, args.database_url))
