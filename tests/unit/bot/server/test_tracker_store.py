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
