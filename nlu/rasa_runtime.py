"""Run Rasa from its own Python 3.10 environment: create it, train a model, serve it.

Rasa never runs in Porte-voix's interpreter. `scripts/rasa-env.sh` creates its venv
outside the clone (`$PORTE_VOIX_RASA_HOME`, default `~/.cache/porte-voix`); models are
cached under `<home>/models` by a hash of the pipeline, the training data and the venv's
stamp, so a CI machine that keeps its home retrains only when one of them changes.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from pathlib import Path

from nlu.training_data import TRAINING_DATA, file_digest

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
ENV_SCRIPT = ROOT / "scripts" / "rasa-env.sh"
PROJECT = Path(__file__).resolve().parent / "rasa"
CONFIG = PROJECT / "config.yml"


class RasaRuntimeError(RuntimeError):
    """The Rasa environment could not be created, or Rasa failed."""


def rasa_home(env: dict[str, str] | None = None) -> Path:
    """Return the directory that holds the Rasa venv and its models."""
    env = dict(os.environ if env is None else env)
    default = Path(env.get("HOME", str(Path.home()))) / ".cache" / "porte-voix"
    return Path(env.get("PORTE_VOIX_RASA_HOME") or default)


def ensure_env() -> Path:
    """Create the Rasa venv unless a matching one exists; return its directory."""
    result = subprocess.run(["bash", str(ENV_SCRIPT)], stdout=subprocess.PIPE, text=True,
                            check=False)  # fmt: skip
    if result.returncode != 0:
        raise RasaRuntimeError(f"{ENV_SCRIPT.name} failed with exit code {result.returncode}")
    return Path(result.stdout.strip().splitlines()[-1])


def rasa_environ(home: Path) -> dict[str, str]:
    """Return the environment Rasa runs with: no telemetry, caches kept out of the clone."""
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
                "RASA_CACHE_DIRECTORY": str(home / "rasa-cache"), "RASA_MAX_CACHE_SIZE": "200",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})  # fmt: skip
    return env


def model_name(venv: Path, data_path: Path = TRAINING_DATA) -> str:
    """Return the model's file stem: a hash of the pipeline, the data and the venv stamp."""
    stamp = venv / ".porte-voix-stamp"
    extra = stamp.read_text() if stamp.exists() else "unstamped"
    return "nlu-" + file_digest(CONFIG, data_path, extra=extra)


def train_model(venv: Path, models_dir: Path, data_path: Path = TRAINING_DATA,
                force: bool = False) -> Path:  # fmt: skip
    """Train the Rasa NLU model unless the cached one matches; return the .tar.gz path."""
    name = model_name(venv, data_path)
    model = models_dir / f"{name}.tar.gz"
    if model.exists() and not force:
        return model
    models_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(venv / "bin" / "rasa"),
        "train",
        "nlu",
        "--config",
        str(CONFIG),
        "--nlu",
        str(data_path),
        "--out",
        str(models_dir),
        "--fixed-model-name",
        name,
    ]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=models_dir, env=rasa_environ(models_dir.parent),
                            check=False)  # fmt: skip
    if result.returncode != 0 or not model.exists():
        raise RasaRuntimeError(f"rasa train nlu failed with exit code {result.returncode}")
    log.info("Rasa NLU model trained in %.0fs: %s", time.perf_counter() - started, model)
    prune_models(models_dir)
    return model


def prune_models(models_dir: Path, keep: int = 3) -> None:
    """Delete all but the `keep` most recent cached models."""
    models = sorted(models_dir.glob("nlu-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[keep:]:
        old.unlink(missing_ok=True)


def serve_command(venv: Path, model: Path, port: int) -> list[str]:
    """Return the command that serves a model's HTTP API on 127.0.0.1."""
    return [str(venv / "bin" / "rasa"), "run", "--enable-api", "--model", str(model),
            "--interface", "127.0.0.1", "--port", str(port)]  # fmt: skip
