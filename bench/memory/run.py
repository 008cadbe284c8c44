"""Benchmark a worker's memory: the RSS of `porte-voix serve` (one worker, embedded NLU, no Rasa).

Each variant is a real `porte-voix serve --workers 1` on a free port (SQLite, an empty data
directory); its resident memory (VmRSS in /proc) is read once it answers /healthz, after a
kiosk page, and after the dashboard's login page. In the same run, for comparison:

- baseline: uvicorn serving a one-route Starlette app (the floor of Python + the web stack);
- eager: porte-voix with what it imported at start-up before issue 17 (scikit-learn, scipy,
  reportlab, openpyxl, the sortition library, the NLU's pickled pipeline) imported first;
- lean: porte-voix as it is;
- first start: porte-voix with an empty NLU model cache (the model is trained in a child).

    .venv/bin/python bench/memory/run.py [--skip-first-start]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
EAGER = (
    "import sklearn.pipeline, sklearn.linear_model, sklearn.feature_extraction.text, sklearn.cluster, "
    "sklearn.decomposition, sklearn.metrics, scipy.stats, scipy.sparse, reportlab.platypus, openpyxl, "
    "sortition_algorithms, joblib"
)
SERVE = "import sys; from bot.cli import main; sys.exit(main(['serve', '--port', sys.argv[1]]))"
BASELINE = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def ok(request):
    return JSONResponse({"status": "ok"})

app = Starlette(routes=[Route("/healthz", ok), Route("/kiosk", ok), Route("/facilitator/login", ok)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
PAGES = (("after one /healthz", "/healthz"), ("after a kiosk page", "/kiosk"),
         ("after the dashboard login page", "/facilitator/login"))  # fmt: skip
HEAVY = ("sklearn", "scipy", "reportlab", "openpyxl")


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status(pid: int) -> dict[str, int]:
    """Return VmRSS and VmHWM (peak) of a process, in MiB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"{key}:\s+(\d+)", text)[1]) // 1024  # type: ignore[index]
            for key in ("VmRSS", "VmHWM")}  # fmt: skip


def mapped(pid: int) -> list[str]:
    """Return which heavy libraries have native code mapped in a process."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return [name for name in HEAVY if f"/site-packages/{name}/" in maps]


def measure(label: str, code: str, env: dict[str, str]) -> list[tuple[str, int, int]]:
    """Start one server, read its memory at each step, stop it; return (step, RSS, peak)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {**env, "PORTE_VOIX_DATA_DIR": data, "DATABASE_URL": f"sqlite:///{data}/bench.db",
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        log = Path(data) / "server.log"
        with log.open("w") as out:
            server = subprocess.Popen([sys.executable, "-c", code, str(port)], cwd=ROOT, env=env,
                                      stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        rows: list[tuple[str, int, int]] = []
        try:
            base = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"{label}: the server stopped:\n{log.read_text()[-2000:]}")
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.perf_counter() - started > 180:
                    raise SystemExit(f"{label}: no answer in 180 s")
                time.sleep(0.2)
            time.sleep(1.0)  # the lifespan's last steps
            seconds = time.perf_counter() - started
            memory = status(server.pid)
            rows.append((f"started in {seconds:.1f} s", memory["VmRSS"], memory["VmHWM"]))
            for step, path in PAGES:
                httpx.get(base + path, timeout=30)
                time.sleep(0.3)
                memory = status(server.pid)
                rows.append((step, memory["VmRSS"], memory["VmHWM"]))
            native = mapped(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{label}  (native code mapped: {', '.join(native) or 'none of ' + ', '.join(HEAVY)})")
    for step, rss, peak in rows:
        print(f"  {step:<34} RSS {rss:>4} MiB   peak {peak:>4} MiB")
    return rows


def main() -> None:
    """Print each variant's memory, then the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-first-start", action="store_true", help="No run with an empty model cache.")
    args = parser.parse_args()
    env = {**os.environ, "PORTE_VOIX_MODE": "development"}
    env.pop("PORTE_VOIX_CACHE_DIR", None)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"Python {sys.version.split()[0]}")  # fmt: skip
    subprocess.run([sys.executable, "-m", "bot.cli", "nlu", "train"], cwd=ROOT, check=True,
                   env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True)  # fmt: skip
    baseline = measure("baseline: uvicorn + a one-route Starlette app", BASELINE, env)
    eager = measure("eager: porte-voix, heavy libraries imported at start (before issue 17)",
                    EAGER + "; " + SERVE, env)  # fmt: skip
    lean = measure("lean: porte-voix serve", SERVE, env)
    if not args.skip_first_start:
        with tempfile.TemporaryDirectory() as cache:
            measure("first start: porte-voix serve, empty NLU model cache",
                    SERVE, {**env, "PORTE_VOIX_CACHE_DIR": cache})  # fmt: skip
    after = {name: rows[1][1] for name, rows in (("baseline", baseline), ("eager", eager), ("lean", lean))}
    print()
    print(f"idle RSS after one /healthz: lean {after['lean']} MiB, eager {after['eager']} MiB "
          f"(-{after['eager'] - after['lean']} MiB), baseline {after['baseline']} MiB; "
          f"goal: under 150 MiB")  # fmt: skip


if __name__ == "__main__":
    main()
