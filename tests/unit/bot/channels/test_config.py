"""Which channels are on (bot.channels.config): the start-up report and Rasa reading credentials.yml."""
from __future__ import annotations

import yaml

from bot.channels.config import channel_report
from bot.settings import PROJECT_ROOT

CREDENTIALS = PROJECT_ROOT / "credentials.yml"


def test_channel_report_follows_the_environment(monkeypatch) -> None:
    credentials = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8"))
    for var in ("ZALO_APP_ID", "ZALO_OA_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TELEGRAM_TOKEN", "1:x")
    monkeypatch.setenv("TELEGRAM_BOT_NAME", "b")
    text = "\n".join(channel_report(credentials, "http://h:1"))
    assert "Telegram        on   http://h:1/webhooks/telegram/webhook" in text
    assert "Zalo OA         off  (set ZALO_APP_ID" in text
    assert "REST            on   http://h:1/webhooks/rest/webhook" in text
    assert "1:x" not in text
    monkeypatch.setenv("TELEGRAM_TOKEN", "")
    lines = channel_report(credentials, "http://h:1", widget_built=False)
    assert any("Telegram" in line and "off  (set TELEGRAM_TOKEN)" in line for line in lines)
    assert any("Website widget" in line and "run `make widget`" in line for line in lines)


def test_credentials_yml_starts_without_any_channel_setting(monkeypatch) -> None:
    """Rasa reads credentials.yml even when no Telegram/Zalo variable is set (the channels are off)."""
    import rasa.core.run
    from rasa.shared.utils.io import read_config_file

    for var in ("TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "ZALO_APP_ID", "ZALO_OA_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    assert read_config_file(str(PROJECT_ROOT / "credentials.yml"))
    channels = rasa.core.run.create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    names = {channel.name(): channel for channel in channels}
    assert {"patches", "rest", "socketio", "widget", "telegram", "zalo"} <= set(names)
    assert names["telegram"].missing == ["TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME"]
    assert names["zalo"].missing[0] == "ZALO_APP_ID"
    assert names["socketio"].session_persistence is True
