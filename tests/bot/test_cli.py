"""The porte-voix command, run as a real process."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from bot.channels.base import InboundMessage
from bot.container import build_services
from bot.settings import load_settings
from tests.bot.conftest import TEST_FLOWS
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str, stdin: str = "",
            config_extra: str = "") -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run `porte-voix ARGS` with a config whose flows are the test flows (plus `config_extra`)."""
    config = tmp_path / "config.yml"
    config.write_text(
        f"database_url: sqlite:///{tmp_path}/cli.db\nflows_dir: {TEST_FLOWS}\ndefault_flow: demo\n"
        + config_extra,
        encoding="utf-8",
    )
    env = {**os.environ, "PORTE_VOIX_CONFIG": str(config), "PORTE_VOIX_SECRET_KEY": TEST_SECRET,
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)  # fmt: skip


def test_db_upgrade_then_export_answers_as_csv_without_addresses(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    settings = load_settings({"PORTE_VOIX_CONFIG": str(tmp_path / "config.yml"),
                              "PORTE_VOIX_SECRET_KEY": TEST_SECRET})  # fmt: skip
    services = build_services(settings)
    for n, fields in enumerate([{"start_flow": "demo"}, {"choice": "standard"}, {"choice": "oui"},
                                {"choice": "mal"}]):  # fmt: skip
        services.service.handle(InboundMessage("sms", "+33612345678", f"m{n}", **fields))  # type: ignore[arg-type]
    out = tmp_path / "answers.csv"
    result = run_cli(tmp_path, "export", "answers", "--format", "csv", "--flow", "demo",
                     "--output", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    content = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 1
    assert (rows[0]["accord"], rows[0]["humeur"]) == ("oui", "mal")
    assert "+3361" not in content and "33612345678" not in content
    key = services.service.participant_key("sms", "+33612345678")
    assert key not in content


def test_chat_talks_through_a_flow(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "chat", "demo", stdin="2\noui\nbien\n1\n4\npasser\nPlus de bus\noui\n")
    assert result.returncode == 0, result.stderr
    assert "Comment voulez-vous lire ?" in result.stdout
    assert "Vous avez dit" in result.stdout
    assert "[run completed]" in result.stdout


def test_chat_refuses_an_unknown_flow(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "chat", "nope")
    assert result.returncode != 0 and "no flow 'nope'" in result.stderr


def test_a_wrong_config_stops_every_command_with_the_key_to_fix(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "purge", config_extra="privacy:\n  retention_days: soon\n")
    assert result.returncode == 1
    assert "privacy.retention_days" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_every_command_without_loading_models_or_exporters(tmp_path: Path) -> None:
    heavy = ["argon2", "dashboard", "openpyxl", "sklearn", "soundfile", "telegram"]
    probe = ("import sys; sys.argv = ['porte-voix', '--help']; from bot.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print('heavy:', sorted(set({heavy}) & set(sys.modules)))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for command in ("serve", "db", "chat", "audio", "export", "facilitator", "flows", "nlu", "purge",
                    "erase", "phone", "telegram"):  # fmt: skip
        assert f"\n  {command} " in done.stdout
    assert done.stdout.strip().endswith("heavy: []")
