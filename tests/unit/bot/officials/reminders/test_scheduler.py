"""Deadline reminders (bot.officials.reminders.scheduler, bot.cli.reminders) on real SQLite and PostgreSQL
databases, with an injected clock and delivery through fake Telegram and Zalo servers
(tests/fakes.py) reached through the repository's own credentials.yml."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import select, update

from bot.db import models as m
from bot.db.migrate import upgrade
from bot.db.reminders import FAILED, SENDING, SENT, UNKNOWN, ReminderStore
from bot.db.seed import seed
from bot.db.session import make_engine
from bot.officials.reminders.last_pass import read_pass
from bot.officials.reminders.scheduler import run_forever, run_once
from bot.officials.reminders.senders import load_senders
from bot.settings import DATA_DIR, PROJECT_ROOT
from tests.support.fakes import (
    TELEGRAM_TOKEN,
    ZALO_ACCESS_TOKEN,
    ZALO_APP_SECRET,
    ZALO_REFRESH_TOKEN,
    FakeTelegram,
)
from tests.unit.bot.officials.reminders.cases import Q2, Q2_BEFORE_1, Q2_BEFORE_7, Q2_OVERDUE, day
from tests.unit.bot.officials.reminders.conftest import CHANNEL_VARS


def link(engine, channel: str, user_id: str, agency_code: str = "QUANGNINH", subscribed: bool = True,
         revoked: bool = False) -> int:
    """An account_link row made directly with the ORM (the linking flow is tested elsewhere)."""
    from sqlalchemy.orm import Session

    with Session(engine) as s, s.begin():
        agency_id = s.scalars(select(m.Agency.id).where(m.Agency.code == agency_code)).one()
        row = m.AccountLink(channel=channel, user_id=user_id, agency_id=agency_id, subscribed=subscribed,
                            revoked_at=datetime.now(timezone.utc) if revoked else None)
        s.add(row)
        s.flush()
        return row.id


def rows(engine) -> List[dict]:
    d = m.ReminderDelivery
    with engine.connect() as c:
        return [dict(r._mapping) for r in c.execute(
            select(d.account_link_id, m.Obligation.code.label("obligation"), d.stage, d.local_day, d.status, d.error,
                   d.text).join(m.Obligation, m.Obligation.id == d.obligation_id).order_by(d.id))]


def texts_to(fake: FakeTelegram, chat_id: str) -> List[str]:
    return [p["text"] for p in fake.sent_to(chat_id)]


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


















# --------------------------------------------------------------------------- #
# On a real database                                                           #
# --------------------------------------------------------------------------- #
def test_reminders_7_and_1_days_before_and_first_day_overdue(repo, engine, telegram, settings):
    link(engine, "telegram", "1001")
    senders = load_senders()
    sent_on = {}
    for offset in range(-12, 8):
        report = run_once(engine, day(offset), senders, settings)
        if report.sent:
            sent_on[offset] = report.sent
        assert report.failed == 0
    assert sent_on == {-7: 1, -1: 1, 1: 1}
    assert texts_to(telegram, "1001") == [Q2_BEFORE_7, Q2_BEFORE_1, Q2_OVERDUE]
    log = rows(engine)
    assert [(r["stage"], r["local_day"], r["status"], r["obligation"]) for r in log] == [
        ("before_7", day(-7), SENT, Q2), ("before_1", day(-1), SENT, Q2), ("overdue", day(1), SENT, Q2)]
    assert [r["text"] for r in log] == [Q2_BEFORE_7, Q2_BEFORE_1, Q2_OVERDUE]


def test_a_missed_reminder_is_sent_late_within_the_catch_up_only(repo, engine, telegram, settings):
    link(engine, "telegram", "1001")
    link(engine, "telegram", "1002", agency_code="HANOI")
    senders = load_senders()
    assert run_once(engine, day(-5), senders, settings).sent == 2  # scheduler down on day -7 and -6
    assert texts_to(telegram, "1001")[0].startswith(
        "Nhắc hạn: Báo cáo tình hình chuyển đổi số quý II năm 2022 của Tỉnh Quảng Ninh đến hạn ngày 15/06/2022 "
        "(còn 5 ngày).\n")
    assert run_once(engine, day(3), senders, settings).sent == 2  # before_1 missed for good, overdue 2 days late
    assert [r["stage"] for r in rows(engine)] == ["before_7", "before_7", "overdue", "overdue"]
    assert run_once(engine, day(4), senders, settings).sent == 0


def test_nothing_after_a_submission_is_recorded(repo, engine, telegram, settings):
    link(engine, "telegram", "1001")
    link(engine, "telegram", "1002", agency_code="HANOI")
    senders = load_senders()
    assert run_once(engine, day(-7), senders, settings).sent == 2
    repo.record_submission("QUANGNINH", Q2, day(-3), "88/BC-UBND")
    for offset in range(-6, 6):
        run_once(engine, day(offset), senders, settings)
    assert texts_to(telegram, "1001") == [Q2_BEFORE_7]
    assert len(texts_to(telegram, "1002")) == 3  # Hà Nội has not submitted


def test_nothing_twice_after_a_restart(repo, engine, telegram, settings):
    link(engine, "telegram", "1001")
    assert run_once(engine, day(-7), load_senders(), settings).sent == 1
    engine.dispose()
    for _ in range(2):  # "restart": a new engine, store and senders on the same database
        fresh = make_engine(url_of(engine), timeout_s=10)
        try:
            report = run_once(fresh, day(-7), load_senders(), settings, ReminderStore(fresh))
            assert (report.sent, report.failed) == (0, 0)
            assert run_once(fresh, day(-6), load_senders(), settings).sent == 0
        finally:
            fresh.dispose()
    assert texts_to(telegram, "1001") == [Q2_BEFORE_7]


def test_a_crash_while_sending_is_reported_unknown_and_never_resent(repo, engine, telegram, settings, capsys,
                                                                    monkeypatch):
    account = link(engine, "telegram", "1001")
    store = ReminderStore(engine)
    obligation_id = store.obligation_ids()[Q2]
    claimed = store.claim(account, obligation_id, "before_1", day(-1), Q2_BEFORE_1)
    assert claimed is not None  # ... and the process died before sending
    assert [r.status for r in store.deliveries()] == [SENDING]
    later = ReminderStore(engine, now=lambda: datetime.now(timezone.utc) + timedelta(minutes=11))
    assert [r.status for r in later.deliveries(UNKNOWN)] == [UNKNOWN]
    assert later.count_unknown() == 1
    for offset in (-1, 0):
        assert run_once(engine, day(offset), load_senders(), settings, later).outcomes == ()
    assert texts_to(telegram, "1001") == []
    # An old "sending" row is the operator's to check.
    with engine.begin() as c:
        c.execute(update(m.ReminderDelivery).values(
            claimed_at=datetime.now(timezone.utc) - timedelta(minutes=30)))
    monkeypatch.setenv("DATABASE_URL", url_of(engine))
    from bot.cli import main

    assert main(["reminders", "list", "--status", "unknown"]) == 0
    out = capsys.readouterr().out
    assert "không rõ" in out and "1001" in out and "trước hạn 1 ngày" in out and "không được gửi lại" in out


def test_two_schedulers_at_once_send_each_reminder_once(repo, engine, telegram, settings):
    chats = [str(2000 + i) for i in range(6)]
    for i, chat in enumerate(chats):
        link(engine, "telegram", chat, agency_code=("QUANGNINH", "HANOI", "BYT")[i % 3])
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def scheduler() -> None:
        eng = make_engine(url_of(engine), timeout_s=10)
        try:
            senders = load_senders()
            barrier.wait(10)
            reports.append(run_once(eng, day(-7), senders, settings, ReminderStore(eng)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r.sent for r in reports) == len(chats)
    assert sum(r.failed for r in reports) == 0
    for chat in chats:
        assert len(texts_to(telegram, chat)) == 1, chat
    assert len(rows(engine)) == len(chats)


def claim_concurrently(engine, account: int, obligation_id: int, local_day: date, text: str,
                       callers: int = 4) -> List[Optional[int]]:
    """``callers`` threads, each with its own engine on ``engine``'s database,
    claim the same reminder (stage ``before_7``) at once; their results."""
    barrier = threading.Barrier(callers)
    results: List[Optional[int]] = []

    def claim() -> None:
        eng = make_engine(url_of(engine), timeout_s=10)
        try:
            barrier.wait(10)
            results.append(ReminderStore(eng).claim(account, obligation_id, "before_7", local_day, text))
        finally:
            eng.dispose()

    threads = [threading.Thread(target=claim) for _ in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_claims_of_one_reminder_give_one_winner(repo, engine):
    account = link(engine, "telegram", "1001")
    obligation_id = ReminderStore(engine).obligation_ids()[Q2]
    results = claim_concurrently(engine, account, obligation_id, day(-7), "x")
    assert len(results) == 4 and sum(r is not None for r in results) == 1


def test_a_clock_moved_back_sends_nothing_new(repo, engine, telegram, settings):
    link(engine, "telegram", "1001")
    senders = load_senders()
    assert run_once(engine, day(-1), senders, settings).sent == 1  # first run ever: the day before
    for offset in (-7, -6, -5, -1, 0):  # the clock goes back a week, then forward again
        assert run_once(engine, day(offset), senders, settings).outcomes == ()
    assert run_once(engine, day(1), senders, settings).sent == 1
    assert run_once(engine, day(-7), senders, settings).outcomes == ()
    assert texts_to(telegram, "1001") == [Q2_BEFORE_1, Q2_OVERDUE]


def test_only_subscribed_linked_accounts_are_reminded(repo, engine, telegram, settings):
    link(engine, "telegram", "3001", agency_code="QUANGNINH", subscribed=False)
    link(engine, "telegram", "3002", agency_code="HANOI", subscribed=True, revoked=True)
    link(engine, "telegram", "3003", agency_code="BYT", subscribed=True)
    for offset in range(-8, 3):
        run_once(engine, day(offset), load_senders(), settings)
    sent = {str(c["params"]["chat_id"]) for c in telegram.snapshot() if c["method"] == "sendMessage"}
    assert sent == {"3003"}  # none for the unsubscribed, the revoked, nor the 90 agencies without a link
    assert len(texts_to(telegram, "3003")) == 3
    assert texts_to(telegram, "3003")[0].startswith(
        "Nhắc hạn: Báo cáo tình hình chuyển đổi số quý II năm 2022 của Bộ Y tế đến hạn ngày 15/06/2022")


def test_zalo_delivery_and_a_refusal_shown_to_the_operator(repo, engine, zalo, settings, capsys, monkeypatch):
    link(engine, "zalo", "4001")
    link(engine, "zalo", "4002", agency_code="LAOCAI")
    zalo.refuse("4002")  # has not written to the OA for more than 7 days
    senders = load_senders()
    report = run_once(engine, day(-7), senders, settings)
    assert (report.sent, report.failed) == (1, 1)
    assert zalo.texts_to("4001") == [Q2_BEFORE_7]
    assert len(zalo.texts_to("4002")) == 1  # tried once, refused by the platform
    (failed,) = [r for r in rows(engine) if r["status"] == FAILED]
    assert failed["error"] == ("Zalo từ chối (mã -230): User has not interacted with the OA in the past 7 days — "
                               "người dùng không nhắn tin cho OA trong 7 ngày qua, nên Zalo không cho OA gửi tin "
                               "tư vấn")
    assert failed["text"].startswith("Nhắc hạn: Báo cáo tình hình chuyển đổi số quý II năm 2022 của Tỉnh Lào Cai")
    # Never retried: the same stage is not sent again the next days.
    for offset in (-7, -6, -5):
        run_once(engine, day(offset), senders, settings)
    assert len(zalo.texts_to("4002")) == 1 and len(zalo.texts_to("4001")) == 1

    monkeypatch.setenv("DATABASE_URL", url_of(engine))
    from bot.cli import main

    assert main(["reminders", "list", "--status", "failed"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["Mã", "Lúc", "(giờ", "VN)", "Trạng", "thái", "Kênh", "Người", "nhận", "Cơ", "quan",
                                "Nghĩa", "vụ", "Mốc", "Lý", "do"]
    assert len(lines) == 3
    row = lines[2]
    for part in ("thất bại", "zalo", "4002", "Tỉnh Lào Cai", Q2, "trước hạn 7 ngày", "Zalo từ chối (mã -230)"):
        assert part in row, part
    assert "4001" not in out
    assert main(["reminders", "list", "--status", "sent"]) == 0
    out = capsys.readouterr().out
    assert "4001" in out and "đã gửi" in out and "4002" not in out
    for secret in (ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN, ZALO_APP_SECRET):
        assert secret not in out and all(secret not in (r["error"] or "") for r in rows(engine))


def test_a_channel_that_is_not_configured_leaves_the_reminder_waiting(repo, engine, settings, telegram):
    link(engine, "telegram", "5001")
    link(engine, "zalo", "5002", agency_code="HANOI")
    report = run_once(engine, day(-7), {}, settings)
    assert (report.sent, report.failed, report.waiting) == (0, 0, 2)
    assert rows(engine) == []  # nothing claimed: nothing lost
    text = report.to_text()
    assert "Chưa gửi 2 nhắc hạn vì kênh chưa được cấu hình" in text
    assert "Chờ: telegram 5001, QUANGNINH BC-2022-Q2 (trước hạn 7 ngày): kênh chưa cấu hình" in text
    # configured the next day: the reminder still goes out, once
    report = run_once(engine, day(-6), load_senders(), settings)  # TELEGRAM_* set by the fixture
    assert (report.sent, report.waiting) == (1, 1)
    assert "còn 6 ngày" in telegram.sent_to(5001)[0]["text"]
    assert [(r["status"], r["stage"]) for r in rows(engine)] == [(SENT, "before_7")]


def test_run_once_from_the_command_line(repo, engine, telegram, capsys, monkeypatch):
    link(engine, "telegram", "1001")
    monkeypatch.setenv("DATABASE_URL", url_of(engine))
    monkeypatch.delenv("ASSISTANT_TODAY", raising=False)
    from bot.cli import main

    assert main(["reminders", "run-once", "--today", day(-7).isoformat()]) == 0
    assert capsys.readouterr().out.strip() == (
        "Ngày 08/06/2022: 1 tài khoản đăng ký nhắc hạn; đã gửi 1, thất bại 0, bỏ qua 0 (đã được gửi trước đó).")
    assert texts_to(telegram, "1001") == [Q2_BEFORE_7]
    assert main(["reminders", "list", "--status", "failed"]) == 0
    assert capsys.readouterr().out.strip() == "Không có nhắc hạn nào gửi thất bại."


# --------------------------------------------------------------------------- #
# The scheduler loop                                                           #
# --------------------------------------------------------------------------- #
def local(d: date, hour: int) -> datetime:
    """``hour``:00 on local date ``d`` in Asia/Ho_Chi_Minh (UTC+7), as UTC."""
    return datetime(d.year, d.month, d.day, hour, tzinfo=timezone.utc) - timedelta(hours=7)


def run_loop(engine, settings, clock, seconds: float, senders_factory=load_senders, last_pass_file=None) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(engine, settings, senders_factory),
                              kwargs=dict(stop=stop, clock=clock, last_pass_file=last_pass_file))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join(30)
    assert not thread.is_alive()


def test_the_scheduler_sends_once_in_daytime_only(repo, engine, telegram, settings, tmp_path):
    link(engine, "telegram", "1001")
    last_pass_file = tmp_path / "var" / "reminder_scheduler.json"
    now = {"t": local(day(-7), 23)}  # 23:00 local: too late to write to anyone
    run_loop(engine, settings, lambda: now["t"], 0.5, last_pass_file=last_pass_file)
    assert texts_to(telegram, "1001") == []
    now["t"] = local(day(-6), 6) - timedelta(minutes=1)  # 05:59 the next day: still night
    run_loop(engine, settings, lambda: now["t"], 0.3, last_pass_file=last_pass_file)
    assert texts_to(telegram, "1001") == []
    assert read_pass(last_pass_file) is None  # no pass at night, so none recorded
    now["t"] = local(day(-6), 7)  # 07:00: the before_7 reminder, one day late, sent once over many passes
    run_loop(engine, settings, lambda: now["t"], 1.0, last_pass_file=last_pass_file)
    assert len(texts_to(telegram, "1001")) == 1
    assert texts_to(telegram, "1001")[0].splitlines()[0].endswith("(còn 6 ngày).")
    # every pass replaced the record: the last one, at the clock's time, had nothing left to send
    assert read_pass(last_pass_file) == {"passed_at": now["t"], "sent": 0, "failed": 0, "retry": 0, "skipped": 0,
                                         "waiting": 0, "paused": 0}


def test_the_scheduler_survives_database_errors(engine, telegram, settings, caplog):
    now = local(day(-7), 9)
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(engine, settings, load_senders),
                              kwargs=dict(stop=stop, clock=lambda: now))
    with caplog.at_level("INFO", logger="bot.officials.reminders"):
        thread.start()
        try:
            deadline = time.monotonic() + 20
            while "reminder pass failed" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.05)
            assert "reminder pass failed" in caplog.text  # no tables yet
            upgrade(engine)
            seed(engine, DATA_DIR, with_samples=False)
            link(engine, "telegram", "1001")
            telegram.wait_for_calls(lambda c: c["method"] == "sendMessage", timeout_s=20)
        finally:
            stop.set()
            thread.join(30)
    assert not thread.is_alive()
    assert texts_to(telegram, "1001") == [Q2_BEFORE_7]
    assert "Reminder scheduler stopped." in caplog.text
    assert TELEGRAM_TOKEN not in caplog.text


def test_the_scheduler_process_stops_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'proc.db'}"
    env = {k: v for k, v in os.environ.items() if k not in CHANNEL_VARS}
    env.update(DATABASE_URL=url, REMINDER_INTERVAL_S="0.2", PYTHONPATH=str(PROJECT_ROOT))
    python = sys.executable
    subprocess.run([python, "-m", "bot", "init-db", "--no-samples"], env=env, check=True, cwd=PROJECT_ROOT,
                   stdout=subprocess.DEVNULL)
    log = tmp_path / "scheduler.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([python, "-m", "bot", "scheduler"], env=env, cwd=PROJECT_ROOT,
                                stdout=fh, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "nothing to send" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        time.sleep(0.5)  # a few passes
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "no chat channel is configured (Telegram, Zalo), nothing to send" in text
    assert "Reminder scheduler stopped." in text
    assert "ERROR" not in text and "Traceback" not in text


def test_the_reminder_modules_do_not_load_rasa():
    """The connectors (and Rasa, about 650 MB) are imported only when a reminder is due."""
    code = ("import sys, bot.officials.reminders.scheduler, bot.cli.reminders; "
            "print('rasa' in sys.modules, 'bot.channels.telegram' in sys.modules or 'bot.channels.zalo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
