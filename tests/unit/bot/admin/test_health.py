"""bot.admin.health on real SQLite and PostgreSQL: the open hand-offs and the
reminder scheduler's last pass, as the "Hệ thống" view shows them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.admin import health
from bot.db import models as m
from bot.db.handoffs import NOTE, STAFF, USER, HandoffStore
from bot.officials.reminders.last_pass import record_pass

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)  # 08:30 in Hà Nội


def test_open_handoffs_masked_with_agency_times_and_relayed_count(migrated_engine) -> None:
    clock = {"now": T0}
    store = HandoffStore(migrated_engine, now=lambda: clock["now"])
    with migrated_engine.connect() as c:
        agency_id, agency_name = c.execute(select(m.Agency.id, m.Agency.name).where(m.Agency.code == "QUANGNINH")).one()
    linked = store.open("telegram:880000001", "telegram", "880000001", "-100", "tóm tắt", agency_id=agency_id)
    clock["now"] = T0 + timedelta(minutes=5)
    store.add_message(linked.id, USER, "cho tôi hỏi", "telegram:880000001:1")
    clock["now"] = T0 + timedelta(minutes=20)
    store.add_message(linked.id, STAFF, "chào anh", "telegram:-100:2")
    store.add_message(linked.id, NOTE, "cán bộ đã trả lời", "note:1")  # the assistant's note: not relayed
    closed = store.open("zalo:123456789", "zalo", "123456789", "-100", "")
    store.close(closed.id, "user")
    clock["now"] = T0 + timedelta(hours=1)
    web = store.open("web:abc", "web", "abc", "-100", "")

    assert health.open_handoffs(migrated_engine) == [
        {"id": linked.id, "channel": "telegram", "user": "88…01", "agency_code": "QUANGNINH", "agency": agency_name,
         "opened_at": "02/03/2026 08:30", "last_activity_at": "02/03/2026 08:50", "relayed": 2},
        {"id": web.id, "channel": "web", "user": "…c", "agency_code": "", "agency": "",
         "opened_at": "02/03/2026 09:30", "last_activity_at": "02/03/2026 09:30", "relayed": 0},
    ]


def test_the_health_view_shows_the_schedulers_last_pass_and_open_handoffs(migrated_engine, tmp_path) -> None:
    last_pass_file = tmp_path / "var" / "reminder_scheduler.json"
    view = health.health(migrated_engine, None, {}, "http://127.0.0.1:5005", last_pass_file)
    assert view["reminders"] == {"last_claimed": "", "by_status": {}, "last_pass": None}
    assert view["handoffs"] == [] and view["last_message"] == {}

    record_pass(last_pass_file, T0, {"sent": 2, "failed": 1})
    view = health.health(migrated_engine, None, {}, "http://127.0.0.1:5005", last_pass_file)
    assert view["reminders"]["last_pass"] == {"at": "02/03/2026 08:30", "sent": 2, "failed": 1, "retry": 0,
                                              "skipped": 0, "waiting": 0, "paused": 0}
    last_pass_file.write_text("{not json", encoding="utf-8")  # a damaged file reads as no pass, never a crash
    assert health.reminders(migrated_engine, last_pass_file)["last_pass"] is None
