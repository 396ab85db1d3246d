"""Agency database: 2022 addressees, obligations and submissions.

``models`` holds the SQLAlchemy tables, ``session.make_engine`` builds an engine
from settings (SQLite or PostgreSQL), ``repository.Repository`` is the API for
agencies, obligations and submissions and ``accounts.AccountRepository`` for
linked chat accounts, link codes and the audit trail; both return frozen
dataclasses, never ORM objects.
"""
from bot.db.session import make_engine  # noqa: F401
