"""Inbound benchmark: Porte-voix's Twilio SMS webhook against a minimal baseline, same run.

Both apps run as their own uvicorn servers (1 and 2 workers), on SQLite and on PostgreSQL
(a database made for the run and dropped after). The load is wrk (installed with apt-get
when missing) replaying pre-signed webhooks, each MessageSid once (replay.lua), 500 numbers
each going through the egalite conversation of 12 messages (signed.py).

For each database and worker count, prints:
- at saturation (32 connections, as fast as answered): throughput, p50/p99 from send to
  answer, and the servers' CPU milliseconds per message (user + system of the whole process
  tree, from /proc);
- at a fixed offered load of half the baseline's capacity (wrk paced from Lua: one connection
  per thread, each request held until its due time, latency counted from that due time):
  p50/p99.
The apps are measured one after the other, round after round, on the same machine as wrk:
compare ratios, not absolute figures.

    .venv/bin/python bench/inbound/run.py            # about 5 minutes (--nice -10 on a busy machine)
    .venv/bin/python bench/inbound/run.py --quick    # about 2 minutes
    .venv/bin/python bench/inbound/run.py --backends sqlite --workers 1 --seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.inbound import signed  # noqa: E402

TOKEN = "bench-auth-token"
PUBLIC_URL = "http://bench.invalid"  # what Porte-voix validates signatures against
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PEOPLE = 500
CONNECTIONS = 32
SATURATION_THREADS = 2
MAX_RATE = 6000  # requests a second the request files are sized for
WARM_SECONDS = 2.0
NICE: list[str] = []  # ["nice", "-n", "-10"] with --nice: servers and wrk ahead of other work


def ensure_wrk() -> str:
    """Return wrk's path, installing the Debian package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", file=sys.stderr, flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update"], check=True)
        subprocess.run(install, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


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


@contextmanager
def pg_database(admin: str, name: str) -> Iterator[str]:
    """Create a database for this run on the admin URL's server; drop it afterwards."""
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Server:
    """One app under uvicorn on its own port and database."""

    app: str
    url: str
    workers: int
    tmp: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("DATABASE_URL", None)
        if self.app == "baseline":
            env["BENCH_DATABASE_URL"] = self.url
            command = ["-m", "uvicorn", "--factory", "bench.inbound.baseline:create_app",
                       "--host", "127.0.0.1", "--port", str(self.port), "--workers",
                       str(self.workers), "--log-level", "warning", "--no-access-log"]  # fmt: skip
        else:
            config = self.tmp / f"config-{self.port}.yml"
            config.write_text(
                f"database_url: {self.url}\nport: {self.port}\npublic_base_url: {PUBLIC_URL}\n"
                f"data_dir: {self.tmp / f'data-{self.port}'}\n"
                f"flows_dir: {ROOT / 'flows' / 'definitions'}\n"
                "throttle:\n  messages_per_second: 50\n  burst: 50\n",
                encoding="utf-8",
            )
            env.update({"PORTE_VOIX_CONFIG": str(config), "TWILIO_AUTH_TOKEN": TOKEN,
                        "TWILIO_ACCOUNT_SID": "ACbench", "PORTE_VOIX_SECRET_KEY": "b" * 48})  # fmt: skip
            command = ["-m", "bot.cli", "serve", "--workers", str(self.workers)]
        self.proc = subprocess.Popen([*NICE, sys.executable, *command], env=env, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.app} exited with {self.proc.returncode}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.app} did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def cpu(self) -> float:
        assert self.proc is not None
        return tree_cpu(self.proc.pid)


def wrk(binary: str, server: Server, requests: Path, seconds: float, rate: float = 0) -> dict:
    """Run wrk on the SMS webhook; return replay.lua's figures and the server's CPU per message."""
    paced = rate > 0
    threads = CONNECTIONS if paced else SATURATION_THREADS
    script = Path(__file__).with_name("replay.lua")
    before = server.cpu()
    out = subprocess.run(
        [*NICE, binary, "-t", str(threads), "-c", str(CONNECTIONS), "-d", f"{seconds:g}s", "--timeout", "30s",
         "-s", str(script), server.base + signed.PATH, "--", str(requests), signed.PATH,
         str(threads), str(rate)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    used = server.cpu() - before
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    ok = result["requests"] - result["filler"] - result["non_2xx"] - result["socket_errors"]
    result["ok"] = ok
    result["rps"] = ok / result["duration_s"]
    result["cpu_ms"] = 1000 * used / max(1, ok)
    if result["threads_out_of_requests"]:
        print(f"  warning: {server.app} ran out of requests (raise MAX_RATE)", file=sys.stderr)
    return result


def request_file(tmp: Path, name: str, first: int, count: int) -> tuple[Path, int]:
    """Write the signed requests first..first+count-1; return the file and the next index."""
    path = tmp / f"{name}.txt"
    signed.write(path, TOKEN, PUBLIC_URL, signed.forms(first, count, PEOPLE, "bench"))
    return path, first + count


def mean(rows: list[dict], key: str) -> float:
    return statistics.fmean(row[key] for row in rows)


def measure(binary: str, servers: list[Server], files: dict[str, Path], args: argparse.Namespace) -> dict:
    """Warm both apps, then alternate saturation rounds, then the paced run; return the figures."""
    saturated: dict[str, list[dict]] = {s.app: [] for s in servers}
    for server in servers:
        wrk(binary, server, files["warm"], WARM_SECONDS)
    for r in range(args.rounds):
        for server in servers:
            row = wrk(binary, server, files[f"round{r}"], args.seconds)
            saturated[server.app].append(row)
            print(f"  {server.app} round {r + 1}: {row['rps']:.0f}/s p50 {row['p50_ms']:.1f} ms"
                  f" p99 {row['p99_ms']:.1f} ms cpu {row['cpu_ms']:.2f} ms/msg"
                  f" non-2xx {row['non_2xx']}", file=sys.stderr, flush=True)  # fmt: skip
    rate = mean(saturated["baseline"], "rps") / 2
    paced = {}
    for server in servers:
        paced[server.app] = wrk(binary, server, files["paced"], args.paced_seconds, rate)
        print(f"  {server.app} at {rate:.0f}/s: p99 {paced[server.app]['paced_p99_ms']:.1f} ms",
              file=sys.stderr, flush=True)  # fmt: skip
    return {"rate": rate, "saturated": saturated, "paced": paced}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=10, help="each saturation round")
    parser.add_argument("--rounds", type=int, default=2, help="saturation rounds per app (alternated)")
    parser.add_argument("--paced-seconds", type=float, default=8)
    parser.add_argument("--quick", action="store_true", help="--seconds 4 --rounds 1 --paced-seconds 4")
    parser.add_argument("--pg-admin", default=os.environ.get("BENCH_PG_ADMIN", PG_ADMIN),
                        help="a PostgreSQL URL allowed to create and drop a database")  # fmt: skip
    parser.add_argument("--nice", type=int, default=0,
                        help="servers and wrk at this niceness (-10: ahead of other work)")  # fmt: skip
    parser.add_argument("--json", default=None, help="also write every figure to this file")
    args = parser.parse_args()
    if args.nice:
        NICE[:] = ["nice", "-n", str(args.nice)]
    if args.quick:
        args.seconds, args.rounds, args.paced_seconds = 4.0, 1, 4.0
    binary = ensure_wrk()
    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # One conversation for the whole run: each app and setting gets fresh databases, so the
        # same signed requests serve them all, and no MessageSid repeats within a database.
        files, nxt = {}, 0
        rounds = [(f"round{r}", args.seconds) for r in range(args.rounds)]
        for name, seconds in [("warm", WARM_SECONDS), *rounds, ("paced", args.paced_seconds / 2)]:
            files[name], nxt = request_file(tmp, name, nxt, int(MAX_RATE * seconds) + 1000)
        for backend in args.backends.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                print(f"{backend}, {workers} worker(s):", file=sys.stderr, flush=True)
                results.append({"backend": backend, "workers": workers,
                                **run_setting(binary, backend, workers, files, tmp, args)})  # fmt: skip
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


def run_setting(binary: str, backend: str, workers: int, files: dict[str, Path], tmp: Path,
                args: argparse.Namespace) -> dict:  # fmt: skip
    """Start both apps on fresh databases of this backend, measure them, stop them."""
    with contextlib_databases(backend, workers, tmp, args.pg_admin) as urls:
        servers = [Server(app, urls[app], workers, tmp) for app in ("baseline", "porte-voix")]
        try:
            for server in servers:
                server.start()
            return measure(binary, servers, files, args)
        finally:
            for server in servers:
                server.stop()


@contextmanager
def contextlib_databases(backend: str, workers: int, tmp: Path, admin: str) -> Iterator[dict[str, str]]:
    """Yield a fresh database URL for each app."""
    if backend == "sqlite":
        stamp = time.monotonic_ns()
        yield {app: f"sqlite:///{tmp}/{app}-{workers}-{stamp}.db" for app in ("baseline", "porte-voix")}
        return
    with pg_database(admin, f"bench_inbound_base_{os.getpid()}") as base, \
            pg_database(admin, f"bench_inbound_pv_{os.getpid()}") as pv:  # fmt: skip
        yield {"baseline": base, "porte-voix": pv}


def print_table(results: list[dict]) -> None:
    """Print one line per database, worker count and app; ratios are Porte-voix / baseline."""
    print(f"{'database':<11}{'workers':>8}  {'app':<11}{'msg/s':>8}{'p50 ms':>8}{'p99 ms':>8}"
          f"{'CPU ms/msg':>11}{'ratio':>7}{'paced/s':>9}{'p50 ms':>8}{'p99 ms':>8}")  # fmt: skip
    for result in results:
        base_rps = mean(result["saturated"]["baseline"], "rps")
        for app in ("baseline", "porte-voix"):
            rows, paced = result["saturated"][app], result["paced"][app]
            print(f"{result['backend']:<11}{result['workers']:>8}  {app:<11}{mean(rows, 'rps'):>8.0f}"
                  f"{mean(rows, 'p50_ms'):>8.1f}{mean(rows, 'p99_ms'):>8.1f}{mean(rows, 'cpu_ms'):>11.2f}"
                  f"{mean(rows, 'rps') / base_rps:>7.2f}{result['rate']:>9.0f}"
                  f"{paced['paced_p50_ms']:>8.1f}{paced['paced_p99_ms']:>8.1f}")  # fmt: skip
    print(f"saturation: {CONNECTIONS} connections; paced: half the baseline's msg/s, latency from each"
          " request's due time; ratio: msg/s against the baseline's, same setting")  # fmt: skip


if __name__ == "__main__":
    main()
