"""Fixtures shared by the action tests."""
from __future__ import annotations

import pytest

from actions import services
from bot.db.migrate import upgrade
from bot.db.seed import seed
from bot.db.session import make_engine
from bot.settings import DATA_DIR


@pytest.fixture()
def database(tmp_path, monkeypatch):
    """A migrated SQLite database seeded with ``data/`` (sample submissions
    included), which the actions read through ``DATABASE_URL``; today is
    2022-05-10 (``ASSISTANT_TODAY``). Yields the database URL."""
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, DATA_DIR)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ASSISTANT_TODAY", "2022-05-10")
    monkeypatch.setattr(services, "_repository", None)
    yield url
    monkeypatch.setattr(services, "_repository", None)
