"""Running Rasa from its own environment: where things live, model caching, the serve line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nlu import rasa_runtime
from nlu.training_data import TRAINING_DATA


def test_rasa_home_is_outside_the_clone_unless_overridden(tmp_path: Path) -> None:
    assert rasa_runtime.rasa_home({"HOME": "/home/ana"}) == Path("/home/ana/.cache/porte-voix")
    override = {"HOME": "/home/ana", "PORTE_VOIX_RASA_HOME": str(tmp_path)}
    assert rasa_runtime.rasa_home(override) == tmp_path


def test_model_name_follows_the_data_and_the_environment(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".porte-voix-stamp").write_text("aaaa")
    data = tmp_path / "nlu.yml"
    data.write_bytes(TRAINING_DATA.read_bytes())
    first = rasa_runtime.model_name(venv, data)
    assert rasa_runtime.model_name(venv, data) == first
    data.write_bytes(TRAINING_DATA.read_bytes() + b"    - une phrase de plus\n")
    assert rasa_runtime.model_name(venv, data) != first
    before = rasa_runtime.model_name(venv, data)
    (venv / ".porte-voix-stamp").write_text("bbbb")
    assert rasa_runtime.model_name(venv, data) != before, "a rebuilt venv retrains"


def test_a_cached_model_is_reused_without_running_rasa(tmp_path: Path) -> None:
    venv = tmp_path / "venv"  # holds no rasa: training would fail
    models = tmp_path / "models"
    models.mkdir()
    cached = models / f"{rasa_runtime.model_name(venv)}.tar.gz"
    cached.write_bytes(b"model")
    assert rasa_runtime.train_model(venv, models) == cached
    with pytest.raises((rasa_runtime.RasaRuntimeError, OSError)):
        rasa_runtime.train_model(venv, models, force=True)


def test_old_models_are_pruned(tmp_path: Path) -> None:
    for age in range(5):
        model = tmp_path / f"nlu-{age}.tar.gz"
        model.write_bytes(b"m")
        os.utime(model, (1000 + age, 1000 + age))
    rasa_runtime.prune_models(tmp_path, keep=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "nlu-2.tar.gz",
        "nlu-3.tar.gz",
        "nlu-4.tar.gz",
    ]


def test_serve_listens_on_loopback_only(tmp_path: Path) -> None:
    command = rasa_runtime.serve_command(tmp_path, tmp_path / "m.tar.gz", 5123)
    assert command[1:3] == ["run", "--enable-api"]
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "5123"
    env = rasa_runtime.rasa_environ(tmp_path)
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["RASA_CACHE_DIRECTORY"].startswith(str(tmp_path))
