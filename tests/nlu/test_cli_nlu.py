"""`porte-voix nlu train|eval` as an operator runs them."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from tests.live import free_port

from .conftest import HELDOUT

SUMMARY = re.compile(r"^backend=embedded accuracy=0\.\d{3} macro_f1=0\.\d{3} n=177$")


def test_eval_prints_per_label_scores_then_the_summary_line(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["nlu", "eval", str(HELDOUT)], env={"PORTE_VOIX_CACHE_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert lines[0].split() == ["label", "precision", "recall", "f1", "n"]
    assert any(line.startswith("taches_domestiques ") for line in lines)
    assert list(tmp_path.glob("embedded-*.joblib")), "the model is cached"


def test_train_embedded_prints_the_cached_model_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["nlu", "train"], env={"PORTE_VOIX_CACHE_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.exists() and path.parent == tmp_path


def test_eval_refuses_a_file_with_an_unknown_label(tmp_path: Path) -> None:
    bad = tmp_path / "eval.yml"
    bad.write_text('version: "3.1"\nnlu:\n- intent: meteo\n  examples: |\n    - il pleut\n')
    result = CliRunner().invoke(main, ["nlu", "eval", str(bad)])
    assert result.exit_code == 1
    assert "unknown label 'meteo'" in result.output


def test_eval_against_a_dead_rasa_says_so(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(main, ["nlu", "eval", str(HELDOUT), "--backend", "rasa", "--rasa-url", url])
    assert result.exit_code == 1
    assert "Rasa did not answer" in result.output
