"""The report-back tests reuse the dashboard's fixtures (services, app, live server)."""

from tests.dashboard.conftest import app, flows_dir, live, services  # noqa: F401
