"""Agency database: 2022 addressees, obligations and submissions.

``models`` holds the SQLAlchemy tables, ``session.make_engine`` builds an engine
from settings (SQLite or PostgreSQL), ``repository.Repository`` is the only API
the bot and the CLI use; it returns frozen dataclasses, never ORM objects.
"""
from bot.db.session import make_engine  # noqa: F401
