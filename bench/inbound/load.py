"""Open-loop load on a Twilio SMS webhook: N signed requests at a fixed offered rate.

Run as its own process so the load does not share the server's interpreter. Prints one JSON
line: offered rate, completed, errors, throughput and latency percentiles (from the scheduled
send time, so a slow server cannot hide its queueing delay).

Requests are signed before the clock starts and sent by a small HTTP/1.1 client over raw
asyncio streams: a general-purpose client (httpx) spends more CPU per request than the server
under test once hundreds of requests are in flight, and would measure itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

# One participant's SMS, in order, on the egalite flow (v3): start, reading, consent, two
# multiple choices, three scales (the last one brings the helplines), an open answer, its
# read-back, the age, and a typed commune (matched, then confirmed).
BODIES = ("bonjour", "1", "1", "1 3", "2", "1", "2", "3",
          "Plus de crèches le soir et des bus plus tard", "1", "3", "creteil")  # fmt: skip
MAX_CONNECTIONS = 1000


def percentile(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) of values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def signed_requests(base: str, token: str, total: int, people: int, prefix: str) -> list[bytes]:
    """Build every request's bytes: person i % people sends the conversation in order."""
    url = f"{base}/webhooks/twilio/sms"
    parts = urlsplit(url)
    validator = RequestValidator(token)
    requests = []
    for i in range(total):
        person = i % people
        params = {"MessageSid": f"SM{prefix}{i:08d}", "AccountSid": "ACbench",
                  "From": f"+336{prefix[-2:]}{person:06d}", "To": "+33700000000",
                  "Body": BODIES[(i // people) % len(BODIES)], "NumMedia": "0"}  # fmt: skip
        body = urlencode(params).encode()
        head = (f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"X-Twilio-Signature: {validator.compute_signature(url, params)}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")  # fmt: skip
        requests.append(head.encode() + body)
    return requests


class Pool:
    """Keep-alive connections to one server; a request with none idle opens a new one."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.open = 0
        self.freed = asyncio.Condition()

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Return an idle connection, or a new one (waiting when MAX_CONNECTIONS are busy)."""
        async with self.freed:
            while not self.idle and self.open >= MAX_CONNECTIONS:
                await self.freed.wait()
            if self.idle:
                return self.idle.pop()
            self.open += 1
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError:
            await self.drop()
            raise

    async def give(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        """Put a connection back for the next request."""
        async with self.freed:
            self.idle.append(conn)
            self.freed.notify()

    async def drop(self) -> None:
        """Forget a broken connection."""
        async with self.freed:
            self.open -= 1
            self.freed.notify()

    async def send(self, request: bytes) -> int:
        """Send one request; return its HTTP status once the whole response is read."""
        reader, writer = await self.take()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            writer.close()
            await self.drop()
            raise
        if b"connection: close" in head.lower():
            writer.close()
            await self.drop()
        else:
            await self.give((reader, writer))
        return status


async def run(base: str, token: str, rate: float, seconds: float, people: int, prefix: str) -> dict:
    """Send rate*seconds requests on schedule; return the figures."""
    total = int(rate * seconds)
    # By default each participant sends the whole conversation once, whatever the rate, so every
    # rate sees the same mix (one start in len(BODIES) messages).
    people = people or max(1, -(-total // len(BODIES)))
    requests = signed_requests(base, token, total, people, prefix)
    parts = urlsplit(base)
    pool = Pool(parts.hostname or "127.0.0.1", parts.port or 80)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    cpu = time.process_time()
    start = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        try:
            status = await asyncio.wait_for(pool.send(requests[i]), 30)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError, TimeoutError):
            status = 0
        statuses[status] = statuses.get(status, 0) + 1
        if 200 <= status < 300:
            latencies.append(time.perf_counter() - scheduled)

    await asyncio.gather(*(one(i) for i in range(total)))
    elapsed = time.perf_counter() - start
    for _, writer in pool.idle:
        writer.close()
    return {
        "offered_rps": rate, "sent": total, "ok": len(latencies),
        "errors": total - len(latencies), "statuses": statuses,
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "people": people, "connections": pool.open, "load_cpu_s": round(time.process_time() - cpu, 2),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=0, help="default: rate * seconds / 12")
    parser.add_argument("--prefix", default="00")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.base, args.token, args.rate, args.seconds, args.people,
                                     args.prefix))))  # fmt: skip


if __name__ == "__main__":
    main()
