"""Every button the assistant can send fits Telegram's 64-byte callback_data and
maps back to its payload (bot.channels.telegram)."""
from __future__ import annotations

from typing import List, Tuple

import yaml

from bot.channels.common import compact_payload
from bot.channels.telegram import CALLBACK_DATA_MAX_BYTES, callback_data_for, payload_from_callback
from bot.settings import PROJECT_ROOT


def all_buttons() -> List[Tuple[str, str]]:
    """(title, payload) of every button in domain.yml and every agency button the actions build."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    buttons = [(b["title"], b["payload"]) for variants in domain["responses"].values()
               for variant in variants for b in variant.get("buttons") or []]
    agencies = yaml.safe_load((PROJECT_ROOT / "data" / "agencies.yml").read_text(encoding="utf-8"))
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
