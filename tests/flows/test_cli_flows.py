"""`porte-voix flows check`, through click's runner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOOD = """spec_version: 2
id: {id}
version: 1
steps:
  - id: accord
    kind: consent
    result: accord
    say: {{text: "D'accord ?", easy: "D'accord ?"}}
  - id: fin
    kind: end
    say: {{text: {end}, easy: {end}}}
"""


def write_flow(path: Path, flow_id: str = "petit", end: str = "Merci.") -> Path:
    """Write a small valid flow."""
    path.write_text(GOOD.format(id=flow_id, end=end), encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_check_without_files_checks_flows_dir_and_system_messages(runner: CliRunner) -> None:
    result = runner.invoke(main, ["flows", "check"])
    assert result.exit_code == 0, result.output
    assert "flows/definitions/egalite.yml  (egalite v4, 20 steps): 0 error(s)" in result.output
    assert "flows/definitions/evaluation.yml  (evaluation v3" in result.output
    assert "flows/system.yml  (system messages" in result.output
    assert "flows/definitions/deliberation.yml  (deliberation v3, 6 steps): 0 error(s)" in result.output
    assert "3 flow file(s) checked: 0 error(s)" in result.output
    assert "audio: 1 step(s) with a spoken script (priorite)" in result.output


def test_flows_dir_comes_from_the_settings(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "flows").mkdir()
    write_flow(tmp_path / "flows" / "a.yml", "meme")
    write_flow(tmp_path / "flows" / "b.yml", "meme")
    (tmp_path / "config.yml").write_text("flows_dir: flows\n", encoding="utf-8")
    result = runner.invoke(main, ["flows", "check"], env={"PORTE_VOIX_CONFIG": str(tmp_path / "config.yml")})
    assert result.exit_code == 1
    assert "b.yml: flow id 'meme' is also used by" in result.output


def test_loader_error_names_file_step_and_reason(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "casse.yml"
    broken.write_text(GOOD.format(id="casse", end="Merci.").replace("kind: end", "kind: fin"))
    result = runner.invoke(main, ["flows", "check", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}: step 'fin': unknown kind 'fin'" in result.output


def test_missing_file_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["flows", "check", str(tmp_path / "absent.yml")])
    assert result.exit_code == 1
    assert "absent.yml: cannot read" in result.output


def test_lint_error_fails_and_shows_words_and_sms(runner: CliRunner, tmp_path: Path) -> None:
    path = write_flow(tmp_path / "caf.yml", end="'Merci. Contactez la CAF.'")
    result = runner.invoke(main, ["flows", "check", str(path)])
    assert result.exit_code == 1
    assert "  step 'fin'\n    easy  [SMS GSM-7, 1 segment(s)]" in result.output
    assert "error   abbreviation: write the words out" in result.output
    assert ": CAF" in result.output
    assert "error   one_sentence_per_line" in result.output


def test_warnings_alone_exit_zero(runner: CliRunner, tmp_path: Path) -> None:
    path = write_flow(tmp_path / "neg.yml", end="'Vous ne perdez rien.'")
    result = runner.invoke(main, ["flows", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning negation" in result.output
    assert "0 error(s), 1 warning(s)" in result.output


def test_overridden_system_message_is_checked_with_its_flow(runner: CliRunner, tmp_path: Path) -> None:
    path = write_flow(tmp_path / "sys.yml")
    path.write_text(path.read_text() + "system:\n  paused: {text: Pause., easy: 'Pause & café'}\n")
    result = runner.invoke(main, ["flows", "check", "--json", str(path)])
    issues = json.loads(result.output)
    assert result.exit_code == 1
    assert [(i["step"], i["rule"], i["words"]) for i in issues] == [
        ("system.paused", "special_character", ["&"])
    ]


def test_json_lists_issues(runner: CliRunner, tmp_path: Path) -> None:
    path = write_flow(tmp_path / "caf.yml", end="Contactez la CAF.")
    result = runner.invoke(main, ["flows", "check", "--json", str(path)])
    issues = json.loads(result.output)
    assert issues == [
        {
            "source": issues[0]["source"],
            "step": "fin",
            "register": "easy",
            "rule": "abbreviation",
            "severity": "error",
            "message": "write the words out instead of abbreviations or capitals",
            "words": ["CAF"],
        }
    ]
    assert issues[0]["source"].endswith("caf.yml")


def test_runs_as_a_module() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PORTE_VOIX_CONFIG"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "flows", "check", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    issues = json.loads(done.stdout)
    assert issues and all(i["severity"] == "warning" for i in issues)
    assert {i["source"] for i in issues} <= {
        "flows/definitions/deliberation.yml",
        "flows/definitions/egalite.yml",
        "flows/definitions/evaluation.yml",
        "flows/system.yml",
    }
