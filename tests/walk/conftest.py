"""What the walks share: one audio cache for the session (clips are named by text and voice)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def walk_audio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The audio cache every walk of the session renders into and plays from."""
    return tmp_path_factory.mktemp("walk-audio")
