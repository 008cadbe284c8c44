"""A serving process imports only what serving needs: the heavy libraries wait for their page.

scikit-learn, scipy, reportlab, openpyxl and the sortition library weigh about 120 MB in a
worker; the dashboard's figures, exports and panels import them when one is asked for, and
the NLU reads its model's arrays without scikit-learn (bench/memory prints the RSS).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nlu.embedded import train_cached
from nlu.factory import default_cache_dir

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sklearn", "scipy", "reportlab", "openpyxl", "sortition_algorithms", "joblib", "pandas",
         "weasyprint")

PROBE = """
import json, sys
from starlette.testclient import TestClient
from bot.app import create_app

heavy = {heavy!r}
loaded = lambda: sorted(m for m in heavy if m in sys.modules)
seen = {{}}
with TestClient(create_app(freeze_gc=True)) as client:  # the lifespan warms the NLU model
    seen["health"] = client.get("/healthz").status_code
    seen["kiosk"] = client.get("/kiosk").status_code
    seen["answer"] = client.post("/kiosk", data={{"text": "bonjour"}}).status_code
    seen["served"] = loaded()
    seen["login"] = client.get("/facilitator/login").status_code
    seen["after_login_page"] = loaded()
    from dashboard import divides
    seen["p"] = divides.strength([[8, 1], [1, 8]])[0]
    seen["after_a_figure"] = loaded()
print(json.dumps(seen))
"""


def test_a_serving_process_never_imports_the_dashboards_heavy_libraries(tmp_path: Path) -> None:
    train_cached(default_cache_dir())  # the model and its arrays, as `porte-voix serve` makes them
    env = {**os.environ, "PORTE_VOIX_DATA_DIR": str(tmp_path), "PORTE_VOIX_MODE": "test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'lean.db'}", "PYTHONPATH": str(ROOT)}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["health"] == seen["kiosk"] == seen["login"] == 200
    assert seen["answer"] < 500
    assert seen["served"] == [], "a worker that served the kiosk imported these"
    assert seen["after_login_page"] == [], "the dashboard's login page imported these"
    # The libraries still come when a figure needs them: a 2 x 2 table gets Fisher's exact test.
    assert 0 < seen["p"] < 0.01
    assert "scipy" in seen["after_a_figure"]
