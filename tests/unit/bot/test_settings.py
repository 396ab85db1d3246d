"""bot.settings.load_settings: read once while the environment is unchanged,
read again as soon as it changes."""
from __future__ import annotations

import pytest

from bot.settings import load_settings


def test_the_same_environment_gives_the_same_reading(monkeypatch):
    monkeypatch.setenv("HANDOFF_TELEGRAM_CHAT_ID", "-1001")
    first = load_settings()
    assert load_settings() is first and first.handoff_telegram_chat_id == "-1001"


def test_a_changed_environment_is_read_again(monkeypatch):
    monkeypatch.setenv("HANDOFF_TELEGRAM_CHAT_ID", "-1001")
    assert load_settings().handoff_telegram_chat_id == "-1001"
    monkeypatch.setenv("HANDOFF_TELEGRAM_CHAT_ID", "-1002")
    assert load_settings().handoff_telegram_chat_id == "-1002"
    monkeypatch.delenv("HANDOFF_TELEGRAM_CHAT_ID")
    assert load_settings().handoff_telegram_chat_id == ""
    monkeypatch.setenv("ACTION_TIMEOUT_S", "2.5")
    assert load_settings().action_timeout_s == 2.5


def test_a_bad_number_fails_on_every_call(monkeypatch):
    monkeypatch.setenv("LINK_MAX_FAILURES", "năm")
    for _ in range(2):
        with pytest.raises(ValueError):
            load_settings()
