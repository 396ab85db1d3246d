"""Zalo tokens shared by two processes (the Rasa server and the reminder
scheduler) through one token file: a refresh token works once, so the second
client must adopt the first one's new pair instead of refreshing again."""
from __future__ import annotations

import asyncio

import pytest

from bot.channels.zalo import ZaloAPIError, ZaloClient, ZaloTokens
from tests.support.fakes import ZALO_ACCESS_TOKEN, ZALO_APP_ID, ZALO_APP_SECRET, ZALO_REFRESH_TOKEN, FakeZalo


@pytest.fixture
def fake_zalo():
    fake = FakeZalo()
    fake.start()
    yield fake
    fake.stop()


def client(fake: FakeZalo, path) -> ZaloClient:
    tokens = ZaloTokens(ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN, path)
    return ZaloClient(ZALO_APP_ID, ZALO_APP_SECRET, tokens, fake.url, fake.url, attempts=1)


async def test_second_process_adopts_the_refreshed_pair(fake_zalo, tmp_path):
    path = tmp_path / "zalo_tokens.json"
    server, scheduler = client(fake_zalo, path), client(fake_zalo, path)  # both read the settings' pair
    try:
        fake_zalo.expire()
        await server.send_text("u1", "một")      # -216, refresh with the settings' refresh token, resend
        await scheduler.send_text("u2", "hai")   # -216 with the old token: must not refresh again
    finally:
        await server.close()
        await scheduler.close()
    refreshes = [c for c in fake_zalo.snapshot() if c["kind"] == "refresh"]
    assert len(refreshes) == 1
    delivered = [(c["body"]["recipient"]["user_id"], c["body"]["message"]["text"]) for c in fake_zalo.snapshot()
                 if c["kind"] == "cs" and c["headers"]["access_token"] == "zalo-access-token-1"]
    assert delivered == [("u1", "một"), ("u2", "hai")]
    assert scheduler.tokens.refresh_token == "zalo-refresh-token-1"


async def test_concurrent_refreshes_from_two_clients_use_the_token_once(fake_zalo, tmp_path):
    path = tmp_path / "zalo_tokens.json"
    a, b = client(fake_zalo, path), client(fake_zalo, path)
    try:
        fake_zalo.expire()
        results = await asyncio.gather(a.send_text("u1", "a"), b.send_text("u2", "b"), return_exceptions=True)
    finally:
        await a.close()
        await b.close()
    assert not [r for r in results if isinstance(r, ZaloAPIError)], results
    assert len([c for c in fake_zalo.snapshot() if c["kind"] == "refresh"]) == 1
