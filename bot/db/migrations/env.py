"""Alembic environment: runs on the connection :mod:`bot.db.migrate` passes,
or, from the ``alembic`` command line, on ``DATABASE_URL`` (:mod:`bot.settings`)."""
from __future__ import annotations

from alembic import context

from bot.db.models import Base

target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from bot.db.session import make_engine

    engine = make_engine(timeout_s=60)
    try:
        with engine.begin() as conn:
            run(conn)
    finally:
        engine.dispose()
