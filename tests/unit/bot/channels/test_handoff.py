"""The hand-off relay's own steps (bot.channels.handoff) on a real database and
the fake Telegram API: the background loop posts a thread the group has not
taken yet, and ends an idle hand-off by an injected clock, with a note to both
sides; the user's words that end a hand-off."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.channels.delivery import DeliveryPolicy
from bot.channels.handoff import Relay, wants_to_end
from bot.channels.telegram import TelegramOutput
from bot.db.handoffs import HandoffStore
from tests.support.fakes import TELEGRAM_TOKEN, telegram_answer

GROUP = "-1009000000001"


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def relay(fake_telegram, migrated_engine, sleeps, monkeypatch):
    monkeypatch.setenv("HANDOFF_TELEGRAM_CHAT_ID", GROUP)
    clock = Clock()
    store = HandoffStore(migrated_engine, now=clock)
    relay = Relay(store=lambda: store)
    policy = DeliveryPolicy(attempts=2, base_delay_s=0.5, max_delay_s=8, timeout_s=5, sleep=sleeps)
    relay.register("telegram", TelegramOutput(TELEGRAM_TOKEN, fake_telegram.url, policy=policy))
    return relay, store, clock


@pytest.mark.parametrize("words", ["kết thúc", "Kết thúc!", "ket thuc", "Quay lại trợ lý", "quay lai tro ly."])
def test_the_user_ends_with_these_words(words: str) -> None:
    assert wants_to_end(words)


@pytest.mark.parametrize("words", ["kết thúc hạn nộp là khi nào", "quay lại", "thúc"])
def test_other_words_do_not_end(words: str) -> None:
    assert not wants_to_end(words)


async def test_the_loop_posts_unposted_threads_and_ends_idle_handoffs(relay, fake_telegram) -> None:
    relay, store, clock = relay
    fake_telegram.fail_next(GROUP, telegram_answer(400, "Bad Request: chat not found"))
    handoff = store.open("telegram:42", "telegram", "42", GROUP, "Kênh: Telegram · Người dùng: 42")
    await relay.sweep_once()  # the group refused: the thread waits for the next pass
    assert store.get(handoff.id).group_message_id is None
    await relay.sweep_once()
    thread = store.get(handoff.id).group_message_id
    assert thread is not None
    assert fake_telegram.sent_to(int(GROUP))[-1]["text"].startswith(f"🙋 Yêu cầu gặp cán bộ #{handoff.id}")

    clock.at += timedelta(hours=23, minutes=59)
    await relay.sweep_once()
    assert store.get(handoff.id).status == "open"
    clock.at += timedelta(minutes=2)
    await relay.sweep_once()
    assert store.get(handoff.id).closed_by == "idle"
    assert "tự kết thúc vì không có tin nhắn mới trong 24 giờ" in fake_telegram.sent_to(42)[-1]["text"]
    note = fake_telegram.sent_to(int(GROUP))[-1]
    assert note["text"].startswith(f"⌛ #{handoff.id}") and str(note["reply_to_message_id"]) == str(thread)
    await relay.sweep_once()  # closed once: nothing more is sent
    assert len(fake_telegram.sent_to(42)) == 1
    await relay.outputs["telegram"]._session.close()


async def test_staff_button_closes(relay, fake_telegram) -> None:
    relay, store, clock = relay
    handoff = store.open("telegram:42", "telegram", "42", GROUP, "tóm tắt")
    await relay.sweep_once()
    query = {"id": "cb1", "from": {"id": 5, "is_bot": False}, "data": f"handoff:close:{handoff.id}",
             "message": {"message_id": store.get(handoff.id).group_message_id, "chat": {"id": int(GROUP)}}}
    await relay.staff_update({"callback_query": query})
    assert store.get(handoff.id).closed_by == "staff"
    await relay.outputs["telegram"]._session.close()
