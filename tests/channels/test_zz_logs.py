"""Runs last (file order): the Rasa server's log after every channel test holds
no traceback and no secret."""
from __future__ import annotations

from tests.channels.conftest import (TELEGRAM_SECRET, TELEGRAM_TOKEN, ZALO_ACCESS_TOKEN, ZALO_APP_SECRET,
                                     ZALO_OA_SECRET_KEY, ZALO_REFRESH_TOKEN, ChannelAssistant)


def test_no_traceback_and_no_secret_in_log(channel_assistant: ChannelAssistant) -> None:
    log = channel_assistant.log_text()
    assert "Traceback" not in log
    secrets = [TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1], TELEGRAM_SECRET, ZALO_ACCESS_TOKEN, ZALO_APP_SECRET,
               ZALO_OA_SECRET_KEY, ZALO_REFRESH_TOKEN, "zalo-access-token-1", "zalo-refresh-token-1"]
    leaked = [s for s in secrets if s in log]
    assert leaked == []
