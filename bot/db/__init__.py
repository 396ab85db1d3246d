"""The agency database: everything that is stored, and the only SQL of the project.

- :mod:`bot.db.models` -- the tables (SQLAlchemy 1.4 declarative models).
- :mod:`bot.db.migrate` and ``migrations/`` -- Alembic migrations; ``python -m bot init-db`` upgrades.
- :mod:`bot.db.session` -- engines for SQLite (default) and PostgreSQL.
- :mod:`bot.db.seed` -- the operator's data files loaded into the tables.
- :mod:`bot.db.views` -- the frozen dataclasses every query returns, and the lookup errors.
- :mod:`bot.db.repository` -- agencies, obligations, submissions.
- :mod:`bot.db.accounts` -- linked chat accounts, link codes, lock-out, the audit trail.
- :mod:`bot.db.reminders` -- subscribers and the reminders' delivery log.
- :mod:`bot.db.feedback` -- users' ratings of the answers (the console reads them).
- :mod:`bot.db.privacy` -- raw texts purged after the retention, one person's conversations forgotten.
- :mod:`bot.db.backup` -- SQLite online backups, the ``pg_dump`` command for PostgreSQL.
"""
