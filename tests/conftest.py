"""Fixtures shared by every test folder: databases and the addressee directory.

Each test folder is one stage of ``make test`` (``tests/unit``, ``tests/e2e``,
``tests/channels``, ``tests/cluster``, ``tests/bench``; see the Makefile);
nothing depends on the order in which files or tests run.

Databases are real: every test that takes :func:`db_engine` runs on a SQLite
file and on a throwaway PostgreSQL database (required under ``CI=true``,
skipped elsewhere when PostgreSQL is not running).
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import MetaData

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def agency_directory():
    """The AgencyDirectory built from data/ (built once: spaCy setup is slow)."""
    from bot.domain.agencies import AgencyDirectory
    from bot.settings import DATA_DIR

    return AgencyDirectory.from_files(DATA_DIR)


@pytest.fixture(scope="session")
def pg_database_url():
    """URL of a throwaway PostgreSQL database, created for this test session and
    dropped afterwards. Skips when the server is unreachable, unless CI is set
    (then the test fails: CI must exercise PostgreSQL)."""
    import psycopg2

    try:
        admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        msg = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {str(exc).strip()}"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(msg + " (CI is set: PostgreSQL is required)")
        pytest.skip(msg)
    admin.autocommit = True
    name = f"test_797_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def drop_everything(engine) -> None:
    """Drop every table of the database (ours, Alembic's version table, anything else)."""
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_engine(request, tmp_path):
    """An engine on an empty database, SQLite (a file under ``tmp_path``) or
    PostgreSQL (the session's throwaway database): every test that takes it runs
    on both. Tables are dropped before and after; the engine is disposed."""
    from bot.db.session import make_engine

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db' / 'test.db'}"  # parent folder created by make_engine
    else:
        url = request.getfixturevalue("pg_database_url")
    engine = make_engine(url, timeout_s=10)
    drop_everything(engine)
    yield engine
    drop_everything(engine)
    engine.dispose()


def _migrated(engine, with_samples: bool):
    from bot.db.migrate import upgrade
    from bot.db.seed import seed
    from bot.settings import DATA_DIR

    upgrade(engine)
    seed(engine, DATA_DIR, with_samples=with_samples)
    return engine


@pytest.fixture
def migrated_engine(db_engine):
    """:func:`db_engine` brought to the newest migration and seeded with the
    shipped data files, without the sample submissions."""
    return _migrated(db_engine, with_samples=False)


@pytest.fixture
def seeded_engine(db_engine):
    """:func:`db_engine` brought to the newest migration and seeded with the
    shipped data files, the sample submissions included."""
    return _migrated(db_engine, with_samples=True)


@pytest.fixture
def repo(seeded_engine):
    """A :class:`bot.db.repository.Repository` on :func:`seeded_engine`."""
    from bot.db.repository import Repository

    return Repository(seeded_engine)


@pytest.fixture
def fake_telegram():
    """A fake Telegram Bot API on loopback (:class:`tests.support.fakes.FakeTelegram`), recording every call."""
    from tests.support.fakes import FakeTelegram

    fake = FakeTelegram()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_zalo():
    """A fake Zalo OA API on loopback (:class:`tests.support.fakes.FakeZalo`), recording every call."""
    from tests.support.fakes import FakeZalo

    fake = FakeZalo()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def sleeps():
    """A ``sleep`` for the delivery policy that records the waits and returns at once."""
    from tests.support.fakes import Sleeps

    return Sleeps()
