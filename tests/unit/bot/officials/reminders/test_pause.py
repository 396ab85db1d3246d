"""Reminders for accounts a platform says cannot be reached (bot.officials.reminders,
bot.db.reminders): blocked, deleted or gone chats pause the account's reminders
(stored, shown to the operator) instead of failing at every stage, and they
resume when the account writes again; transient errors leave the reminder for
the next pass. Real SQLite and PostgreSQL, delivery over HTTP to the fake
Telegram and Zalo servers through the repository's own credentials.yml."""
from __future__ import annotations

import pytest

from bot.db.reminders import FAILED, RETRY, SENT, ReminderStore
from bot.officials.reminders.pause import resume_on_message
from bot.officials.reminders.scheduler import run_once
from bot.officials.reminders.senders import load_senders
from tests.support.fakes import BAD_GATEWAY, BLOCKED, CHAT_NOT_FOUND, free_port, too_many_requests, zalo_error
from tests.unit.bot.officials.reminders.cases import Q2_BEFORE_1, Q2_BEFORE_7, Q2_OVERDUE, day
from tests.unit.bot.officials.reminders.test_scheduler import claim_concurrently, link, rows, texts_to, url_of


@pytest.mark.parametrize("refusal, reason", [
    pytest.param(BLOCKED, "Telegram từ chối: BotBlocked: Forbidden: bot was blocked by the user", id="403-blocked"),
    pytest.param(CHAT_NOT_FOUND, "Telegram từ chối: ChatNotFound: Chat not found", id="400-chat-gone"),
])
def test_a_telegram_user_who_blocked_the_bot_is_paused_until_they_write_again(repo, engine, telegram, settings,
                                                                               refusal, reason):
    link(engine, "telegram", "1001")
    other = link(engine, "telegram", "1002")
    telegram.fail_next("1001", refusal)
    senders = load_senders()
    report = run_once(engine, day(-7), senders, settings)
    assert (report.sent, report.failed, report.paused) == (1, 1, 1)
    assert "Tạm dừng nhắc hạn cho 1 tài khoản" in report.to_text()
    store = ReminderStore(engine)
    (paused,) = store.paused()
    assert (paused.channel, paused.user_id, paused.agency_code, paused.reason) == ("telegram", "1001", "QUANGNINH",
                                                                                  reason)
    assert [s.account_id for s in store.subscribers()] == [other]

    # later stages: not tried at all while paused (one attempt in all, one failed row)
    for offset in range(-6, 0):
        run_once(engine, day(offset), senders, settings)
    assert len(telegram.sent_to("1001")) == 1
    assert [(r["stage"], r["status"]) for r in rows(engine) if r["account_link_id"] != other] == [("before_7", FAILED)]
    assert texts_to(telegram, "1002") == [Q2_BEFORE_7, Q2_BEFORE_1]

    # the user unblocks the bot and writes: the next stage goes out again
    assert store.resume("telegram", "1001") and not store.resume("telegram", "1001")
    assert store.paused() == []
    assert run_once(engine, day(1), senders, settings).sent == 2
    assert texts_to(telegram, "1001")[-1] == Q2_OVERDUE


def test_a_zalo_user_who_unfollowed_the_oa_is_paused_and_resumed_by_a_message(repo, engine, zalo, settings):
    account = link(engine, "zalo", "4001")
    zalo.fail_next("4001", zalo_error(-213, "User has not followed the OA"))
    senders = load_senders()
    report = run_once(engine, day(-7), senders, settings)
    assert (report.sent, report.failed, report.paused) == (0, 1, 1)
    (paused,) = ReminderStore(engine).paused()
    assert paused.account_id == account and paused.reason.startswith("Zalo từ chối (mã -213)")
    assert run_once(engine, day(-1), senders, settings).outcomes == ()
    import asyncio

    assert asyncio.run(resume_on_message("zalo", "4001", ReminderStore(engine)))
    assert run_once(engine, day(-1), senders, settings).sent == 1
    assert zalo.texts_to("4001")[-1] == Q2_BEFORE_1


@pytest.mark.parametrize("fault", [
    pytest.param([BAD_GATEWAY] * 4, id="502"),
    pytest.param([too_many_requests(30)], id="429-long-wait"),
])
def test_a_transient_error_leaves_the_reminder_for_the_next_pass(repo, engine, telegram, settings, fault):
    link(engine, "telegram", "1001")
    telegram.fail_next("1001", *fault)
    senders = load_senders()
    report = run_once(engine, day(-7), senders, settings)
    assert (report.sent, report.failed, report.retry, report.paused) == (0, 0, 1, 0)
    assert "lượt chạy sau sẽ gửi lại" in report.to_text()
    assert [(r["stage"], r["status"]) for r in rows(engine)] == [("before_7", RETRY)]
    assert ReminderStore(engine).paused() == []
    report = run_once(engine, day(-7), senders, settings)  # the next pass
    assert (report.sent, report.retry) == (1, 0)
    assert [(r["stage"], r["status"], r["error"]) for r in rows(engine)] == [("before_7", SENT, None)]
    assert texts_to(telegram, "1001")[-1] == Q2_BEFORE_7
    assert run_once(engine, day(-6), senders, settings).outcomes == ()  # and only once


def test_connection_refused_is_transient(repo, engine, telegram, settings, monkeypatch):
    link(engine, "telegram", "1001")
    monkeypatch.setenv("TELEGRAM_API_BASE", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    report = run_once(engine, day(-7), load_senders(), settings)
    assert (report.sent, report.failed, report.retry) == (0, 0, 1)
    monkeypatch.setenv("TELEGRAM_API_BASE", telegram.url)
    assert run_once(engine, day(-6), load_senders(), settings).sent == 1  # within the catch-up, on the next pass


def test_pause_and_resume_in_the_database(repo, engine):
    account = link(engine, "telegram", "1001")
    link(engine, "zalo", "1001")  # the same raw id on another channel stays untouched
    store = ReminderStore(engine)
    assert not store.resume("telegram", "1001")  # nothing paused: no change
    assert store.pause(account, "Telegram từ chối: blocked") and not store.pause(account, "again")
    assert [(p.account_id, p.reason) for p in store.paused()] == [(account, "Telegram từ chối: blocked")]
    assert [s.channel for s in store.subscribers()] == ["zalo"]
    assert not store.resume("zalo", "1001")
    assert store.resume("telegram", "1001")
    assert store.paused() == [] and len(store.subscribers()) == 2


def test_the_operator_sees_paused_accounts(repo, engine, telegram, settings, capsys, monkeypatch):
    link(engine, "telegram", "1001", agency_code="LAOCAI")
    telegram.fail_next("1001", BLOCKED)
    run_once(engine, day(-7), load_senders(), settings)
    monkeypatch.setenv("DATABASE_URL", url_of(engine))
    from bot.cli import main

    assert main(["reminders", "paused"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 tài khoản đang tạm dừng nhắc hạn")
    for part in ("telegram", "1001", "Tỉnh Lào Cai", "bot was blocked by the user"):
        assert part in out[3], part
    ReminderStore(engine).resume("telegram", "1001")
    assert main(["reminders", "paused"]) == 0
    assert capsys.readouterr().out.strip() == "Không có tài khoản nào bị tạm dừng nhắc hạn."


def test_concurrent_claims_of_a_reminder_to_retry_give_one_winner(repo, engine):
    account = link(engine, "telegram", "1001")
    store = ReminderStore(engine)
    obligation_id = store.obligation_ids()["BC-2022-Q2"]
    first = store.claim(account, obligation_id, "before_7", day(-7), "x")
    store.finish(first, "Telegram: Bad Gateway (lỗi tạm thời, đã thử 4 lần)", retry=True)
    results = claim_concurrently(engine, account, obligation_id, day(-6), "y")
    assert sorted(results, key=lambda r: r is None) == [first, None, None, None]
    assert [(r["status"], r["local_day"], r["text"]) for r in rows(engine)] == [("sending", day(-6), "y")]
