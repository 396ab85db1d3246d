"""Fixtures of the reminder tests: a migrated, seeded database (SQLite and
PostgreSQL), settings with a short interval, and fake Telegram/Zalo servers
reached through the repository's own credentials.yml (the environment)."""
from __future__ import annotations

import dataclasses

import pytest

from bot.db.migrate import upgrade
from bot.db.repository import Repository
from bot.db.seed import seed
from bot.settings import DATA_DIR, load_settings
from tests.support.fakes import (
    TELEGRAM_BOT_NAME,
    TELEGRAM_TOKEN,
    ZALO_ACCESS_TOKEN,
    ZALO_APP_ID,
    ZALO_APP_SECRET,
    ZALO_REFRESH_TOKEN,
    FakeTelegram,
    FakeZalo,
)
from tests.unit.bot.officials.reminders.cases import Q2, Q2_DUE

CHANNEL_VARS = ("TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN",
                "TELEGRAM_API_BASE", "ZALO_APP_ID", "ZALO_OA_SECRET_KEY", "ZALO_APP_SECRET", "ZALO_ACCESS_TOKEN",
                "ZALO_REFRESH_TOKEN", "ZALO_API_BASE", "ZALO_OAUTH_BASE", "ZALO_TOKEN_FILE")




# --------------------------------------------------------------------------- #
# Fixtures                                                                     #
# --------------------------------------------------------------------------- #
@pytest.fixture
def engine(db_engine):
    return db_engine


@pytest.fixture
def repo(engine):
    upgrade(engine)
    seed(engine, DATA_DIR, with_samples=False)
    r = Repository(engine)
    assert r.get_obligation_by_code(Q2).due_date == Q2_DUE, "data/obligations.yml changed: update Q2_DUE"
    return r


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.delenv("ASSISTANT_TODAY", raising=False)
    return dataclasses.replace(load_settings(), today="", reminder_days=(7, 1), reminder_catchup_days=2,
                               reminder_interval_s=0.05)


@pytest.fixture
def no_channels(monkeypatch):
    for var in CHANNEL_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def telegram(no_channels, monkeypatch):
    fake = FakeTelegram()
    fake.start()
    monkeypatch.setenv("TELEGRAM_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("TELEGRAM_BOT_NAME", TELEGRAM_BOT_NAME)
    monkeypatch.setenv("TELEGRAM_API_BASE", fake.url)
    yield fake
    fake.stop()


@pytest.fixture
def zalo(no_channels, monkeypatch, tmp_path):
    fake = FakeZalo()
    fake.start()
    for var, value in (("ZALO_APP_ID", ZALO_APP_ID), ("ZALO_OA_SECRET_KEY", "oa-secret-key-for-tests"),
                       ("ZALO_APP_SECRET", ZALO_APP_SECRET), ("ZALO_ACCESS_TOKEN", ZALO_ACCESS_TOKEN),
                       ("ZALO_REFRESH_TOKEN", ZALO_REFRESH_TOKEN), ("ZALO_API_BASE", fake.url),
                       ("ZALO_OAUTH_BASE", fake.url), ("ZALO_TOKEN_FILE", str(tmp_path / "zalo_tokens.json"))):
        monkeypatch.setenv(var, value)
    yield fake
    fake.stop()
