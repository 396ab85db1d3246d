"""Engine construction for SQLite (default) and PostgreSQL."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from bot.settings import load_settings


def make_engine(url: Optional[str] = None, timeout_s: Optional[float] = None) -> Engine:
    """Create an engine for ``url`` (default ``settings.database_url``).

    * SQLite: creates the parent folder of the file, waits at most
      ``timeout_s`` for locks (``connect_args={"timeout": t}``) and enables
      foreign keys.
    * PostgreSQL: ``connect_timeout`` (whole seconds, at least 1) and a
      per-session ``statement_timeout`` of ``timeout_s`` (sent in milliseconds).

    ``timeout_s`` defaults to ``settings.db_timeout_s``; ``pool_pre_ping`` is on.

    Raises:
        sqlalchemy.exc.ArgumentError: malformed URL.
        NoSuchModuleError: unsupported dialect.
    """
    settings = load_settings()
    url = url or settings.database_url
    timeout = float(timeout_s if timeout_s is not None else settings.db_timeout_s)
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": timeout}, pool_pre_ping=True, future=True)

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if backend == "postgresql":
        connect_args = {
            "connect_timeout": max(1, int(math.ceil(timeout))),
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        }
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True, future=True)
    return create_engine(url, pool_pre_ping=True, future=True)
