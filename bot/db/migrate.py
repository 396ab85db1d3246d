"""Schema migrations of the agency database, with Alembic.

The migrations live in ``bot/db/migrations/versions/``; :func:`upgrade`
brings a SQLite or PostgreSQL database to the newest one (``python -m bot
init-db`` calls it). A database made before migrations existed (by
``create_all``, which never alters a table) has no ``alembic_version`` table:
the first migration creates only the tables it lacks, so such a database is
upgraded in place with its rows intact.

To change the schema: edit :mod:`bot.db.models`, then
``.venv/bin/alembic revision --autogenerate -m "what changed"`` (``alembic.ini``
at the project root points here, on ``DATABASE_URL``), read and correct the
generated file, and run ``make test`` (a test checks that the migrations
produce exactly the models' schema on SQLite and PostgreSQL).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Optional[Connection] = None) -> Config:
    """Alembic's configuration for our migrations; with ``connection``, the
    migrations run on it (see ``migrations/env.py``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision id."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(engine: Engine) -> Optional[str]:
    """The revision the database is at, or ``None`` (never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest), in one transaction.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database refused a change (nothing is
            left half-done on PostgreSQL; SQLite commits DDL as it goes).
    """
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
