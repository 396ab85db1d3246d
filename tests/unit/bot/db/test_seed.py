"""Loading the data files (bot.db.seed) into real SQLite and PostgreSQL databases."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from bot.db.migrate import upgrade
from bot.db.repository import Repository
from bot.db.seed import seed
from bot.settings import DATA_DIR
from tests.support.db import counts, snapshot


@pytest.fixture
def engine(db_engine):
    return db_engine


def test_seed_idempotent(engine):
    upgrade(engine)
    first = seed(engine, DATA_DIR)
    assert first.changed and first.samples_added == 10
    before = (counts(engine), snapshot(engine))
    assert counts(engine) == (93, 38, 5, 10)
    upgrade(engine)
    second = seed(engine, DATA_DIR)
    assert not second.changed and second.samples_added == 0
    assert (counts(engine), snapshot(engine)) == before


def test_seed_without_samples(engine):
    upgrade(engine)
    assert seed(engine, DATA_DIR, with_samples=False).samples_added == 0
    assert counts(engine)[3] == 0


def test_seed_updates_changed_due_date(engine, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("nlu", "rules", "stories"))
    upgrade(engine)
    seed(engine, data)
    text = (data / "obligations.yml").read_text(encoding="utf-8").replace("2022-04-30", "2022-05-31")
    (data / "obligations.yml").write_text(text, encoding="utf-8")
    assert seed(engine, data).changed
    assert Repository(engine).get_obligation("plan", 2022).due_date == date(2022, 5, 31)
    assert counts(engine)[3] == 10  # submissions untouched
