"""bot.db.conversations: trackers stored before the per-channel namespaces are
renamed into them, on SQLite and PostgreSQL, in Rasa's own ``events`` table."""
from __future__ import annotations

import json
import time

import sqlalchemy as sa

from bot.db.conversations import namespace_legacy_conversations


def _rasa_events_table(engine) -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore.Base.metadata.create_all(engine)


def _store(engine, sender_id: str, *channels: str) -> None:
    """Rows as Rasa's SQLTrackerStore writes them: a session start, then one user message per channel."""
    from rasa.shared.core.events import ActionExecuted, UserUttered

    events = [ActionExecuted("action_session_start")]
    events += [UserUttered(f"tin nhắn {i}", input_channel=c) for i, c in enumerate(channels)]
    with engine.begin() as c:
        for event in events:
            data = event.as_dict()
            c.execute(sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, :ts, :d)"),
                      {"s": sender_id, "t": data["event"], "ts": time.time(), "d": json.dumps(data)})


def _senders(engine) -> set:
    with engine.connect() as c:
        return {r[0] for r in c.execute(sa.text("SELECT DISTINCT sender_id FROM events"))}


def test_legacy_conversations_move_into_their_channel_namespace(db_engine) -> None:
    _rasa_events_table(db_engine)
    _store(db_engine, "880000001", "telegram", "telegram")
    _store(db_engine, "7712345678901234567", "zalo")
    _store(db_engine, "u1", "rest")
    _store(db_engine, "0f3c9a7e5b", "socketio")
    _store(db_engine, "-1001880000004", "telegram")        # a group: one context per member now
    _store(db_engine, "880000009", "telegram", "rest")      # the mix-up itself: left alone
    _store(db_engine, "zalo:42", "zalo")                    # already namespaced

    result = namespace_legacy_conversations(db_engine)
    assert result.renamed == {"880000001": "telegram:880000001", "7712345678901234567": "zalo:7712345678901234567",
                              "u1": "rest:u1", "0f3c9a7e5b": "web:0f3c9a7e5b"}
    assert set(result.left) == {"-1001880000004", "880000009"}
    assert _senders(db_engine) == {"telegram:880000001", "zalo:7712345678901234567", "rest:u1", "web:0f3c9a7e5b",
                                   "-1001880000004", "880000009", "zalo:42"}
    with db_engine.connect() as c:
        moved = c.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = 'telegram:880000001'")).scalar()
    assert moved == 3  # every event of the conversation, not only the user messages
    # idempotent
    assert namespace_legacy_conversations(db_engine).renamed == {}


def test_renamed_conversation_is_what_rasa_reads_under_the_new_id(tmp_path) -> None:
    from bot.server.tracker_store import SQLiteTrackerStore

    db = tmp_path / "conversations.sqlite"
    store = SQLiteTrackerStore(None, db=str(db))
    _store(store.engine, "880000001", "telegram")
    namespace_legacy_conversations(store.engine)

    async def read():
        return await store.retrieve("telegram:880000001")

    import asyncio

    tracker = asyncio.run(read())
    assert tracker is not None and tracker.latest_message.text == "tin nhắn 0"


def test_database_without_conversations_is_left_alone(db_engine) -> None:
    assert namespace_legacy_conversations(db_engine).renamed == {}
