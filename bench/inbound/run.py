"""Inbound benchmark: Porte-voix's Twilio SMS webhook against a minimal baseline, same run.

Both servers run under uvicorn (one worker each unless --workers), the load comes from a
separate process (load.py), on SQLite and on PostgreSQL. Prints throughput and p50/p99
latency per offered rate, the server's CPU milliseconds per message (user + system, the whole
process tree), and the ratio Porte-voix / baseline.

    .venv/bin/python bench/inbound/run.py [--rates 100,250,500] [--seconds 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "bench-auth-token"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def tree_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) used so far by a process and its descendants."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reset(url: str) -> None:
    """Start from an empty database."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def wait_up(base: str, path: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(base + path, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def start_baseline(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bench.inbound.baseline:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning", "--no-access-log"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


INBOUND_THREADS = 4  # set from --inbound-threads


def start_porte_voix(url: str, port: int, workers: int, tmp: Path) -> subprocess.Popen[bytes]:
    config = tmp / f"config-{port}.yml"
    config.write_text(
        f"database_url: {url}\nport: {port}\npublic_base_url: http://127.0.0.1:{port}\n"
        f"database:\n  inbound_threads: {INBOUND_THREADS}\n"
        f"data_dir: {tmp / 'data'}\nflows_dir: {ROOT / 'flows' / 'definitions'}\n"
        "throttle:\n  messages_per_second: 50\n  burst: 50\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PORTE_VOIX_CONFIG": str(config), "TWILIO_AUTH_TOKEN": TOKEN,
           "TWILIO_ACCOUNT_SID": "ACbench", "PORTE_VOIX_SECRET_KEY": "b" * 48,
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def load(base: str, rate: float, seconds: float, prefix: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("load.py")), "--base", base, "--token", TOKEN,
         "--rate", str(rate), "--seconds", str(seconds), "--prefix", prefix],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(
    name: str, start, url: str, rates: list[float], seconds: float, workers: int, tmp: Path, tag: str
) -> list[dict]:  # type: ignore[no-untyped-def]
    reset(url)
    port = free_port()
    proc = start(url, port, workers) if name == "baseline" else start(url, port, workers, tmp)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base, "/healthz" if name == "porte-voix" else "/", proc)
        load(base, 50, 2, f"{tag}9")  # warm-up
        results = []
        for i, rate in enumerate(rates):
            before = tree_cpu(proc.pid)
            result = load(base, rate, seconds, f"{tag}{i}")
            used = tree_cpu(proc.pid) - before
            result["server_cpu_ms_per_msg"] = round(1000 * used / max(1, result["ok"]), 2)
            results.append(result)
            print(f"  {name} {rate:.0f}/s: {json.dumps(result)}", file=sys.stderr, flush=True)
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="100,250,500")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--inbound-threads", type=int, default=4, help="PostgreSQL only")
    args = parser.parse_args()
    global INBOUND_THREADS
    INBOUND_THREADS = args.inbound_threads
    rates = [float(r) for r in args.rates.split(",")]
    pg_url = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    header = (f"{'backend':<11}{'app':<12}{'offered/s':>10}{'ok':>7}{'err':>6}{'thru/s':>9}"
              f"{'p50 ms':>9}{'p99 ms':>9}{'cpu ms':>8}{'ratio':>8}")  # fmt: skip
    print(header, flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for n, backend in enumerate(args.backends.split(",")):
            url = f"sqlite:///{tmp}/bench-{backend}.db" if backend == "sqlite" else pg_url
            base_rows = measure("baseline", start_baseline, url, rates, args.seconds, args.workers,
                                tmp, f"{n}0")  # fmt: skip
            pv_rows = measure("porte-voix", start_porte_voix, url, rates, args.seconds,
                              args.workers, tmp, f"{n}1")  # fmt: skip
            for app, rows in (("baseline", base_rows), ("porte-voix", pv_rows)):
                for row, ref in zip(rows, base_rows, strict=True):
                    ratio = row["throughput_rps"] / ref["throughput_rps"] if ref["throughput_rps"] else 0
                    print(f"{backend:<11}{app:<12}{row['offered_rps']:>10.0f}{row['ok']:>7}"
                          f"{row['errors']:>6}{row['throughput_rps']:>9.1f}{row['p50_ms']:>9.1f}"
                          f"{row['p99_ms']:>9.1f}{row['server_cpu_ms_per_msg']:>8.2f}"
                          f"{ratio:>8.2f}", flush=True)  # fmt: skip
    print("target: porte-voix throughput >= 0.5 x baseline, and p99 < 50 ms at 500 offered/s")


if __name__ == "__main__":
    main()
