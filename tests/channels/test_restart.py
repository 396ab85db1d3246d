"""Conversations survive a restart of the Rasa server: the channel assistant
keeps them as ``make run`` does (Rasa's SQL tracker store on a SQLite file in
WAL mode, bot.server.tracker_store), so a form begun before the restart is
completed after it with the remembered context."""
from __future__ import annotations

import sqlite3

from tests.channels.conftest import ChannelAssistant
from tests.channels.test_conversations import rest


def test_a_form_in_progress_survives_a_restart(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    sender = "restart-form-1"
    asked = rest(a, sender, "đơn vị tôi đã nộp báo cáo quý 2 chưa?")
    assert "tên cơ quan" in asked, asked  # the agency form asks which agency

    db = a.extra["conversations_db"]
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = c.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                           (f"rest:{sender}",)).fetchone()[0]
    assert stored == 1

    launcher = a.extra["launcher"]
    launcher.stop("rasa")
    launcher.start("rasa")
    launcher.wait_ready("rasa")

    answer = rest(a, sender, "Bộ Y tế")
    assert answer.startswith("Bộ Y tế — báo cáo quý II/2022"), answer  # one item: the one asked about
    tracker = a.tracker(f"rest:{sender}")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["đơn vị tôi đã nộp báo cáo quý 2 chưa?", "Bộ Y tế"]
    assert tracker["active_loop"] == {} or not tracker["active_loop"].get("name")
