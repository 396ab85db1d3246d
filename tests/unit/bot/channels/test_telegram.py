"""The Telegram connector (bot.channels.telegram): every button fits Telegram's
64-byte callback_data and maps back to its payload; replies and setWebhook go
through the delivery policy, checked over HTTP against a fake Bot API."""
from __future__ import annotations

import dataclasses
import logging
from typing import Any, List, Tuple

import pytest
import yaml

from actions.lookups import agency_buttons
from bot.channels.common import compact_payload
from bot.channels.delivery import SETUP_POLICY, DeliveryFailed, DeliveryPolicy
from bot.channels.state import SQLState
from bot.channels.telegram import (
    CALLBACK_DATA_MAX_BYTES,
    TelegramInput,
    TelegramOutput,
    callback_data_for,
    payload_from_callback,
)
from bot.domain.agencies import load_agencies
from bot.settings import PROJECT_ROOT
from tests.support.fakes import (
    BAD_GATEWAY,
    BLOCKED,
    CHAT_NOT_FOUND,
    TELEGRAM_BOT_NAME,
    TELEGRAM_TOKEN,
    Sleeps,
    free_port,
    too_many_requests,
)


def all_buttons() -> List[Tuple[str, str]]:
    """(title, payload) of every button in domain.yml and every agency button the actions build."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    buttons = [(b["title"], b["payload"]) for variants in domain["responses"].values()
               for variant in variants for b in variant.get("buttons") or []]
    buttons += [(b["title"], b["payload"]) for b in agency_buttons(load_agencies(PROJECT_ROOT / "data" / "agencies.yml"))]
    return buttons


def test_every_button_fits_64_bytes_and_round_trips() -> None:
    buttons = all_buttons()
    assert len(buttons) > 93  # the domain's buttons and one per agency
    for _title, payload in buttons:
        data = callback_data_for(payload)
        assert len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES, (payload, data)
        assert payload_from_callback(data) == compact_payload(payload)


def test_long_vietnamese_payload_gets_a_short_id(tmp_path) -> None:
    state = SQLState(f"sqlite:///{tmp_path / 'channel_state.sqlite'}")
    payload = '/inform_agency{"agency":"Ủy ban nhân dân Thành phố Hồ Chí Minh và Sở Thông tin và Truyền thông"}'
    assert len(payload.encode("utf-8")) > 64
    data = callback_data_for(payload, state)
    assert len(data.encode("utf-8")) <= 64 and data.startswith("#")
    assert payload_from_callback(data, state) == payload
    # an id the store does not know (expired): None, and the connector answers "expired"
    assert payload_from_callback("#0123456789abcdef01234567", state) is None


# --------------------------------------------------------------------------- #
# Sending through the delivery policy, over HTTP to a fake Bot API            #
# --------------------------------------------------------------------------- #
@pytest.fixture
async def output(fake_telegram, sleeps):
    out = TelegramOutput(TELEGRAM_TOKEN, fake_telegram.url,
                         DeliveryPolicy(attempts=4, base_delay_s=0.5, max_delay_s=8, timeout_s=5, sleep=sleeps))
    yield out
    if out._session is not None:
        await out._session.close()


async def test_a_429_is_waited_for_then_the_message_delivered_once(fake_telegram, output, sleeps, caplog):
    fake_telegram.fail_next(1001, too_many_requests(3))
    message = await output.send_message(1001, "Xin chào")
    assert message.message_id and message.text == "Xin chào"
    assert sleeps.waits == [3]  # Telegram's retry_after, exactly
    assert [p["text"] for p in fake_telegram.sent_to(1001)] == ["Xin chào", "Xin chào"]  # refused, then delivered
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_server_errors_are_retried_with_backoff(fake_telegram, output, sleeps):
    fake_telegram.fail_next(1002, BAD_GATEWAY, BAD_GATEWAY)
    await output.send_message(1002, "Xin chào")
    assert len(fake_telegram.sent_to(1002)) == 3
    assert len(sleeps.waits) == 2 and 0.25 <= sleeps.waits[0] <= 0.5 and 0.5 <= sleeps.waits[1] <= 1


@pytest.mark.parametrize("answer, words", [(BLOCKED, "bot was blocked by the user"), (CHAT_NOT_FOUND, "chat not found")])
async def test_a_refusal_is_final_at_once(fake_telegram, output, sleeps, caplog, answer, words):
    fake_telegram.fail_next(987654321, answer)
    with pytest.raises(DeliveryFailed) as failed:
        await output.send_text_message("987654321", "Nhắc hạn: ...")
    assert len(fake_telegram.sent_to(987654321)) == 1 and sleeps.waits == []
    assert failed.value.permanent and failed.value.attempts == 1 and words in failed.value.reason.lower()
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.getMessage().startswith("delivery failed: telegram sendMessage to 987…21: ")
    assert TELEGRAM_TOKEN not in caplog.text and "987654321" not in caplog.text


async def test_a_long_flood_wait_is_not_waited_for(fake_telegram, output, sleeps):
    fake_telegram.fail_next(1004, too_many_requests(60))
    with pytest.raises(DeliveryFailed) as failed:
        await output.send_message(1004, "Xin chào")
    assert sleeps.waits == [] and len(fake_telegram.sent_to(1004)) == 1
    assert not failed.value.permanent and "longer than the 8 s cap" in failed.value.reason


async def test_attempts_are_bounded(fake_telegram, output, sleeps):
    fake_telegram.fail_next(1005, *[BAD_GATEWAY] * 10)
    with pytest.raises(DeliveryFailed) as failed:
        await output.send_message(1005, "Xin chào")
    assert len(fake_telegram.sent_to(1005)) == 4 and len(sleeps.waits) == 3
    assert not failed.value.permanent and failed.value.attempts == 4


def channel(api_base: str, sleeps: Sleeps, **policy: Any) -> TelegramInput:
    return TelegramInput(TELEGRAM_TOKEN, TELEGRAM_BOT_NAME, "https://example.org/webhooks/telegram/webhook",
                         secret_token="webhook-secret_01", api_base=api_base,
                         webhook_policy=dataclasses.replace(SETUP_POLICY, sleep=sleeps, **policy))


async def close(ch: TelegramInput) -> None:
    if ch._output is not None and ch._output._session is not None:
        await ch._output._session.close()


async def test_set_webhook_waits_for_retry_after_then_registers(fake_telegram, sleeps):
    ch = channel(fake_telegram.url, sleeps)
    try:
        assert await ch.register_webhook() is True
    finally:
        await close(ch)
    calls = [c for c in fake_telegram.snapshot() if c["method"] == "setWebhook"]
    assert len(calls) == 2 and sleeps.waits == [1]
    assert calls[-1]["params"]["secret_token"] == "webhook-secret_01"


async def test_set_webhook_gives_up_without_raising(fake_telegram, sleeps, caplog):
    fake_telegram.set_webhook_retry_after = 600  # longer than SETUP_POLICY's 60 s cap
    ch = channel(fake_telegram.url, sleeps)
    try:
        assert await ch.register_webhook() is False
    finally:
        await close(ch)
    assert sleeps.waits == []
    assert "webhook-secret_01" not in caplog.text and TELEGRAM_TOKEN not in caplog.text


async def test_set_webhook_on_an_unreachable_api_returns_false(sleeps):
    ch = channel(f"http://127.0.0.1:{free_port()}", sleeps, attempts=3, timeout_s=2)
    try:
        assert await ch.register_webhook() is False
    finally:
        await close(ch)
    assert len(sleeps.waits) == 2
