"""Zalo OA: signed events POSTed over HTTP to the real Rasa server; replies go
to the local fake Zalo API (see conftest), which also plays the OAuth v4 server."""
from __future__ import annotations

import hashlib
import itertools
import json
import time
from typing import Any, Dict, Optional

import pytest
import requests

from tests.channels.conftest import (
    ZALO_ACCESS_TOKEN,
    ZALO_APP_ID,
    ZALO_APP_SECRET,
    ZALO_OA_SECRET_KEY,
    ZALO_REFRESH_TOKEN,
    ChannelAssistant,
)

OA_ID = "388613280878808645"
_users = itertools.count(2468458835291979001)  # beyond 2**53: must stay exact, as text
_msgs = itertools.count(1)


def now_ms() -> str:
    return str(int(time.time() * 1000))


def sign(body: bytes, timestamp: str, app_id: str = ZALO_APP_ID, key: str = ZALO_OA_SECRET_KEY) -> str:
    return "mac=" + hashlib.sha256(app_id.encode() + body + timestamp.encode() + key.encode()).hexdigest()


def user_event(user_id: str, event_name: str, message: Optional[Dict[str, Any]] = None, **extra: Any) -> Dict[str, Any]:
    event = {"app_id": ZALO_APP_ID, "user_id_by_app": "552177279717587730", "event_name": event_name,
             "sender": {"id": user_id}, "recipient": {"id": OA_ID}, "timestamp": now_ms(), **extra}
    if message is not None:
        event["message"] = dict(message, msg_id=message.get("msg_id") or f"96d3cdf3af150460909{next(_msgs)}")
    return event


def text_event(user_id: str, text: str, **extra: Any) -> Dict[str, Any]:
    return user_event(user_id, "user_send_text", {"text": text}, **extra)


def post(assistant: ChannelAssistant, event: Dict[str, Any], body: Optional[bytes] = None,
         signature: Optional[str] = "auto") -> requests.Response:
    raw = body if body is not None else json.dumps(event, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers["X-ZEvent-Signature"] = sign(raw, str(event["timestamp"]))
    elif signature is not None:
        headers["X-ZEvent-Signature"] = signature
    return requests.post(f"{assistant.url}/webhooks/zalo/webhook", data=raw, headers=headers, timeout=10)


def new_user() -> str:
    return str(next(_users))


def test_signed_text_is_acknowledged_at_once_and_answered(channel_assistant: ChannelAssistant) -> None:
    user = new_user()
    started = time.monotonic()
    response = post(channel_assistant, text_event(user, "Văn bản 797 có số hiệu là gì?"))
    assert response.status_code == 200
    assert time.monotonic() - started < 2.0  # Zalo's limit
    channel_assistant.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user)
    replies = channel_assistant.zalo.texts_to(user)
    assert any("797/BTTTT-THH" in t for t in replies), replies


def test_large_numeric_ids_stay_exact(channel_assistant: ChannelAssistant) -> None:
    user = new_user()
    event = text_event(user, "Văn bản 797 ban hành ngày nào?")
    raw = json.dumps(event, ensure_ascii=False).replace(f'"id": "{user}"', f'"id": {user}').encode()
    assert f'"id": {user}' in raw.decode()
    assert post(channel_assistant, event, body=raw).status_code == 200
    calls = channel_assistant.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user)
    assert calls[0]["body"]["recipient"]["user_id"] == user


@pytest.mark.parametrize("forgery", ["body_changed", "wrong_key", "missing", "stale", "other_app"])
def test_forged_or_stale_events_get_401_and_no_reply(channel_assistant: ChannelAssistant, forgery: str) -> None:
    user = new_user()
    event = text_event(user, "xin chào")
    raw = json.dumps(event, ensure_ascii=False).encode()
    if forgery == "body_changed":
        forged = raw.replace(b"xin ch", b"tam bi")
        response = post(channel_assistant, event, body=forged, signature=sign(raw, event["timestamp"]))
    elif forgery == "wrong_key":
        response = post(channel_assistant, event, signature=sign(raw, event["timestamp"], key="guessed"))
    elif forgery == "missing":
        response = post(channel_assistant, event, signature=None)
    elif forgery == "stale":
        event["timestamp"] = str(int(time.time() * 1000) - 3600 * 1000)
        response = post(channel_assistant, event)
    else:
        event["app_id"] = "111"
        raw = json.dumps(event).encode()
        response = post(channel_assistant, event, body=raw, signature=sign(raw, event["timestamp"], app_id="111"))
    assert response.status_code == 401
    time.sleep(1.0)
    assert channel_assistant.zalo.texts_to(user) == []


def test_retried_event_is_answered_once(channel_assistant: ChannelAssistant) -> None:
    user = new_user()
    event = text_event(user, "Văn bản 797 do cơ quan nào ban hành?")
    raw = json.dumps(event, ensure_ascii=False).encode()
    for _ in range(3):
        assert post(channel_assistant, event, body=raw).status_code == 200
    channel_assistant.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user)
    time.sleep(2.0)
    assert len(channel_assistant.zalo.texts_to(user)) == 1


MEDIA = {
    "user_send_sticker": {"attachments": [{"type": "sticker", "payload": {
        "id": "bfe458bf64fa8da4d4eb", "url": "https://zalo-api.zadn.vn/sticker.png"}}]},
    "user_send_image": {"text": "", "attachments": [{"type": "image", "payload": {
        "thumbnail": "https://photo.zdn.vn/t.jpg", "url": "https://photo.zdn.vn/i.jpg"}}]},
    "user_send_file": {"attachments": [{"type": "file", "payload": {
        "url": "https://f.zdn.vn/797.pdf", "size": "12000", "name": "797.pdf", "type": "pdf"}}]},
    "user_send_location": {"attachments": [{"type": "location", "payload": {
        "coordinates": {"latitude": "21.0285", "longitude": "105.8542"}}}]},
}


@pytest.mark.parametrize("event_name", sorted(MEDIA))
def test_media_gets_one_polite_reply(channel_assistant: ChannelAssistant, event_name: str) -> None:
    user = new_user()
    assert post(channel_assistant, user_event(user, event_name, MEDIA[event_name])).status_code == 200
    channel_assistant.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user)
    time.sleep(0.5)
    replies = channel_assistant.zalo.texts_to(user)
    assert len(replies) == 1 and "chỉ đọc được tin nhắn dạng chữ" in replies[0]


def test_follow_greets_with_numbered_choices_and_a_number_answers(channel_assistant: ChannelAssistant) -> None:
    user = new_user()
    follow = {"oa_id": OA_ID, "follower": {"id": user}, "user_id_by_app": "552177279717587731",
              "event_name": "follow", "source": "oa_profile", "app_id": ZALO_APP_ID, "timestamp": now_ms()}
    assert post(channel_assistant, follow).status_code == 200
    channel_assistant.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user)
    greeting = channel_assistant.zalo.texts_to(user)[0]
    assert greeting.startswith("Xin chào") and "\n2. 6 định hướng phổ cập" in greeting

    assert post(channel_assistant, text_event(user, "2")).status_code == 200
    channel_assistant.zalo.wait_for_calls(
        lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user, count=2)
    assert "6 nội dung phổ cập" in channel_assistant.zalo.texts_to(user)[1]


@pytest.mark.parametrize("event_name", ["unfollow", "oa_send_text", "user_seen_message", "user_received_message"])
def test_service_events_get_200_and_no_reply(channel_assistant: ChannelAssistant, event_name: str) -> None:
    user = new_user()
    event = user_event(user, event_name, {"text": "x"} if event_name == "oa_send_text" else None)
    if event_name == "unfollow":
        event = {"oa_id": OA_ID, "follower": {"id": user}, "event_name": "unfollow", "app_id": ZALO_APP_ID,
                 "source": "oa_profile", "timestamp": now_ms()}
    assert post(channel_assistant, event).status_code == 200
    time.sleep(1.0)
    assert channel_assistant.zalo.texts_to(user) == []


def test_expired_token_is_refreshed_stored_and_message_resent(channel_assistant: ChannelAssistant) -> None:
    zalo = channel_assistant.zalo
    zalo.expire()
    user = new_user()
    assert post(channel_assistant, text_event(user, "Văn bản 797 có số hiệu là gì?")).status_code == 200
    calls = zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user, count=2)
    assert calls[0]["headers"]["access_token"] == ZALO_ACCESS_TOKEN  # rejected with -216
    assert calls[1]["headers"]["access_token"] == "zalo-access-token-1"  # resent once with the new token
    assert calls[0]["body"] == calls[1]["body"]
    refreshes = [c for c in zalo.snapshot() if c["kind"] == "refresh"]
    assert len(refreshes) == 1
    assert refreshes[0]["headers"]["secret_key"] == ZALO_APP_SECRET
    assert refreshes[0]["body"] == {"refresh_token": ZALO_REFRESH_TOKEN, "app_id": ZALO_APP_ID,
                                    "grant_type": "refresh_token"}
    stored = json.loads(channel_assistant.token_file.read_text())
    assert (stored["access_token"], stored["refresh_token"]) == ("zalo-access-token-1", "zalo-refresh-token-1")
    assert channel_assistant.token_file.stat().st_mode & 0o077 == 0

    # the next message uses the stored new token straight away
    other = new_user()
    assert post(channel_assistant, text_event(other, "xin chào")).status_code == 200
    calls = zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == other)
    assert calls[0]["headers"]["access_token"] == "zalo-access-token-1"
