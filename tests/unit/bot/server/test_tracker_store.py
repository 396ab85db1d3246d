"""bot.server.tracker_store: Rasa's SQLTrackerStore on a real SQLite file in
WAL mode; a second store on the same file (a restarted server) reads what the
first saved."""
from __future__ import annotations

import sqlite3

from bot.server.tracker_store import SQLiteTrackerStore


async def test_saved_conversation_is_read_back_by_a_new_store_in_wal_mode(tmp_path) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("version: '3.1'\nslots:\n  agency:\n    type: text\n    mappings: []\n")
    db = tmp_path / "sub" / "conversations.sqlite"
    first = SQLiteTrackerStore(domain, db=str(db), dialect="postgresql")  # dialect is ignored
    tracker = DialogueStateTracker("telegram:42", domain.slots)
    tracker.update(UserUttered("hạn nộp báo cáo quý 2"))
    tracker.update(SlotSet("agency", "Bộ Y tế"))
    await first.save(tracker)
    first.engine.dispose()

    again = SQLiteTrackerStore(domain, db=str(db))
    restored = await again.retrieve("telegram:42")
    assert restored is not None and restored.get_slot("agency") == "Bộ Y tế"
    assert restored.latest_message.text == "hạn nộp báo cáo quý 2"
    with again.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_file_comes_from_the_settings(tmp_path, monkeypatch) -> None:
    db = tmp_path / "var" / "c.sqlite"
    monkeypatch.setenv("CONVERSATIONS_DB", str(db))
    store = SQLiteTrackerStore(None)
    assert store.path == db and db.exists()


async def test_messages_reuse_the_pooled_connection(tmp_path) -> None:
    """SQLAlchemy 1.4's default for a SQLite file (NullPool) opened, set up and
    closed -- checkpointing the WAL -- a connection per query."""
    import sqlalchemy as sa
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLiteTrackerStore(Domain.empty(), db=str(tmp_path / "c.sqlite"))
    opened = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    for n in range(5):
        tracker = await store.retrieve(f"rest:{n}") or DialogueStateTracker(f"rest:{n}", [])
        tracker.update(UserUttered(f"câu hỏi {n}"))
        await store.save(tracker)
        assert (await store.retrieve(f"rest:{n}")).latest_message.text == f"câu hỏi {n}"
    assert opened == []  # the connection use_wal opened served every query


def _domain():
    from rasa.shared.core.domain import Domain

    return Domain.from_yaml("version: '3.1'\nslots:\n  agency:\n    type: text\n    mappings: []\n")


async def test_each_event_is_stored_once_over_several_saves_and_sessions(tmp_path) -> None:
    """The rows after a conversation of two sessions are exactly its events, in
    order, each once -- as Rasa's own store writes them."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = _domain()
    ours = SQLiteTrackerStore(domain, db=str(tmp_path / "ours.sqlite"))
    rasas = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "rasa.sqlite"))
    turns = [[ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
             [UserUttered("hạn nộp báo cáo quý 2"), SlotSet("agency", "Bộ Y tế"), ActionExecuted("action_listen")],
             [UserUttered("còn quý 3")],
             [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered("xin chào")]]
    for store in (ours, rasas):
        tracker = DialogueStateTracker("rest:1", domain.slots)
        for n, events in enumerate(turns):
            if n:
                tracker = await store.retrieve("rest:1")
            for event in events:
                tracker.update(event)
            await store.save(tracker)
            if store is ours:
                # A second save of the same tracker adds nothing. (Rasa's own store would
                # store its events again: its count skips the action_session_start row,
                # which is older than the SessionStarted its query starts from.)
                await store.save(tracker)
    with ours.engine.connect() as a, rasas.engine.connect() as b:
        query = "SELECT sender_id, type_name, intent_name, action_name, data FROM events ORDER BY id"
        assert a.exec_driver_sql(query).fetchall() == b.exec_driver_sql(query).fetchall()
        assert a.exec_driver_sql("SELECT count(*) FROM events").scalar() == sum(map(len, turns))
    latest = await ours.retrieve("rest:1")
    # from the latest SessionStarted on, as Rasa reads it (action_session_start is older)
    assert [e.type_name for e in latest.events] == ["session_started", "action", "user"]
    assert latest.get_slot("agency") is None  # a new session starts with empty slots
    full = await ours.retrieve_full_tracker("rest:1")
    assert len(full.events) == sum(map(len, turns))


async def test_a_tracker_the_store_did_not_read_is_saved_after_counting(tmp_path) -> None:
    """A tracker built elsewhere (here: read across all sessions) carries no mark;
    its events already stored are not stored again."""
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLiteTrackerStore(_domain(), db=str(tmp_path / "c.sqlite"))
    tracker = DialogueStateTracker("rest:2", [])
    tracker.update(UserUttered("một"))
    await store.save(tracker)
    copy = DialogueStateTracker.from_dict("rest:2", [e.as_dict() for e in tracker.events], [])
    copy.update(UserUttered("hai"))
    await store.save(copy)
    restored = await store.retrieve("rest:2")
    assert [e.text for e in restored.events] == ["một", "hai"]


async def test_the_fast_store_on_postgresql(tmp_path) -> None:
    """The scale-out configuration's store (deploy/endpoints.cluster.yml) on the
    machine's PostgreSQL, in a database of its own."""
    import uuid

    import pytest
    import sqlalchemy as sa
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.server.tracker_store import FastSQLTrackerStore

    name = f"test_fast_store_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine("postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    store = FastSQLTrackerStore(_domain(), dialect="postgresql", host="127.0.0.1", port=5432, db=name,
                                username="postgres", login_db="postgres")
    try:
        tracker = DialogueStateTracker("zalo:7", _domain().slots)
        tracker.update(UserUttered("Bộ Y tế đã nộp chưa"))
        tracker.update(SlotSet("agency", "Bộ Y tế"))
        await store.save(tracker)
        again = await store.retrieve("zalo:7")
        again.update(UserUttered("còn quý 4"))
        await store.save(again)
        assert [e.type_name for e in (await store.retrieve("zalo:7")).events] == ["user", "slot", "user"]
    finally:
        store.engine.dispose()
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')


async def test_a_conversation_is_stored_without_counting_its_events(tmp_path) -> None:
    """A new conversation and its next messages are saved without Rasa's count
    of stored events (it cost a query per message)."""
    import sqlalchemy as sa
    from rasa.shared.core.events import UserUttered

    store = SQLiteTrackerStore(_domain(), db=str(tmp_path / "c.sqlite"))
    statements = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    tracker = await store.get_or_create_tracker("rest:3")
    for text in ("một", "hai", "ba"):
        tracker.update(UserUttered(text))
        await store.save(tracker)
        tracker = await store.get_or_create_tracker("rest:3")
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["một", "hai", "ba"]
    assert [e.type_name for e in tracker.events][0] == "action"  # the created tracker's action_listen, once
    assert len(tracker.events) == 4
    assert not [s for s in statements if "count(" in s.lower()]
