"""Shared pytest fixtures. Each owner keeps to a clearly marked section."""
from __future__ import annotations

# ============================================================================ #
# Test stages: a test's folder decides its marker, and `make test` runs each   #
# marker in its own stage (see the Makefile).                                  #
#   tests/e2e -> model, tests/channels -> channels, tests/cluster -> cluster,  #
#   tests/bench -> bench; everything else is a unit test.                      #
# ============================================================================ #
from pathlib import Path as _Path

import pytest as _pytest

_STAGE_OF_FOLDER = {"e2e": "model", "channels": "channels", "cluster": "cluster", "bench": "bench"}
_TESTS = _Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        relative = _Path(str(item.fspath)).resolve().relative_to(_TESTS)
        marker = _STAGE_OF_FOLDER.get(relative.parts[0]) if len(relative.parts) > 1 else None
        if marker:
            item.add_marker(getattr(_pytest.mark, marker))


# ============================================================================ #
# Data layer (bot.agencies, bot.db) -- fixtures shared by test_agencies,      #
# test_repository and test_cli.                                               #
# ============================================================================ #
import os
import uuid

import pytest

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def agency_directory():
    """The AgencyDirectory built from data/ (built once: spaCy setup is slow)."""
    from bot.agencies import AgencyDirectory
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
# ============================================================================ #
# End of data layer section.                                                  #
# ============================================================================ #


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_engine(request, tmp_path):
    """An engine on an empty database, SQLite (a file under ``tmp_path``) or
    PostgreSQL (the session's throwaway database): every test that takes it runs
    on both. Tables are dropped before and after; the engine is disposed."""
    from bot.db import models as m
    from bot.db.session import make_engine

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db' / 'test.db'}"  # parent folder created by make_engine
    else:
        url = request.getfixturevalue("pg_database_url")
    engine = make_engine(url, timeout_s=10)
    m.Base.metadata.drop_all(engine)
    yield engine
    m.Base.metadata.drop_all(engine)
    engine.dispose()
