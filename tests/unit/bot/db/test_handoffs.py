"""Hand-offs in the database (bot.db.handoffs) on real SQLite and PostgreSQL:
one open hand-off per conversation, a retried update relayed once, threads
found by any of their group messages, closing once, idle expiry by an injected
clock, and an audit entry for each step."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.db import models as m
from bot.db.handoffs import DELIVERED, PENDING, STAFF, USER, HandoffStore


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at


def test_one_open_handoff_per_conversation_and_threads(migrated_engine) -> None:
    store = HandoffStore(migrated_engine)
    first = store.open("telegram:42", "telegram", "42", "-100900", "Tin nhắn gần đây: …")
    again = store.open("telegram:42", "telegram", "42", "-100900", "khác")
    assert again.id == first.id and again.summary == "Tin nhắn gần đây: …"
    assert store.unposted() == [first]
    assert store.set_group_message(first.id, 501) and not store.set_group_message(first.id, 502)
    assert store.by_group_message("-100900", 501).id == first.id
    assert store.by_group_message("-100901", 501) is None  # another group: not this thread
    relayed = store.add_message(first.id, USER, "Đơn vị tôi chưa nhận được công văn", "telegram:42:7")
    store.finish_message(relayed.id, DELIVERED, group_message_id=640)
    assert store.by_group_message("-100900", 640).id == first.id  # a reply to the relayed copy
    assert store.by_group_message("-100900", 999) is None
    assert store.add_message(first.id, USER, "Đơn vị tôi chưa nhận được công văn", "telegram:42:7") is None


def test_pending_staff_messages_close_once_and_audit(migrated_engine) -> None:
    store = HandoffStore(migrated_engine)
    handoff = store.open("rest:an", "rest", "an", "-100900", "tóm tắt")
    reply = store.add_message(handoff.id, STAFF, "Chào anh, tôi là cán bộ trực.", "telegram:-100900:88",
                              status=PENDING, group_message_id=88)
    assert [p.text for p in store.pending_for("rest:an")] == ["Chào anh, tôi là cán bộ trực."]
    store.finish_message(reply.id, DELIVERED)
    assert store.pending_for("rest:an") == []
    closed = store.close(handoff.id, "staff", "/xong")
    assert closed.status == "closed" and closed.closed_by == "staff"
    assert store.close(handoff.id, "user") is None  # the other side closing too: nothing more
    assert store.open_for("rest:an") is None and store.by_group_message("-100900", 88) is None
    with migrated_engine.connect() as c:
        actions = [a for a, in c.execute(select(m.AuditEntry.action).order_by(m.AuditEntry.id))]
    assert actions == ["handoff_open", "handoff_message", "handoff_close"]


def test_idle_expiry_uses_the_clock(migrated_engine) -> None:
    clock = Clock()
    store = HandoffStore(migrated_engine, now=clock)
    handoff = store.open("zalo:77", "zalo", "77", "-100900", "tóm tắt")
    clock.at += timedelta(hours=23)
    store.add_message(handoff.id, USER, "còn đó không ạ?", "zalo:m1")
    clock.at += timedelta(hours=23)
    assert store.idle(timedelta(hours=24)) == []  # the message moved the last activity
    clock.at += timedelta(hours=1, seconds=1)
    assert [h.id for h in store.idle(timedelta(hours=24))] == [handoff.id]
