"""Conversations that survive a restart: Rasa's own ``SQLTrackerStore`` on its
own SQLite file, in WAL mode.

``endpoints.yml`` (what ``make run`` uses)::

    tracker_store:
      type: bot.server.tracker_store.SQLiteTrackerStore
      # db: var/conversations.sqlite   (default: CONVERSATIONS_DB, bot/settings.py)

It is Rasa's ``SQLTrackerStore`` with ``dialect: sqlite`` -- same tables, same
queries -- plus, on every connection the engine opens (a SQLAlchemy
``connect`` event, registered before the pool is used again):
``journal_mode=WAL`` (readers never wait for the writer, and a long write to
the application database, a different file, never stalls a conversation),
``synchronous=NORMAL`` (durable at each checkpoint; safe in WAL mode) and
``busy_timeout`` (a writer waits up to ``busy_timeout_ms`` for the lock
instead of failing at once). The scale-out configuration keeps Rasa's
``type: SQL`` on PostgreSQL (``deploy/endpoints.cluster.yml``).

The connections are kept in a pool (SQLAlchemy's ``QueuePool``): SQLAlchemy
1.4 gives a SQLite file a ``NullPool``, so every retrieve and save opened the
file, set the pragmas and closed it again -- and closing the last connection
checkpoints the WAL into the database, with an fsync. That was a third of the
Rasa server's CPU per message (issue 12); with the pool a message costs a few
milliseconds of SQL. Rasa 3.6's SQL tracker store runs its synchronous SQL on
the event loop, one session at a time.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from bot.settings import load_settings

logger = logging.getLogger(__name__)

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def use_wal(engine: sa.engine.Engine, busy_timeout_ms: int = 5000) -> str:
    """Makes every connection of the SQLite ``engine`` use WAL mode,
    ``synchronous=NORMAL`` and ``busy_timeout`` (a ``connect`` event); the
    connections pooled so far are dropped so that none is left without them.

    Output: the journal mode the database reports afterwards (``"wal"``).
    Raises ``sqlalchemy.exc.OperationalError`` when the file cannot be opened.
    """

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            for pragma in PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    sa.event.listen(engine, "connect", on_connect)
    engine.dispose()
    with engine.connect() as connection:
        return str(connection.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()


class SQLiteTrackerStore(SQLTrackerStore):
    """Rasa's ``SQLTrackerStore`` on the SQLite file ``db`` (default
    :attr:`bot.settings.Settings.conversations_db`, ``CONVERSATIONS_DB``), in
    WAL mode (:func:`use_wal`), its connections kept in a pool.

    Input (``endpoints.yml`` keys): ``db`` (a path; relative paths are relative
    to the working directory), ``busy_timeout_ms`` (default 5000); ``url`` and
    ``dialect`` are ignored (always SQLite). Raises what ``SQLTrackerStore``
    raises, and ``OSError`` when the folder cannot be created.
    """

    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None, db: Optional[Text] = None,
                 event_broker: Optional[EventBroker] = None, busy_timeout_ms: int = 5000, **kwargs: Any) -> None:
        kwargs.pop("dialect", None)
        path = Path(db) if db else load_settings().conversations_db
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(domain, dialect="sqlite", db=str(path), event_broker=event_broker, **kwargs)
        self.path = path
        # Rasa built a NullPool engine (a connection, and a WAL checkpoint, per query): keep connections instead.
        # A pooled connection may be handed to another thread later, never to two at once.
        self.engine.dispose()
        self.engine = sa.create_engine(self.engine.url, poolclass=sa.pool.QueuePool,
                                       connect_args={"check_same_thread": False})
        self.sessionmaker.configure(bind=self.engine)
        mode = use_wal(self.engine, busy_timeout_ms)
        logger.info("Conversations stored in %s (SQLite, journal mode %s)", path, mode)
