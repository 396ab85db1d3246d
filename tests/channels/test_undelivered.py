"""Undelivered replies and paused reminders on the real Rasa server, over HTTP
to the fake Telegram and Zalo servers (bot.channels.outbox,
bot.officials.reminders.pause):

- a reply that hit 429 or 5xx is kept in the database; the server is restarted
  before it goes out; the restarted server delivers it, exactly once, in order
  (and not before Telegram's ``retry_after``);
- an official whose reminders were paused (blocked the bot, chat gone) gets
  them back by writing to the bot, on Telegram and on Zalo.
"""
from __future__ import annotations

import itertools
import time
from datetime import datetime, timezone
from typing import Any, Callable, List

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import models as m
from bot.db.reminders import ReminderStore
from bot.db.session import make_engine
from bot.db.undelivered import UndeliveredStore
from tests.channels import test_telegram as tg
from tests.channels import test_zalo as zl
from tests.channels.conftest import ChannelAssistant
from tests.support.fakes import BAD_GATEWAY, too_many_requests, zalo_http_error

_chat_ids = itertools.count(780_000_001)
QUESTION = "Văn bản 797 có số hiệu là gì?"
RETRY_AFTER_S = 20


def engine_of(a: ChannelAssistant):
    return make_engine(a.extra["env"]["DATABASE_URL"])


def undelivered(a: ChannelAssistant, recipient: str) -> List:
    engine = engine_of(a)
    try:
        return UndeliveredStore(engine).rows(recipient=recipient)
    finally:
        engine.dispose()


def wait_for(what: Callable[[], Any], timeout_s: float, message: str = "") -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = what()
        if value:
            return value
        assert time.monotonic() < deadline, message or what
        time.sleep(0.5)


def restart(a: ChannelAssistant, while_down: Callable[[], None]) -> None:
    launcher = a.extra["launcher"]
    launcher.stop("rasa")
    while_down()
    launcher.start("rasa")
    launcher.wait_ready("rasa")


class Telegram:
    def __init__(self, a: ChannelAssistant) -> None:
        self.a, self.fake, self.id = a, a.telegram, next(_chat_ids)
        self.recipient = str(self.id)

    def ask(self) -> None:
        assert tg.post(self.a, {"message": tg.message(tg.private_chat(self.id), text=QUESTION)}).status_code == 200

    def texts(self) -> List[str]:
        return [p["text"] for p in self.fake.sent_to(self.id)]

    @staticmethod
    def text_of(row) -> str:
        return row.call["params"]["text"]


class Zalo:
    def __init__(self, a: ChannelAssistant) -> None:
        self.a, self.fake = a, a.zalo
        self.recipient = zl.new_user()

    def ask(self) -> None:
        assert zl.post(self.a, zl.text_event(self.recipient, QUESTION)).status_code == 200

    def texts(self) -> List[str]:
        return self.fake.texts_to(self.recipient)

    @staticmethod
    def text_of(row) -> str:
        return row.call["params"]["text"]


@pytest.mark.parametrize("channel, fault", [
    pytest.param(Telegram, [too_many_requests(RETRY_AFTER_S)], id="telegram-429-retry-after"),
    pytest.param(Telegram, [BAD_GATEWAY] * 500, id="telegram-502-until-the-restart"),
    pytest.param(Zalo, [zalo_http_error(503)] * 500, id="zalo-503-until-the-restart"),
])
def test_a_reply_kept_before_a_restart_is_delivered_once_after_it(channel_assistant: ChannelAssistant, channel,
                                                                   fault) -> None:
    a = channel_assistant
    user = channel(a)
    user.fake.fail_next(user.recipient, *fault)
    started = time.monotonic()
    user.ask()
    rows = wait_for(lambda: [r for r in undelivered(a, user.recipient) if r.status == "pending"], 60,
                    "the reply was not kept as pending")
    assert any("797/BTTTT-THH" in user.text_of(r) for r in rows), rows

    def platform_back() -> None:  # the platform recovers while the server is down
        assert all(r.status == "pending" for r in undelivered(a, user.recipient))  # nothing is lost by the stop
        with user.fake.lock:
            user.fake.failures.pop(user.recipient, None)

    before = len(user.texts())
    restart(a, platform_back)
    rows = wait_for(lambda: (lambda rs: rs if rs and all(r.status == "delivered" for r in rs) else None)(
        undelivered(a, user.recipient)), 90, "not delivered after the restart")
    time.sleep(2)  # anything sent twice would show now
    assert user.texts()[before:] == [user.text_of(r) for r in rows]  # each once, in order
    if fault[0][0] == 429:
        assert time.monotonic() - started >= RETRY_AFTER_S  # Telegram's wait was kept across the restart


def link_paused(a: ChannelAssistant, channel: str, user_id: str) -> int:
    engine = engine_of(a)
    try:
        with Session(engine) as s, s.begin():
            agency_id = s.scalars(select(m.Agency.id).where(m.Agency.code == "QUANGNINH")).one()
            row = m.AccountLink(channel=channel, user_id=user_id, agency_id=agency_id, subscribed=True,
                                linked_at=datetime.now(timezone.utc))
            s.add(row)
            s.flush()
            account = row.id
        assert ReminderStore(engine).pause(account, "Telegram từ chối: Forbidden: bot was blocked by the user")
        return account
    finally:
        engine.dispose()


def paused_ids(a: ChannelAssistant) -> List[int]:
    engine = engine_of(a)
    try:
        return [p.account_id for p in ReminderStore(engine).paused()]
    finally:
        engine.dispose()


def test_reminders_paused_for_a_telegram_official_resume_when_they_write(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = next(_chat_ids)
    account = link_paused(a, "telegram", str(chat))
    other = link_paused(a, "telegram", str(next(_chat_ids)))
    assert tg.post(a, {"message": tg.message(tg.private_chat(chat), text="xin chào")}).status_code == 200
    assert account not in paused_ids(a) and other in paused_ids(a)


def test_reminders_paused_for_a_zalo_official_resume_when_they_write(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    user = zl.new_user()
    account = link_paused(a, "zalo", user)
    assert zl.post(a, zl.text_event(user, "xin chào")).status_code == 200
    wait_for(lambda: account not in paused_ids(a), 30, "still paused")


