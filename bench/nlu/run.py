"""Benchmark the NLU backends on both held-out files: accuracy, macro-F1, recall, latency.

    python bench/nlu/run.py [--rounds 3] [--no-rasa]

heldout.yml is scored on the backend's own label (every intent and theme, per classify);
heldout_realistic.yml end to end, as the bot reads a free-text answer: the rules, the
backend and config.yml's thresholds together, an empty theme scored as "none".

The embedded backend always runs. Rasa runs against $RASA_URL when set; otherwise, when
the Rasa environment exists (scripts/rasa-env.sh), the bench starts a server with
scripts/rasa-serve-for-tests.sh (training the model if needed) and stops it at the end.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.settings import load_settings  # noqa: E402
from nlu import rasa_runtime  # noqa: E402
from nlu.embedded import EmbeddedClassifier  # noqa: E402
from nlu.evaluation import THEME_LABELS, Report, evaluate, evaluate_themes  # noqa: E402
from nlu.factory import NluConfig  # noqa: E402
from nlu.interpreter import NluInterpreter  # noqa: E402
from nlu.prediction import Classifier  # noqa: E402
from nlu.rasa_client import RasaClassifier  # noqa: E402
from nlu.training_data import Example, load_examples  # noqa: E402

HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
REALISTIC = ROOT / "tests" / "nlu" / "heldout_realistic.yml"


def repeat(score: Callable[[], Report], rounds: int) -> Report:
    """Score `rounds` times; quality from the first round, latency from all of them."""
    report = score()
    for _ in range(rounds - 1):
        report.latencies += score().latencies
    return report


def run(classifier: Classifier, sets: dict[str, list[Example]], rounds: int) -> list[tuple[str, Report]]:
    """Warm a backend up, then score it on the plain set and end to end on the realistic one."""
    classifier.classify("bonjour")
    thresholds = load_settings({}, ROOT / "config.yml").typed(NluConfig).thresholds
    interpreter = NluInterpreter(classifier, thresholds)
    return [
        ("heldout", repeat(lambda: evaluate(classifier, sets["heldout"]), rounds)),
        ("realistic", repeat(lambda: evaluate_themes(interpreter, sets["realistic"],
                                                     classifier.name), rounds)),  # fmt: skip
    ]


def print_reports(reports: list[tuple[str, Report]]) -> None:
    """Print one line per backend and set, then each theme's recall per set."""
    print(f"{'set':<10} {'backend':<10} {'accuracy':>8} {'macro_f1':>8} {'n':>4} "
          f"{'p50_ms':>7} {'p99_ms':>7}")  # fmt: skip
    for name, r in reports:
        print(f"{name:<10} {r.backend:<10} {r.accuracy:>8.3f} {r.macro_f1:>8.3f} {r.n:>4} "
              f"{r.percentile_ms(50):>7.2f} {r.percentile_ms(99):>7.2f}")  # fmt: skip
    print(f"\n{'recall':<20} " + " ".join(f"{name[:4]}/{r.backend[:4]:<4}" for name, r in reports))
    for label in THEME_LABELS:
        recalls = [{s.label: s.recall for s in r.scores()}.get(label) for _, r in reports]
        print(f"{label:<20} " + " ".join("        -" if x is None else f"{x:>9.3f}" for x in recalls))


def start_rasa(pidfile: Path) -> str | None:
    """Start a Rasa server with the test script; return its URL, or None when impossible."""
    venv = rasa_runtime.rasa_home() / "rasa-3.6-py3.10"
    if not (venv / "bin" / "rasa").exists():
        print("rasa: skipped (no Rasa environment; run scripts/rasa-env.sh)", file=sys.stderr)
        return None
    env = dict(os.environ, PORTE_VOIX_PYTHON=sys.executable)
    started = time.perf_counter()
    result = subprocess.run(["bash", str(ROOT / "scripts" / "rasa-serve-for-tests.sh"),
                             str(pidfile)], stdout=subprocess.PIPE, text=True, env=env,
                            check=False)  # fmt: skip
    if result.returncode != 0:
        print("rasa: skipped (the server did not start)", file=sys.stderr)
        return None
    print(f"rasa: server ready in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return result.stdout.strip().splitlines()[-1]


def main() -> None:
    """Run the benchmark and print one line per backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-rasa", action="store_true")
    args = parser.parse_args()
    sets = {"heldout": load_examples(HELDOUT),
            "realistic": load_examples(REALISTIC, THEME_LABELS)}  # fmt: skip
    reports: list[tuple[str, Report]] = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        embedded = EmbeddedClassifier(Path(tmp))
        embedded.load()
        print(f"embedded: trained in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        reports += run(embedded, sets, args.rounds)
        pidfile = Path(tmp) / "rasa.pid"
        url = os.environ.get("RASA_URL") or (None if args.no_rasa else start_rasa(pidfile))
        try:
            if url:
                reports += run(RasaClassifier(url, 10.0), sets, args.rounds)
        finally:
            if pidfile.exists():
                os.kill(int(pidfile.read_text()), signal.SIGTERM)
    print_reports(reports)


if __name__ == "__main__":
    main()
