"""``python -m bot privacy purge|forget`` and ``python -m bot backup`` as
subprocesses on temporary SQLite files (the agency database and Rasa's
conversations, written by Rasa's own SQL tracker store)."""
from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from bot.db.migrate import head, upgrade
from bot.db.session import make_engine


@pytest.fixture
def conversations(tmp_path, monkeypatch):
    """``CONVERSATIONS_DB`` with one conversation, ``rest:u1``: a message 400
    days old and one of now."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.server.tracker_store import SQLiteTrackerStore

    path = tmp_path / "var" / "conversations.sqlite"
    monkeypatch.setenv("CONVERSATIONS_DB", str(path))
    monkeypatch.delenv("CONVERSATION_RETENTION_DAYS", raising=False)
    store = SQLiteTrackerStore(Domain.empty(), db=str(path))
    tracker = DialogueStateTracker("rest:u1", [])
    old = time.time() - 400 * 86400
    tracker.update(UserUttered("số CCCD của tôi 001234", timestamp=old))
    tracker.update(BotUttered("Xin lỗi", timestamp=old + 1))
    tracker.update(UserUttered("ai ban hành văn bản 797"))
    asyncio.run(store.save(tracker))
    store.engine.dispose()
    return path


def user_texts(path):
    with sqlite3.connect(path) as c:
        return [row[0] for row in c.execute(
            "SELECT json_extract(data, '$.text') FROM events WHERE type_name = 'user' ORDER BY id")]


def migrated(run):
    engine = make_engine(run.url)
    upgrade(engine)
    engine.dispose()


def test_purge_and_forget(conversations, run):
    migrated(run)
    result = run("privacy", "purge")
    assert result.returncode == 0, result.stderr
    assert "cũ hơn 180 ngày: 2 sự kiện hội thoại" in result.stdout
    assert user_texts(conversations) == [None, "ai ban hành văn bản 797"]

    assert run("privacy", "purge", "--days", "0").returncode == 1

    result = run("privacy", "forget", "rest:u1")
    assert result.returncode == 0, result.stderr
    assert "Đã xóa hội thoại rest:u1: 3 sự kiện" in result.stdout
    assert user_texts(conversations) == []
    audit = run("audit")
    assert "forget_conversation" in audit.stdout


def test_backup_copies_both_databases_while_they_are_open(conversations, run, tmp_path):
    migrated(run)
    held = sqlite3.connect(conversations)  # a server holding the file open
    held.execute("BEGIN")
    try:
        out = tmp_path / "backup"
        result = run("backup", "--out", str(out))
    finally:
        held.rollback()
        held.close()
    assert result.returncode == 0, result.stderr
    assert user_texts(out / "conversations.sqlite") == user_texts(conversations)
    with sqlite3.connect(out / "assistant.db") as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head()
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(out.glob("*.partial"))


def test_backup_of_postgresql_prints_pg_dump_without_the_password(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", "postgresql://staff:secret@127.0.0.1:5432/tro_ly_797")
    monkeypatch.setenv("CONVERSATIONS_DB", str(tmp_path / "none.sqlite"))
    assert main(["backup", "--out", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert f"pg_dump --format=custom --file={tmp_path / 'b' / 'assistant.dump'} " \
           "postgresql://staff@127.0.0.1:5432/tro_ly_797" in out
    assert "secret" not in out and "bỏ qua" in out


def test_backup_of_a_missing_database_fails_with_a_hint(run, tmp_path, monkeypatch):
    result = run("backup", "--out", str(tmp_path / "b"))
    assert result.returncode == 1 and "init-db" in result.stderr
