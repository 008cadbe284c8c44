"""Benchmark serving a cached clip over real HTTP at 8 concurrent clients (wrk).

One flow message and one read-back are rendered (espeak-ng) into a fresh data directory,
then, in the same run and against the same files:

- app, memory: `porte-voix serve` (one worker), the flow message (public) after a first GET;
- app, from file: the same with config.yml `audio.memory_cache_mb: 0` (every GET reads the
  file, as the route did before issue 17);
- app, read-back: the private clip (always from its file, `private, no-store`);
- baseline: uvicorn + Starlette's StaticFiles on the same cache directory;
- nginx: deploy/nginx.conf's locations (paths substituted) in front of the app, when nginx is
  installed: the public clip from disk, the read-back proxied to the app. Before timing it,
  the bench checks `nginx -t` on deploy/nginx.conf and the headers nginx sends.

wrk is installed with apt-get when missing; nginx is used only when present (apt-get install
nginx-light). Figures move with the machine's load: the load average is printed first.

    .venv/bin/python bench/audio/serve.py [--seconds 10] [--connections 8]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.audio.catalog import flow_utterances, system_utterances  # noqa: E402
from bot.audio.service import AudioService  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from flows.loader import load_directory  # noqa: E402

SERVE = "import sys; from bot.cli import main; sys.exit(main(['serve', '--port', sys.argv[1]]))"
STATIC = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
app = Starlette(routes=[Mount("/audio", StaticFiles(directory=sys.argv[2]))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""
READ_BACK = "Vous avez dit : des bancs rue Haute, pour se reposer. C'est bien ça ?"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until a URL answers (any status), or stop with the server's log."""
    started = time.perf_counter()
    while time.perf_counter() - started < 180:
        if process.poll() is not None:
            raise SystemExit(f"a server stopped:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} in 180 s")


def start(args: list[str], env: dict[str, str], log: Path, probe: str) -> subprocess.Popen[bytes]:
    """Start a server process and wait for it to answer `probe`."""
    with log.open("w") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    wait_for(probe, process, log)
    return process


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float, float]:
    """Run wrk against a URL; return (requests per second, p50 ms, p99 ms)."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors on {url}:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]

    def percentile(q: int) -> float:
        value, unit = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE).groups()  # type: ignore[union-attr]
        return float(value) * UNITS[unit]

    return rate, percentile(50), percentile(99)


def clips(data: Path) -> tuple[str, str, Path]:
    """Render a flow message and a read-back into the data directory; return their URLs and the file."""
    settings = load_settings(env={**os.environ, "PORTE_VOIX_DATA_DIR": str(data)})
    audio = AudioService.from_settings(settings)
    flows = load_directory(settings.flows_dir) if settings.flows_dir.is_dir() else {}
    flow = flows.get(settings.default_flow)
    texts = flow_utterances(flow) if flow is not None else system_utterances()
    message = audio.clip(texts[0].text, texts[0].lang, "mp3")
    read_back = audio.clip(READ_BACK, "fr", "mp3")
    return message.url, read_back.url, message.path


def nginx_config(work: Path, app_port: int, nginx_port: int, cache: Path) -> Path:
    """Write an nginx main config around deploy/'s files (paths substituted); return it after `nginx -t`."""
    snippet = (ROOT / "deploy" / "porte-voix-locations.conf").read_text()
    snippet = snippet.replace("/srv/porte-voix/data/audio", str(cache))
    (work / "locations.conf").write_text(snippet)
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"upstream porte_voix \{.*?\n\}", site, re.DOTALL)[0]  # type: ignore[index]
    upstream = upstream.replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
    key, cert = work / "key.pem", work / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=porte-voix.example.fr", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)  # fmt: skip
    full = (site.replace("/etc/nginx/snippets/porte-voix-locations.conf", str(work / "locations.conf"))
            .replace("/etc/letsencrypt/live/porte-voix.example.fr/fullchain.pem", str(cert))
            .replace("/etc/letsencrypt/live/porte-voix.example.fr/privkey.pem", str(key)))  # fmt: skip
    (work / "site.conf").write_text(full)
    head = (f"user root;\nworker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
            "daemon off;\nevents { worker_connections 512; }\n")  # fmt: skip
    check = work / "check.conf"
    check.write_text(head + f"http {{ access_log off; include {work}/site.conf; }}\n")
    result = subprocess.run(["nginx", "-t", "-c", str(check)], capture_output=True, text=True)
    print(f"nginx -t on deploy/nginx.conf (paths substituted): {result.stderr.strip().splitlines()[-1]}")
    if result.returncode:
        raise SystemExit(result.stderr)
    plain = work / "bench.conf"
    plain.write_text(head + f"http {{ access_log off;\n{upstream}\nserver {{ listen 127.0.0.1:{nginx_port};\n"
                     f"include {work}/locations.conf; }}\n}}\n")  # fmt: skip
    return plain


def check_nginx(base: str, public: str, private: str, body: bytes) -> None:
    """Check what nginx answers for a public clip and a read-back; stop the bench if it is wrong."""
    shown = httpx.get(base + public)
    back = httpx.get(base + private)
    part = httpx.get(base + public, headers={"Range": "bytes=0-99"})
    again = httpx.get(base + public, headers={"If-None-Match": shown.headers.get("etag", "")})
    problems = [
        *([] if shown.content == body else ["the public clip's bytes differ"]),
        *([] if shown.headers.get("content-type") == "audio/mpeg" else ["public clip not audio/mpeg"]),
        *([] if "immutable" in shown.headers.get("cache-control", "") else ["public clip not immutable"]),
        *([] if shown.headers.get("server", "").startswith("nginx") else ["not served by nginx"]),
        *([] if back.headers.get("cache-control") == "private, no-store" else ["read-back cacheable"]),
        *([] if part.status_code == 206 and part.content == body[:100] else ["no range support"]),
        *([] if again.status_code == 304 else ["no 304 on If-None-Match"]),
    ]
    if problems:
        raise SystemExit("nginx: " + "; ".join(problems))
    print("nginx checks: public clip from disk (audio/mpeg, immutable, 206 on a range, 304), "
          "read-back proxied to the app (private, no-store)")  # fmt: skip


def main() -> None:
    """Print req/s, p50 and p99 for each way of serving a clip."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start; "
          f"wrk -t1 -c{args.connections} -d{args.seconds}s")  # fmt: skip
    servers: list[subprocess.Popen[bytes]] = []
    rows: list[tuple[str, tuple[float, float, float]]] = []

    def timed(label: str, url: str) -> None:
        rows.append((label, wrk(url, args.seconds, args.connections)))

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "data"
        public, private, path = clips(data)
        cache = path.parent.parent
        env = {**os.environ, "PORTE_VOIX_DATA_DIR": str(data), "PYTHONPATH": str(ROOT),
               "DATABASE_URL": f"sqlite:///{data}/bench.db", "PORTE_VOIX_MODE": "development"}  # fmt: skip
        no_memory = work / "no-memory.yml"
        no_memory.write_text(f"flows_dir: {ROOT / 'flows' / 'definitions'}\naudio:\n  memory_cache_mb: 0\n")
        try:
            app_port, file_port, static_port = free_port(), free_port(), free_port()
            servers.append(start([sys.executable, "-c", SERVE, str(app_port)], env, work / "app.log",
                                 f"http://127.0.0.1:{app_port}/healthz"))  # fmt: skip
            servers.append(start([sys.executable, "-c", SERVE, str(file_port)],
                                 {**env, "PORTE_VOIX_CONFIG": str(no_memory)}, work / "file.log",
                                 f"http://127.0.0.1:{file_port}/healthz"))  # fmt: skip
            servers.append(start([sys.executable, "-c", STATIC, str(static_port), str(cache)], env,
                                 work / "static.log", f"http://127.0.0.1:{static_port}/"))  # fmt: skip
            app, from_file = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{file_port}"
            first = httpx.get(app + public)
            assert first.status_code == 200 and first.content == path.read_bytes(), first.status_code
            assert httpx.get(from_file + public).headers["cache-control"].endswith("immutable")
            size = len(first.content) / 1024
            static_url = f"http://127.0.0.1:{static_port}/audio/{path.parent.name}/{path.name}"
            timed("app, public clip from memory", app + public)
            timed("app, public clip from its file", from_file + public)
            timed("app, read-back (private, from file)", app + private)
            timed("baseline: Starlette StaticFiles", static_url)
            if shutil.which("nginx"):
                nginx_port = free_port()
                config = nginx_config(work, app_port, nginx_port, cache)
                servers.append(start(["nginx", "-c", str(config)], env, work / "nginx.log",
                                     f"http://127.0.0.1:{nginx_port}/healthz"))  # fmt: skip
                base = f"http://127.0.0.1:{nginx_port}"
                check_nginx(base, public, private, first.content)
                timed("nginx, public clip from disk", base + public)
                timed("nginx -> app, read-back", base + private)
            else:
                print("nginx not installed: its rows are left out (apt-get install nginx-light)")
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
    load = os.getloadavg()
    print(f"clip: one flow message, mp3, {size:.1f} KiB; load average {load[0]:.2f} at the end")
    print(f"{'served by':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for label, (rate, p50, p99) in rows:
        print(f"{label:<38} {rate:>8.0f} {p50:>8.2f} {p99:>8.2f}")


if __name__ == "__main__":
    main()
