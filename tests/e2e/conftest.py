"""Browser tests reuse the dashboard's fixtures (services, app, live server) and Chromium."""

from tests.dashboard.conftest import app, flows_dir, live, services  # noqa: F401
from tests.e2e.browser import browser  # noqa: F401
