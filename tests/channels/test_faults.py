"""A platform misbehaving while the bot replies loses no turn
(bot.channels.outbox): Telegram answers 429 with a long retry_after, or 5xx
several times, to the reply; the turn's events are saved (read back through
Rasa's HTTP API), the reply is kept in ``undelivered_reply`` and delivered
after the wait."""
from __future__ import annotations

import itertools
import time
from typing import List

import pytest

from bot.db.session import make_engine
from bot.db.undelivered import UndeliveredStore
from tests.channels.conftest import ChannelAssistant
from tests.channels.test_telegram import message, post, private_chat
from tests.support.fakes import BAD_GATEWAY, too_many_requests

_chat_ids = itertools.count(770_000_001)
QUESTION = "Văn bản 797 có số hiệu là gì?"


def undelivered(assistant: ChannelAssistant, chat_id: int) -> List:
    engine = make_engine(assistant.extra["env"]["DATABASE_URL"])
    try:
        return UndeliveredStore(engine).rows(recipient=str(chat_id))
    finally:
        engine.dispose()


def wait_until_delivered(assistant: ChannelAssistant, chat_id: int, timeout_s: float) -> List:
    deadline = time.monotonic() + timeout_s
    while True:
        rows = undelivered(assistant, chat_id)
        if rows and all(r.status == "delivered" for r in rows):
            return rows
        assert time.monotonic() < deadline, rows
        time.sleep(0.5)


def saved_turn(assistant: ChannelAssistant, chat_id: int) -> List[str]:
    events = assistant.tracker(f"telegram:{chat_id}")["events"]
    assert [e.get("text") for e in events if e["event"] == "user"] == [QUESTION]
    return [e.get("text") or "" for e in events if e["event"] == "bot"]


@pytest.mark.parametrize("fault, retry_after", [
    pytest.param([too_many_requests(10)], 10, id="429-retry-after-10s"),
    pytest.param([BAD_GATEWAY] * 4, None, id="502-four-times"),
])
def test_a_platform_fault_mid_reply_loses_no_turn(channel_assistant: ChannelAssistant, fault, retry_after) -> None:
    a = channel_assistant
    chat = private_chat(next(_chat_ids))
    a.telegram.fail_next(chat["id"], *fault)
    started = time.monotonic()
    assert post(a, {"message": message(chat, text=QUESTION)}).status_code == 200
    assert time.monotonic() - started < 9  # the webhook is not held for Telegram's wait

    # the turn is saved: the user's message and the bot's reply
    replies = saved_turn(a, chat["id"])
    assert any("797/BTTTT-THH" in t for t in replies), replies
    rows = undelivered(a, chat["id"])
    assert rows and rows[0].status == "pending" and rows[0].call["method"] == "sendMessage", rows
    assert "797/BTTTT-THH" in rows[0].call["params"]["text"]
    assert ("429" in (rows[0].error or "") or "etry" in (rows[0].error or "")) if retry_after else rows[0].error

    # ... and delivered after the wait, in order, each once
    rows = wait_until_delivered(a, chat["id"], timeout_s=40)
    delivered = [c["params"]["text"] for c in a.telegram.snapshot()
                 if c["method"] == "sendMessage" and str(c["params"].get("chat_id")) == str(chat["id"])]
    assert delivered[-len(rows):] == [r.call["params"]["text"] for r in rows]
    if retry_after:
        assert time.monotonic() - started >= retry_after
