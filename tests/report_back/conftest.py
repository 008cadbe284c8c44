"""The report-back tests reuse the dashboard's fixtures (live server) and the Telegram world's."""

from tests.channels.conftest import clip_cache, fake_telegram, telegram_setup, users  # noqa: F401
from tests.dashboard.conftest import app, flows_dir, live, services  # noqa: F401
