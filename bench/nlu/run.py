"""Benchmark the NLU backends on the held-out file: accuracy, macro-F1, latency p50/p99.

    python bench/nlu/run.py [--rounds 3] [--no-rasa]

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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nlu import rasa_runtime  # noqa: E402
from nlu.embedded import EmbeddedClassifier  # noqa: E402
from nlu.evaluation import Report, evaluate  # noqa: E402
from nlu.prediction import Classifier  # noqa: E402
from nlu.rasa_client import RasaClassifier  # noqa: E402
from nlu.training_data import Example, load_examples  # noqa: E402

HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"


def run(classifier: Classifier, examples: list[Example], rounds: int) -> Report:
    """Warm a backend up, then evaluate it `rounds` times; quality from the first round."""
    classifier.classify("bonjour")
    report = evaluate(classifier, examples)
    for _ in range(rounds - 1):
        report.latencies += evaluate(classifier, examples).latencies
    return report


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
    examples = load_examples(HELDOUT)
    reports: list[Report] = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        embedded = EmbeddedClassifier(Path(tmp))
        embedded.load()
        print(f"embedded: trained in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        reports.append(run(embedded, examples, args.rounds))
        pidfile = Path(tmp) / "rasa.pid"
        url = os.environ.get("RASA_URL") or (None if args.no_rasa else start_rasa(pidfile))
        try:
            if url:
                reports.append(run(RasaClassifier(url, 10.0), examples, args.rounds))
        finally:
            if pidfile.exists():
                os.kill(int(pidfile.read_text()), signal.SIGTERM)
    print(f"{'backend':<10} {'accuracy':>8} {'macro_f1':>8} {'n':>4} {'p50_ms':>7} {'p99_ms':>7}")
    for r in reports:
        print(f"{r.backend:<10} {r.accuracy:>8.3f} {r.macro_f1:>8.3f} {r.n:>4} "
              f"{r.percentile_ms(50):>7.1f} {r.percentile_ms(99):>7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
