"""Every button the assistant can send fits Telegram's 64-byte callback_data and
maps back to its payload; the channel settings switch channels on and off."""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import yaml

from bot.channels.common import compact_payload
from bot.channels.telegram import CALLBACK_DATA_MAX_BYTES, callback_data_for, payload_from_callback

ROOT = Path(__file__).resolve().parents[2]


def all_buttons() -> List[Tuple[str, str]]:
    """(title, payload) of every button in domain.yml and every agency button the actions build."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    buttons = [(b["title"], b["payload"]) for variants in domain["responses"].values()
               for variant in variants for b in variant.get("buttons") or []]
    agencies = yaml.safe_load((ROOT / "data" / "agencies.yml").read_text(encoding="utf-8"))
    entries = agencies["agencies"] if isinstance(agencies, dict) else agencies
    # the same f-string as actions/lookups.py builds for agency choices
    buttons += [(a["name"], f'/inform_agency{{"agency":"{a["code"]}"}}') for a in entries]
    return buttons


def test_every_button_fits_64_bytes_and_round_trips() -> None:
    buttons = all_buttons()
    assert len(buttons) > 93  # the domain's buttons and one per agency
    for title, payload in buttons:
        data = callback_data_for(payload)
        assert len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES, (payload, data)
        assert payload_from_callback(data) == compact_payload(payload)


def test_long_vietnamese_payload_gets_a_short_id() -> None:
    payload = '/inform_agency{"agency":"Ủy ban nhân dân Thành phố Hồ Chí Minh và Sở Thông tin và Truyền thông"}'
    assert len(payload.encode("utf-8")) > 64
    data = callback_data_for(payload)
    assert len(data.encode("utf-8")) <= 64 and data.startswith("#")
    assert payload_from_callback(data) == payload
    # after a restart the id is unknown: the pressed button's title is used instead
    keyboard = {"reply_markup": {"inline_keyboard": [[{"text": "UBND TP.HCM", "callback_data": "#0123456789abcdef01234567"}]]}}
    assert payload_from_callback("#0123456789abcdef01234567", keyboard) == "UBND TP.HCM"


def test_channel_report_follows_the_environment() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("channels_script", ROOT / "scripts" / "channels.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    lines = script.report(credentials, "http://h:1", env={"TELEGRAM_TOKEN": "1:x", "TELEGRAM_BOT_NAME": "b"})
    text = "\n".join(lines)
    assert "Telegram        on   http://h:1/webhooks/telegram/webhook" in text
    assert "Zalo OA         off  (set ZALO_APP_ID" in text
    assert "1:x" not in text
    lines = script.report(credentials, "http://h:1", env={"TELEGRAM_TOKEN": "", "TELEGRAM_BOT_NAME": "b"})
    assert any("Telegram" in line and "off  (set TELEGRAM_TOKEN)" in line for line in lines)


def test_credentials_yml_starts_without_any_channel_setting(monkeypatch) -> None:
    """Rasa reads credentials.yml even when no Telegram/Zalo variable is set (the channels are off)."""
    import rasa.core.run
    from rasa.shared.utils.io import read_config_file

    for var in ("TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "ZALO_APP_ID", "ZALO_OA_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    assert read_config_file(str(ROOT / "credentials.yml"))
    channels = rasa.core.run.create_http_input_channels(None, str(ROOT / "credentials.yml"))
    names = {channel.name(): channel for channel in channels}
    assert {"rest", "socketio", "widget", "telegram", "zalo"} <= set(names)
    assert names["telegram"].missing == ["TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME"]
    assert names["zalo"].missing[0] == "ZALO_APP_ID"
    assert names["socketio"].session_persistence is True
