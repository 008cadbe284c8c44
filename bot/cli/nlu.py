"""`porte-voix nlu`: train, serve and evaluate the NLU backends."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.context import pass_settings
from bot.settings import Settings
from nlu import rasa_runtime
from nlu.training_data import TRAINING_DATA, TrainingDataError, load_examples

if TYPE_CHECKING:
    from nlu.prediction import Classifier

BACKEND = click.Choice(["embedded", "rasa"])


def _models_dir(value: str | None) -> Path:
    """Return where Rasa models are cached (outside the clone by default)."""
    return Path(value) if value else rasa_runtime.rasa_home() / "models"


def _rasa_model(models_dir: str | None, force: bool = False) -> tuple[Path, Path]:
    """Create the Rasa environment if needed and train (or reuse) the model."""
    try:
        venv = rasa_runtime.ensure_env()
        return venv, rasa_runtime.train_model(venv, _models_dir(models_dir), force=force)
    except rasa_runtime.RasaRuntimeError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("nlu")
def nlu() -> None:
    """Train, serve and evaluate the NLU backends."""


@nlu.command("train")
@click.option("--backend", type=BACKEND, default="embedded", show_default=True)
@click.option("--force", is_flag=True, help="Retrain even when a cached model matches.")
@click.option("--models-dir", help="Where Rasa models go (default: $PORTE_VOIX_RASA_HOME/models).")
def train(backend: str, force: bool, models_dir: str | None) -> None:
    """Train a backend on nlu/rasa/data/nlu.yml and print the model's path."""
    started = time.perf_counter()
    if backend == "embedded":
        from nlu.embedded import train_cached  # scikit-learn: 1.5 s to import, only here
        from nlu.factory import default_cache_dir

        try:
            path = train_cached(default_cache_dir(), TRAINING_DATA, force=force)
        except TrainingDataError as exc:
            raise click.ClickException(str(exc)) from exc
    else:
        path = _rasa_model(models_dir, force)[1]
    click.echo(f"trained backend={backend} in {time.perf_counter() - started:.1f}s", err=True)
    click.echo(str(path))


@nlu.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=5005, show_default=True)
@click.option("--models-dir", help="Where Rasa models go (default: $PORTE_VOIX_RASA_HOME/models).")
def serve(port: int, models_dir: str | None) -> None:
    """Run `rasa run --enable-api` on 127.0.0.1 with the trained model (trains if needed)."""
    venv, model = _rasa_model(models_dir)
    command = rasa_runtime.serve_command(venv, model, port)
    click.echo(f"serving {model.name} on http://127.0.0.1:{port}", err=True)
    sys.stdout.flush()
    os.execve(command[0], command, rasa_runtime.rasa_environ(model.parent.parent))


@nlu.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--backend", type=BACKEND, default="embedded", show_default=True)
@click.option("--rasa-url", default=None, help="Rasa server (default: config.yml nlu.rasa_url).")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds to wait for each Rasa answer.")  # fmt: skip
@pass_settings
def eval_(settings: Settings, file: Path, backend: str, rasa_url: str | None, timeout: float) -> None:
    """Print per-label precision and recall on FILE, then a one-line summary."""
    from nlu.embedded import EmbeddedClassifier
    from nlu.evaluation import evaluate
    from nlu.factory import NluConfig, default_cache_dir
    from nlu.rasa_client import RasaClassifier, RasaUnavailable

    try:
        examples = load_examples(file)
    except TrainingDataError as exc:
        raise click.ClickException(str(exc)) from exc
    classifier: Classifier
    if backend == "embedded":
        classifier = EmbeddedClassifier(default_cache_dir())
    else:
        classifier = RasaClassifier(rasa_url or settings.typed(NluConfig).rasa_url, timeout)
    try:
        report = evaluate(classifier, examples)
    except RasaUnavailable as exc:
        raise click.ClickException(f"Rasa did not answer: {exc}") from exc
    for line in report.table():
        click.echo(line)
    click.echo(report.summary())

