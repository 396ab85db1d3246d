"""Engine construction for SQLite (default) and PostgreSQL, and one deadline
for everything a worker thread does with the database (:func:`deadline`)."""
from __future__ import annotations

import math
import sqlite3
import time
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator, Optional, Tuple

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from bot.settings import load_settings

# (monotonic deadline in seconds, take SQLite's write lock at BEGIN) of the
# database work running in this thread; ``None``: no deadline (CLI, imports).
_DEADLINE: ContextVar[Optional[Tuple[float, bool]]] = ContextVar("db_deadline", default=None)


class DeadlineExceeded(TimeoutError):
    """The deadline of :func:`deadline` passed before a statement or the commit:
    the transaction is rolled back, nothing of it was written."""


@contextmanager
def deadline(seconds: float, *, immediate: bool = False, until: Optional[float] = None) -> Iterator[float]:
    """Bound every transaction run by this thread (or task) inside the block by one
    deadline, ``seconds`` from now (or the ``time.monotonic()`` value ``until``).

    On an engine from :func:`make_engine`, each statement may wait for locks only
    for the time left (SQLite ``PRAGMA busy_timeout``, PostgreSQL ``SET LOCAL
    statement_timeout``, both in milliseconds), and a statement or a commit
    that would start after the deadline raises :class:`DeadlineExceeded`
    instead, so the transaction is rolled back. A commit that starts in time
    does not wait for locks (SQLite in WAL mode, with the write lock taken at
    ``BEGIN IMMEDIATE`` when ``immediate``; PostgreSQL takes none): so once the
    block has raised, nothing of its transactions is written, and once it has
    returned, everything is. Yields the deadline (``time.monotonic()`` seconds).
    """
    end = until if until is not None else time.monotonic() + seconds
    token = _DEADLINE.set((end, immediate))
    try:
        yield end
    finally:
        _DEADLINE.reset(token)


def _time_left_ms() -> Optional[int]:
    """Milliseconds left before the current deadline (``None``: no deadline).

    Raises:
        DeadlineExceeded: it has passed.
    """
    current = _DEADLINE.get()
    if current is None:
        return None
    left = current[0] - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("the database deadline passed; the transaction is rolled back")
    return max(1, int(left * 1000))


def _bound_sqlite(engine: Engine, busy_ms: int) -> None:
    """SQLite: the busy timeout follows the deadline, ``BEGIN IMMEDIATE`` on request."""

    @event.listens_for(engine, "checkout")
    def _default_busy(dbapi_conn, _record, _proxy):  # a bounded call may have lowered it
        dbapi_conn.execute(f"PRAGMA busy_timeout = {busy_ms}")

    def busy_left(execute) -> None:  # the busy timeout is the time left, if a deadline is set
        left = _time_left_ms()
        if left is not None:
            execute(f"PRAGMA busy_timeout = {min(left, busy_ms)}")

    @event.listens_for(engine, "before_cursor_execute")
    def _busy_left(conn, cursor, statement, parameters, context, executemany):
        busy_left(cursor.execute)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        current = _DEADLINE.get()
        if current is not None and current[1]:
            # pysqlite would BEGIN (deferred) only at the first write; take the
            # write lock now, while the busy timeout is the time left
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "commit")
    def _commit(conn):
        busy_left(conn.connection.dbapi_connection.execute)


def _bound_postgresql(engine: Engine) -> None:
    """PostgreSQL: each statement may run (and wait for locks) only for the time left."""

    @event.listens_for(engine, "before_cursor_execute")
    def _statement_left(conn, cursor, statement, parameters, context, executemany):
        left = _time_left_ms()
        if left is not None:
            cursor.execute(f"SET LOCAL statement_timeout = {left}")

    @event.listens_for(engine, "commit")
    def _commit(conn):
        _time_left_ms()


def make_engine(url: Optional[str] = None, timeout_s: Optional[float] = None) -> Engine:
    """Create an engine for ``url`` (default ``settings.database_url``).

    * SQLite: creates the parent folder of the file, waits at most
      ``timeout_s`` for locks (``connect_args={"timeout": t}``), enables
      foreign keys and puts a database file in WAL mode (readers never hold up
      a writer's commit).
    * PostgreSQL: ``connect_timeout`` (whole seconds, at least 1) and a
      per-session ``statement_timeout`` of ``timeout_s`` (sent in milliseconds).
    * Both: inside :func:`deadline`, one deadline for the whole transaction.

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
        file_db = bool(db) and db != ":memory:" and not db.startswith("file:")
        if file_db:
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": timeout}, pool_pre_ping=True, future=True)

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if file_db:
                try:
                    cur.execute("PRAGMA journal_mode=WAL")  # persistent; a no-op once set
                except sqlite3.OperationalError:
                    pass  # another connection holds a lock: a later connection switches it
            cur.close()

        _bound_sqlite(engine, int(timeout * 1000))
        return engine
    if backend == "postgresql":
        connect_args = {
            "connect_timeout": max(1, int(math.ceil(timeout))),
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        }
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True, future=True)
        _bound_postgresql(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, future=True)
