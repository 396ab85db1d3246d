"""Reminder senders (bot.officials.reminders.senders): a failed delivery is
described for the operator from DeliveryFailed's reason and permanence, in
Vietnamese, with Zalo's refusals explained and no secret. Real sends over
HTTP to the fake Telegram and Zalo servers, with zero delays."""
from __future__ import annotations

import pytest

from bot.channels.delivery import DeliveryFailed, DeliveryPolicy
from bot.channels.telegram import TelegramOutput
from bot.channels.zalo import ZaloClient, ZaloTokens
from bot.officials.reminders.senders import TelegramSender, ZaloSender
from tests.support.fakes import (
    BAD_GATEWAY,
    BLOCKED,
    TELEGRAM_TOKEN,
    ZALO_ACCESS_TOKEN,
    ZALO_APP_ID,
    ZALO_APP_SECRET,
    ZALO_REFRESH_TOKEN,
    free_port,
    zalo_error,
    zalo_http_error,
)

NO_WAIT = DeliveryPolicy(attempts=3, base_delay_s=0, max_delay_s=1, timeout_s=5)


@pytest.fixture
async def telegram_sender(fake_telegram):
    sender = TelegramSender(TelegramOutput(TELEGRAM_TOKEN, fake_telegram.url, NO_WAIT), [TELEGRAM_TOKEN])
    yield sender
    await sender.close()


@pytest.fixture
async def zalo_sender(fake_zalo, tmp_path):
    tokens = ZaloTokens(ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN, tmp_path / "zalo_tokens.json")
    sender = ZaloSender(ZaloClient(ZALO_APP_ID, ZALO_APP_SECRET, tokens, fake_zalo.url, fake_zalo.url, NO_WAIT),
                        [ZALO_APP_SECRET])
    yield sender
    await sender.close()


async def failure(sender, user_id: str) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as failed:
        await sender.send(user_id, "Nhắc hạn: ...")
    return failed.value


async def test_telegram_blocked_is_a_permanent_refusal(fake_telegram, telegram_sender):
    fake_telegram.fail_next(5551234, BLOCKED)
    failed = await failure(telegram_sender, "5551234")
    assert telegram_sender.describe(failed) == (
        "Telegram từ chối: BotBlocked: Forbidden: bot was blocked by the user")


async def test_telegram_unavailable_is_transient_after_the_attempts(fake_telegram, telegram_sender):
    fake_telegram.fail_next(5551235, *[BAD_GATEWAY] * 3)
    failed = await failure(telegram_sender, "5551235")
    assert telegram_sender.describe(failed) == (
        "Telegram: TelegramAPIError: Bad Gateway (lỗi tạm thời, đã thử 3 lần)")


async def test_zalo_refusal_keeps_the_operator_wording(fake_zalo, zalo_sender):
    fake_zalo.refuse("4002")
    failed = await failure(zalo_sender, "4002")
    assert zalo_sender.describe(failed) == (
        "Zalo từ chối (mã -230): User has not interacted with the OA in the past 7 days — người dùng không nhắn "
        "tin cho OA trong 7 ngày qua, nên Zalo không cho OA gửi tin tư vấn")


async def test_zalo_rate_limit_to_the_end_is_transient(fake_zalo, zalo_sender):
    fake_zalo.fail_next("4003", *[zalo_error(-32, "Your application reached limit call api")] * 3)
    failed = await failure(zalo_sender, "4003")
    assert zalo_sender.describe(failed) == (
        "Zalo từ chối (mã -32): Your application reached limit call api (lỗi tạm thời, đã thử 3 lần)")


async def test_zalo_server_errors_are_transient(fake_zalo, zalo_sender):
    fake_zalo.fail_next("4004", *[zalo_http_error(503)] * 3)
    failed = await failure(zalo_sender, "4004")
    assert zalo_sender.describe(failed).startswith("Zalo: không gửi được: HTTP 503")
    assert zalo_sender.describe(failed).endswith("(lỗi tạm thời, đã thử 3 lần)")


async def test_zalo_unreachable_says_so_without_secrets(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"
    tokens = ZaloTokens(ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN, tmp_path / "zalo_tokens.json")
    sender = ZaloSender(ZaloClient(ZALO_APP_ID, ZALO_APP_SECRET, tokens, nowhere, nowhere, NO_WAIT), [ZALO_APP_SECRET])
    try:
        failed = await failure(sender, "4005")
    finally:
        await sender.close()
    text = sender.describe(failed)
    assert text.startswith("Zalo: không kết nối được máy chủ Zalo: ") and "(lỗi tạm thời, đã thử 3 lần)" in text
    for secret in (ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN, ZALO_APP_SECRET):
        assert secret not in text


def test_other_errors_are_described_by_their_type():
    sender = ZaloSender(client=None)
    assert sender.describe(RuntimeError("boom")) == "Zalo: RuntimeError: boom"
