"""Open-loop load on a Twilio SMS webhook: N signed requests at a fixed offered rate.

Run as its own process so the load does not share the server's interpreter. Prints one JSON
line: offered rate, completed, errors, throughput and latency percentiles (from the scheduled
send time, so a slow server cannot hide its queueing delay).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx
from twilio.request_validator import RequestValidator

BODIES = ("bonjour", "1", "oui", "2", "1", "4", "Plus de crèches le soir", "oui", "aide", "3")


def percentile(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) of values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(base: str, token: str, rate: float, seconds: float, people: int, prefix: str) -> dict:
    """Send rate*seconds requests on schedule; return the figures."""
    url = f"{base}/webhooks/twilio/sms"
    validator = RequestValidator(token)
    total = int(rate * seconds)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            person = i % people
            params = {"MessageSid": f"SM{prefix}{i:08d}", "AccountSid": "ACbench",
                      "From": f"+336{prefix[-2:]}{person:06d}", "To": "+33700000000",
                      "Body": BODIES[(i // people) % len(BODIES)], "NumMedia": "0"}  # fmt: skip
            headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
            try:
                response = await client.post(url, data=params, headers=headers)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code < 300:
                    latencies.append(time.perf_counter() - scheduled)
            except httpx.HTTPError:
                statuses[0] = statuses.get(0, 0) + 1

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    return {
        "offered_rps": rate, "sent": total, "ok": len(latencies),
        "errors": total - len(latencies), "statuses": statuses,
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--prefix", default="00")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.base, args.token, args.rate, args.seconds, args.people,
                                     args.prefix))))  # fmt: skip


if __name__ == "__main__":
    main()
