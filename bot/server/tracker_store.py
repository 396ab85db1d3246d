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
instead of failing at once). The scale-out configuration uses
:class:`FastSQLTrackerStore` on PostgreSQL (``deploy/endpoints.cluster.yml``).

The connections are kept in a pool (SQLAlchemy's ``QueuePool``): SQLAlchemy
1.4 gives a SQLite file a ``NullPool``, so every retrieve and save opened the
file, set the pragmas and closed it again -- and closing the last connection
checkpoints the WAL into the database, with an fsync. That was a third of the
Rasa server's CPU per message (issue 12); with the pool a message costs a few
milliseconds of SQL. Rasa 3.6's SQL tracker store runs its synchronous SQL on
the event loop, one session at a time.

Both stores (:class:`FastSQLTrackerStore`, which the scale-out configuration
uses on PostgreSQL, and :class:`SQLiteTrackerStore`) read and write the same
rows as Rasa's, with less work per message: Rasa counted the stored events of
the conversation again before every save (to know which events are new) and
went through the ORM's unit of work for each row; here the tracker remembers
how many of its events came from the store, and new rows go in as one
``INSERT`` (issue 12).
"""
from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

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


# Attribute a retrieved or saved tracker carries: how many of its events are stored already.
STORED = "_stored_events"

# The events of a conversation's latest session, as Rasa's SQLTrackerStore._event_query
# selects them (events from the latest SessionStarted's timestamp on; all of them if none).
_LATEST_SESSION = sa.text(
    "SELECT data FROM events WHERE sender_id = :sender AND ("
    " (SELECT max(timestamp) FROM events WHERE sender_id = :sender AND type_name = :started) IS NULL"
    " OR timestamp >= (SELECT max(timestamp) FROM events WHERE sender_id = :sender AND type_name = :started))"
    " ORDER BY id")


class FastSQLTrackerStore(SQLTrackerStore):
    """Rasa's ``SQLTrackerStore`` (same constructor, tables and rows) with a
    cheaper :meth:`retrieve` and :meth:`save`.

    ``retrieve(sender_id)`` returns the tracker of the conversation's latest
    session (``None`` if it has no events), marked with how many events it
    read; ``save(tracker)`` inserts only the events after that mark, in one
    statement, and moves the mark; :meth:`create_tracker` marks a new
    conversation's tracker with 0. A tracker without the mark (built
    elsewhere, or read across all sessions) is saved as Rasa does, after
    counting the stored events. Events are only ever appended to a tracker, and the lock
    store lets one message of a conversation be handled at a time, so the mark
    stays true. Raises what SQLAlchemy raises (``sqlalchemy.exc.OperationalError``
    when the database cannot be reached).
    """

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = session.execute(_LATEST_SESSION, {"sender": sender_id, "started": SessionStarted.type_name})
            events = [json.loads(data) for (data,) in rows]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED, len(events))
        return tracker

    async def create_tracker(self, sender_id: Text, append_action_listen: bool = True) -> DialogueStateTracker:
        """Rasa's ``create_tracker``, with the tracker marked as having nothing
        stored: Rasa calls it only for a conversation without stored events
        (``get_or_create_tracker`` and ``get_or_create_full_tracker``, after a
        retrieve returned ``None``)."""
        tracker = self.init_tracker(sender_id)
        setattr(tracker, STORED, 0)
        if append_action_listen:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        await self.save(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        stored = getattr(tracker, STORED, None)
        with self.session_scope() as session:
            if stored is None:
                stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            rows = [self._row(tracker.sender_id, event) for event in itertools.islice(tracker.events, stored, None)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()
        setattr(tracker, STORED, stored + len(rows))

    @staticmethod
    def _row(sender_id: Text, event: Any) -> Dict[Text, Any]:
        """The ``events`` row of ``event``, with the columns Rasa's ``save`` fills."""
        data = event.as_dict()
        return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)}


class SQLiteTrackerStore(FastSQLTrackerStore):
    """:class:`FastSQLTrackerStore` on the SQLite file ``db`` (default
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
