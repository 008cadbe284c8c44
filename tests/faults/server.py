"""A real Porte-voix server as a subprocess: configured, started, killed, restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
TEST_FLOWS = ROOT / "tests" / "data" / "flows"
SECRET = "faults-secret-" + "k" * 40
ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER = "AC" + "f" * 32, "faults-auth-token", "+33700000009"


def free_port() -> int:
    """Return a port nothing listens on (kept for every restart: webhooks are signed for it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sqlite_url(tmp: Path) -> str:
    """Return a file SQLite URL under a temporary directory."""
    return f"sqlite:///{tmp / 'faults.db'}"


@dataclass
class Server:
    """`python -m bot.cli serve` on 127.0.0.1 with a config written for the test."""

    tmp: Path
    database_url: str
    workers: int = 1
    config: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        """Return the server's base URL (also its public URL: the one Twilio signs)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """Return the file the server logs to."""
        return self.tmp / "server.log"

    def write_config(self) -> Path:
        """Write config.yml: test flows, a high throttle unless told otherwise, fast repairs."""
        config: dict[str, Any] = {
            "mode": "test", "database_url": self.database_url, "host": "127.0.0.1",
            "port": self.port, "public_base_url": self.url, "flows_dir": str(TEST_FLOWS),
            "default_flow": "demo", "data_dir": str(self.tmp / "data"),
            "throttle": {"messages_per_second": 1000, "burst": 1000, "max_wait_seconds": 10},
            "outbox": {"poll_seconds": 0.5, "reply_grace_seconds": 2, "lease_seconds": 8},
            "sms": {"region": "FR", "accents": "auto", "max_body_bytes": 65536},
            "audio": {"engine": "espeak", "fallback": "none"},
        }  # fmt: skip
        for name, value in self.config.items():
            if isinstance(value, dict) and isinstance(config.get(name), dict):
                config[name] = {**config[name], **value}
            else:
                config[name] = value
        path = self.tmp / "config.yml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path

    def environment(self) -> dict[str, str]:
        """Return the server's environment: the secrets an operator sets."""
        env = {**os.environ, "PORTE_VOIX_CONFIG": str(self.write_config()),
               "PORTE_VOIX_SECRET_KEY": SECRET, "PORTE_VOIX_MODE": "test",
               "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
               "TWILIO_FROM_NUMBER": FROM_NUMBER, "PYTHONPATH": str(ROOT), **self.env}  # fmt: skip
        for name in ("DATABASE_URL", "PORTE_VOIX_PUBLIC_URL", "PORTE_VOIX_PORT"):
            env.pop(name, None)
        return env

    def start(self, timeout: float = 120.0) -> None:
        """Start the server in its own process group and wait until /healthz answers."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port),
                   "--workers", str(self.workers)]  # fmt: skip
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(command, env=self.environment(), cwd=ROOT, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()  # leave nothing running behind a failed start
        raise RuntimeError(f"server did not answer in {timeout} s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL the server and its workers at once (no shutdown, no flush)."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM to its group), or kill it after 15 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def workers_running(self) -> int:
        """Return how many worker processes the server runs (its direct children)."""
        assert self.proc is not None
        pid = self.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return len(children)

    def tail(self, lines: int = 40) -> str:
        """Return the end of the server's log."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
