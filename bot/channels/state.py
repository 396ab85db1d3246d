"""The channels' short-lived state, shared across processes and restarts.

Three memories of the Telegram and Zalo connectors must outlive one Rasa
process: with several servers behind a load balancer, or after a restart, an
update may arrive at a process that did not see the earlier one.

==========================  ===========================  ====================================
namespace                   what                         lifetime (TTL)
==========================  ===========================  ====================================
``telegram-update``         update ids already handled   24 h (Telegram keeps an undelivered
                            (retried deliveries are      update at most 24 h)
                            answered once)
``telegram-button``         long button payloads by      ``TELEGRAM_BUTTON_TTL_DAYS`` (30):
                            their short ``#id``          a button stays in the chat history
``zalo-event``              Zalo event keys handled      twice ``max_event_age_s``: older
                                                         events are refused anyway
``zalo-choice``             the numbered list last sent  ``ZALO_CHOICE_TTL_MINUTES`` (30)
                            to a Zalo user
==========================  ===========================  ====================================

Where it lives (``CHANNEL_STATE_URL``, :func:`bot.settings.channel_state_settings`):

- ``redis://[:password@]host:port/db`` -- Redis (redis-py), the scale-out
  configuration's choice (``python -m bot cluster`` derives it from
  ``REDIS_*``): every server sees the same state, each key expires by itself
  (``SET ... EX``, ``SET NX`` for "first time?").
- any other SQLAlchemy URL -- one small table ``channel_state`` (created when
  missing, not part of the agency database's migrations: nothing in it
  outlives its TTL). The default, ``sqlite:///<project>/var/channel_state.sqlite``,
  is a file of its own in WAL mode, so the agency database's write lock never
  delays a webhook. Expired rows are ignored when read and purged now and then.

If the store cannot be reached the connectors go on as if it were empty
(:class:`Forgiving`): a retried update may then be answered twice and an old
button or number is answered "expired" -- never a crash, never a lost
message. Times are Unix seconds (``time.time()``): the store is shared
between processes, so a wall clock is needed.

Calls are synchronous and short (one key each): Redis on the local network
or a local SQLite file in WAL mode answer within about a millisecond.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Dict, Optional, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

logger = logging.getLogger(__name__)

# Namespaces (see the module docstring).
TELEGRAM_UPDATES = "telegram-update"
TELEGRAM_BUTTONS = "telegram-button"
ZALO_EVENTS = "zalo-event"
ZALO_CHOICES = "zalo-choice"

TELEGRAM_UPDATE_TTL_S = 24 * 3600.0
KEY_MAX_CHARS = 200
PURGE_EVERY = 200  # SQL: purge expired rows once every so many writes


class ChannelState(Protocol):
    """A key-value store with a TTL per key; keys live in namespaces.

    ``namespace`` and ``key`` are short strings (a key longer than
    :data:`KEY_MAX_CHARS` is hashed by the caller); ``ttl_s`` is in seconds.
    Every method may raise the backend's errors (``redis.RedisError``,
    ``sqlalchemy.exc.SQLAlchemyError``); :class:`Forgiving` turns them into
    "empty store" answers.
    """

    def first_time(self, namespace: str, key: str, ttl_s: float) -> bool:
        """Records ``key``; ``True`` unless it was recorded and has not expired."""

    def put(self, namespace: str, key: str, value: str, ttl_s: float) -> None:
        """Stores ``value`` under ``key`` for ``ttl_s`` seconds, replacing any value."""

    def get(self, namespace: str, key: str) -> Optional[str]:
        """The value under ``key``, or ``None`` when missing or expired."""

    def pop(self, namespace: str, key: str) -> Optional[str]:
        """The value under ``key`` (``None`` when missing or expired), removed;
        of two concurrent callers only one gets it."""


class RedisState:
    """:class:`ChannelState` on Redis: one key ``<prefix><namespace>:<key>`` per
    entry, expiring by itself.

    Input: a ``redis://`` URL (``rediss://`` for TLS, ``unix://`` for a socket)
    as redis-py's ``Redis.from_url`` reads it, and ``prefix`` to keep these
    keys apart from Rasa's lock store. Connecting is lazy; a call waits at most
    ``socket_timeout_s`` for Redis.
    """

    def __init__(self, url: str, prefix: str = "troly797:channel-state:", socket_timeout_s: float = 2.0) -> None:
        import redis

        self.prefix = prefix
        self.red = redis.Redis.from_url(url, socket_timeout=socket_timeout_s,
                                        socket_connect_timeout=socket_timeout_s, decode_responses=True)

    def _key(self, namespace: str, key: str) -> str:
        return f"{self.prefix}{namespace}:{key}"

    def first_time(self, namespace: str, key: str, ttl_s: float) -> bool:
        return bool(self.red.set(self._key(namespace, key), "1", nx=True, px=_ms(ttl_s)))

    def put(self, namespace: str, key: str, value: str, ttl_s: float) -> None:
        self.red.set(self._key(namespace, key), value, px=_ms(ttl_s))

    def get(self, namespace: str, key: str) -> Optional[str]:
        return self.red.get(self._key(namespace, key))

    def pop(self, namespace: str, key: str) -> Optional[str]:
        with self.red.pipeline(transaction=True) as pipe:  # MULTI: GET and DEL as one step
            value, _ = pipe.get(self._key(namespace, key)).delete(self._key(namespace, key)).execute()
        return value


metadata = sa.MetaData()
table = sa.Table(
    "channel_state", metadata,
    sa.Column("namespace", sa.String(40), primary_key=True),
    sa.Column("key", sa.String(KEY_MAX_CHARS), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),  # Unix seconds
)


class SQLState:
    """:class:`ChannelState` on one SQL table ``channel_state`` (namespace, key,
    value, expires_at), created when missing.

    Input: a SQLAlchemy URL. A SQLite file gets WAL mode and a short busy
    timeout (``busy_timeout_ms``) on every connection, so that a webhook never
    waits long for another process's write.
    """

    def __init__(self, url: str, busy_timeout_ms: int = 2000) -> None:
        options: Dict[str, object] = {"pool_pre_ping": True}
        if sa.engine.make_url(url).get_backend_name() == "sqlite":
            # keep connections open (SQLAlchemy 1.4 reopens a SQLite file for every use: ~10 ms with the pragmas)
            options = {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}
        self.engine = sa.create_engine(url, future=True, **options)
        if self.engine.dialect.name == "sqlite":
            database = self.engine.url.database
            if database and database != ":memory:":
                from pathlib import Path

                Path(database).parent.mkdir(parents=True, exist_ok=True)
            from bot.server.tracker_store import use_wal

            use_wal(self.engine, busy_timeout_ms)
        metadata.create_all(self.engine)
        self._writes = 0

    def _after_write(self, connection: sa.engine.Connection, now: float) -> None:
        self._writes += 1
        if self._writes % PURGE_EVERY == 0:
            connection.execute(table.delete().where(table.c.expires_at <= now))

    def first_time(self, namespace: str, key: str, ttl_s: float) -> bool:
        now = time.time()
        try:
            with self.engine.begin() as c:
                c.execute(table.delete().where(table.c.namespace == namespace, table.c.key == key,
                                               table.c.expires_at <= now))
                c.execute(table.insert().values(namespace=namespace, key=key, value="1", expires_at=now + ttl_s))
                self._after_write(c, now)
        except IntegrityError:  # recorded (and alive) already, maybe by another process just now
            return False
        return True

    def put(self, namespace: str, key: str, value: str, ttl_s: float) -> None:
        now = time.time()
        with self.engine.begin() as c:
            c.execute(table.delete().where(table.c.namespace == namespace, table.c.key == key))
            c.execute(table.insert().values(namespace=namespace, key=key, value=value, expires_at=now + ttl_s))
            self._after_write(c, now)

    def get(self, namespace: str, key: str) -> Optional[str]:
        with self.engine.connect() as c:
            return c.execute(sa.select(table.c.value).where(table.c.namespace == namespace, table.c.key == key,
                                                            table.c.expires_at > time.time())).scalar()

    def pop(self, namespace: str, key: str) -> Optional[str]:
        now = time.time()
        where = (table.c.namespace == namespace, table.c.key == key)
        with self.engine.begin() as c:
            # a write first, so that SQLite takes the write lock before reading (no stale snapshot)
            c.execute(table.delete().where(*where, table.c.expires_at <= now))
            value = c.execute(sa.select(table.c.value).where(*where)).scalar()
            removed = c.execute(table.delete().where(*where)).rowcount
        return value if removed else None  # the other caller deleted it first


class Forgiving:
    """Wraps a :class:`ChannelState` so that a failing store behaves as an
    empty one: ``first_time`` answers ``True``, ``get``/``pop`` ``None``,
    ``put`` does nothing. Each failure is logged as a warning (the URL's
    password is never logged: only the error's type is)."""

    def __init__(self, inner: ChannelState, name: str) -> None:
        self.inner = inner
        self.name = name

    def _failed(self, what: str, error: Exception) -> None:
        logger.warning("channel state (%s): %s failed (%s); going on without it", self.name, what,
                       type(error).__name__)

    def first_time(self, namespace: str, key: str, ttl_s: float) -> bool:
        try:
            return self.inner.first_time(namespace, key, ttl_s)
        except Exception as error:  # noqa: BLE001 - any backend error: behave as empty
            self._failed("first_time", error)
            return True

    def put(self, namespace: str, key: str, value: str, ttl_s: float) -> None:
        try:
            self.inner.put(namespace, key, value, ttl_s)
        except Exception as error:  # noqa: BLE001
            self._failed("put", error)

    def get(self, namespace: str, key: str) -> Optional[str]:
        try:
            return self.inner.get(namespace, key)
        except Exception as error:  # noqa: BLE001
            self._failed("get", error)
            return None

    def pop(self, namespace: str, key: str) -> Optional[str]:
        try:
            return self.inner.pop(namespace, key)
        except Exception as error:  # noqa: BLE001
            self._failed("pop", error)
            return None


def open_state(url: str) -> ChannelState:
    """The store for ``url`` (``redis://``, ``rediss://``, ``unix://``: Redis;
    anything else: a SQLAlchemy URL), wrapped in :class:`Forgiving`.

    Raises ``ValueError`` (from SQLAlchemy) for a URL that is neither; a store
    that cannot be created (e.g. a read-only folder) is logged and replaced by
    an always-empty one.
    """
    scheme = url.split("://", 1)[0].lower()
    name = "redis" if scheme in ("redis", "rediss", "unix") else scheme
    try:
        inner: ChannelState = RedisState(url) if name == "redis" else SQLState(url)
    except sa.exc.ArgumentError as error:
        raise ValueError(f"CHANNEL_STATE_URL is neither a Redis nor a SQLAlchemy URL ({error})") from error
    except Exception as error:  # noqa: BLE001 - start anyway, without shared state
        logger.warning("channel state (%s): not available (%s); going on without it", name, type(error).__name__)
        inner = _Empty()
    return Forgiving(inner, name)


class _Empty:
    """A store that remembers nothing (used when the configured one cannot be opened)."""

    def first_time(self, namespace: str, key: str, ttl_s: float) -> bool:
        return True

    def put(self, namespace: str, key: str, value: str, ttl_s: float) -> None:
        return None

    def get(self, namespace: str, key: str) -> Optional[str]:
        return None

    def pop(self, namespace: str, key: str) -> Optional[str]:
        return None


_OPEN: Dict[str, ChannelState] = {}
_OPEN_LOCK = threading.Lock()


def channel_state() -> ChannelState:
    """The process's store for ``CHANNEL_STATE_URL`` (opened once per URL)."""
    from bot.settings import channel_state_settings

    url = channel_state_settings().url
    with _OPEN_LOCK:
        if url not in _OPEN:
            _OPEN[url] = open_state(url)
        return _OPEN[url]


class SeenOnce:
    """"Was this delivery seen before?" for a webhook, in a :class:`ChannelState`.

    ``add(key)`` returns ``True`` the first time ``key`` is seen within
    ``ttl_s`` seconds (by any process sharing the store) and ``False`` for a
    repeat. ``state``
    may be a callable returning the store, so that it is opened on first use.
    """

    def __init__(self, state: "ChannelState | None", namespace: str, ttl_s: float) -> None:
        self._state = state
        self.namespace = namespace
        self.ttl_s = ttl_s

    @property
    def state(self) -> ChannelState:
        if self._state is None:
            self._state = channel_state()
        return self._state

    def add(self, key: object) -> bool:
        return self.state.first_time(self.namespace, str(key)[:KEY_MAX_CHARS], self.ttl_s)


def _ms(seconds: float) -> int:
    return max(1, int(round(seconds * 1000)))
