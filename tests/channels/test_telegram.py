"""Telegram: realistic updates POSTed over HTTP to the real Rasa server, replies
recorded by the local fake Bot API (see conftest)."""
from __future__ import annotations

import itertools
import json
import time
from typing import Any, Dict, Optional

import pytest
import requests

from tests.channels.conftest import TELEGRAM_BOT_NAME, TELEGRAM_SECRET, ChannelAssistant

_update_ids = itertools.count(500_000_000)
_chat_ids = itertools.count(700_000_001)
USER = {"id": 0, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn", "language_code": "vi"}
BOT = {"id": 123456789, "is_bot": True, "first_name": "Trợ lý 797", "username": TELEGRAM_BOT_NAME}


def private_chat(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "first_name": "Lan", "last_name": "Nguyễn", "type": "private"}


def group_chat(chat_id: int) -> Dict[str, Any]:
    return {"id": -chat_id, "title": "Sở TT&TT — tổ chuyển đổi số", "type": "supergroup"}


def message(chat: Dict[str, Any], **fields: Any) -> Dict[str, Any]:
    return {"message_id": next(_update_ids) % 100000, "from": dict(USER, id=abs(chat["id"])), "chat": chat,
            "date": int(time.time()), **fields}


def post(assistant: ChannelAssistant, update: Dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET) -> requests.Response:
    update.setdefault("update_id", next(_update_ids))
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return requests.post(f"{assistant.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60)


def texts(assistant: ChannelAssistant, chat_id: int) -> list:
    return [m["text"] for m in assistant.telegram.sent_to(chat_id)]


def test_webhook_registered_with_secret_after_429(channel_assistant: ChannelAssistant) -> None:
    """The server started although the first setWebhook got 429; the retry registered the secret token."""
    calls = channel_assistant.telegram.wait_for_calls(lambda c: c["method"] == "setWebhook", count=2, timeout_s=30)
    assert calls[-1]["params"]["url"] == "https://bot.example.gov.vn/webhooks/telegram/webhook"
    assert calls[-1]["params"]["secret_token"] == TELEGRAM_SECRET
    assert "message" in calls[-1]["params"]["allowed_updates"]


def test_wrong_or_missing_secret_is_rejected(channel_assistant: ChannelAssistant) -> None:
    chat = private_chat(next(_chat_ids))
    assert post(channel_assistant, {"message": message(chat, text="xin chào")}, secret="wrong").status_code == 401
    assert post(channel_assistant, {"message": message(chat, text="xin chào")}, secret=None).status_code == 401
    time.sleep(0.5)
    assert texts(channel_assistant, chat["id"]) == []


def test_question_is_answered_without_get_me(channel_assistant: ChannelAssistant) -> None:
    chat = private_chat(next(_chat_ids))
    response = post(channel_assistant, {"message": message(chat, text="Văn bản 797 có số hiệu là gì?")})
    assert response.status_code == 200
    replies = texts(channel_assistant, chat["id"])
    assert any("797/BTTTT-THH" in t for t in replies), replies
    assert not [c for c in channel_assistant.telegram.snapshot() if c["method"] == "getMe"]


def test_buttons_become_inline_keyboard_and_callback_continues(channel_assistant: ChannelAssistant) -> None:
    chat = private_chat(next(_chat_ids))
    assert post(channel_assistant, {"message": message(chat, text="/start")}).status_code == 200
    greeting = channel_assistant.telegram.sent_to(chat["id"])[-1]
    assert greeting["text"].startswith("Xin chào")


    keyboard = json.loads(greeting["reply_markup"])["inline_keyboard"]
    buttons = {row[0]["text"]: row[0]["callback_data"] for row in keyboard}
    assert buttons["6 định hướng phổ cập"] == "/ask_priority_areas"
    assert all(len(data.encode("utf-8")) <= 64 for data in buttons.values())

    query = {"id": "4382bfdwdsb323b2d9", "from": dict(USER, id=chat["id"]), "chat_instance": "-1234567890",
             "data": buttons["6 định hướng phổ cập"],
             "message": {"message_id": 1001, "from": BOT, "chat": chat, "date": int(time.time()),
                         "text": greeting["text"], "reply_markup": {"inline_keyboard": keyboard}}}
    assert post(channel_assistant, {"callback_query": query}).status_code == 200
    answered = [c for c in channel_assistant.telegram.snapshot() if c["method"] == "answerCallbackQuery"]
    assert any(c["params"]["callback_query_id"] == "4382bfdwdsb323b2d9" for c in answered)
    assert "6 nội dung phổ cập" in texts(channel_assistant, chat["id"])[-1]


def test_an_answer_about_the_directive_offers_two_quick_replies_that_rate_it(channel_assistant: ChannelAssistant) -> None:
    from sqlalchemy import create_engine, text

    chat = private_chat(next(_chat_ids))
    assert post(channel_assistant, {"message": message(chat, text="Văn bản 797 ban hành ngày nào?")}).status_code == 200
    answer = channel_assistant.telegram.sent_to(chat["id"])[-1]
    keyboard = json.loads(answer["reply_markup"])["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["Hữu ích"], ["Chưa đúng"]]

    query = {"id": f"q{chat['id']}", "from": dict(USER, id=chat["id"]), "chat_instance": "-1",
             "data": keyboard[1][0]["callback_data"],
             "message": {"message_id": 1002, "from": BOT, "chat": chat, "date": int(time.time()),
                         "text": answer["text"], "reply_markup": {"inline_keyboard": keyboard}}}
    assert post(channel_assistant, {"callback_query": query}).status_code == 200
    assert "chưa đúng hoặc còn thiếu ở điểm nào" in texts(channel_assistant, chat["id"])[-1]
    assert post(channel_assistant, {"message": message(chat, text="thiếu số hiệu văn bản")}).status_code == 200
    assert texts(channel_assistant, chat["id"])[-1].startswith("Tôi đã ghi nhận góp ý của anh/chị")

    engine = create_engine(channel_assistant.extra["env"]["DATABASE_URL"])
    with engine.connect() as c:
        rows = c.execute(text("SELECT answer_key, helpful, comment, answer_text FROM answer_feedback "
                              "WHERE sender_id = :s"), {"s": f"telegram:{chat['id']}"}).all()
    engine.dispose()
    assert [tuple(r[:3]) for r in rows] == [("utter_doc_date", False, "thiếu số hiệu văn bản")]
    assert rows[0][3] == answer["text"]  # tied to the answer it rates


def test_reply_is_resent_after_a_429(channel_assistant: ChannelAssistant) -> None:
    chat = private_chat(next(_chat_ids))
    channel_assistant.telegram.throttle_once.add(str(chat["id"]))
    assert post(channel_assistant, {"message": message(chat, text="Văn bản 797 có số hiệu là gì?")}).status_code == 200
    attempts = channel_assistant.telegram.sent_to(chat["id"])
    assert len(attempts) == 2 and attempts[0] == attempts[1] and "797/BTTTT-THH" in attempts[1]["text"]


def test_retried_update_is_answered_once(channel_assistant: ChannelAssistant) -> None:
    chat = private_chat(next(_chat_ids))
    update = {"update_id": next(_update_ids), "message": message(chat, text="Văn bản 797 ban hành ngày nào?")}
    assert post(channel_assistant, dict(update)).status_code == 200
    assert post(channel_assistant, dict(update)).status_code == 200
    assert len(texts(channel_assistant, chat["id"])) == 1


NON_TEXT = {
    "sticker": {"sticker": {"file_id": "CAACAgIAAxkBAAIB", "file_unique_id": "AgADsw", "type": "regular",
                            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}},
    "photo": {"photo": [{"file_id": "AgACAgUAAxkBAAIC", "file_unique_id": "AQAD", "width": 90, "height": 67,
                         "file_size": 1254}], "caption": "ảnh công văn"},
    "voice": {"voice": {"file_id": "AwACAgUAAxkBAAID", "file_unique_id": "AgAD", "duration": 3,
                        "mime_type": "audio/ogg", "file_size": 9000}},
    "document": {"document": {"file_id": "BQACAgUAAxkBAAIE", "file_unique_id": "AgAE", "file_name": "797-BTTTT-THH.pdf",
                              "mime_type": "application/pdf", "file_size": 120000}},
    "location": {"location": {"latitude": 21.0285, "longitude": 105.8542}},
}


@pytest.mark.parametrize("kind", sorted(NON_TEXT))
def test_non_text_message_gets_one_polite_reply(channel_assistant: ChannelAssistant, kind: str) -> None:
    chat = private_chat(next(_chat_ids))
    response = post(channel_assistant, {"message": message(chat, **NON_TEXT[kind])})
    assert response.status_code == 200
    replies = texts(channel_assistant, chat["id"])
    assert len(replies) == 1 and "chỉ đọc được tin nhắn dạng chữ" in replies[0]


def service_updates(chat_id: int) -> Dict[str, Dict[str, Any]]:
    group = group_chat(chat_id)
    now = int(time.time())
    member = {"user": BOT, "status": "member"}
    return {
        "bot_added": {"message": message(group, new_chat_members=[BOT], new_chat_member=BOT, new_chat_participant=BOT)},
        "member_left": {"message": message(group, left_chat_member=dict(USER, id=42), left_chat_participant=dict(USER, id=42))},
        "my_chat_member_added": {"my_chat_member": {"chat": group, "from": dict(USER, id=42), "date": now,
                                                    "old_chat_member": {"user": BOT, "status": "left"},
                                                    "new_chat_member": member}},
        "my_chat_member_removed": {"my_chat_member": {"chat": group, "from": dict(USER, id=42), "date": now,
                                                      "old_chat_member": member,
                                                      "new_chat_member": {"user": BOT, "status": "kicked", "until_date": 0}}},
        "edited_message": {"edited_message": dict(message(private_chat(chat_id), text="hạn báo cáo quý 3"), edit_date=now)},
        "channel_post": {"channel_post": {"message_id": 5, "sender_chat": {"id": -1001, "title": "Tin tức", "type": "channel"},
                                          "chat": {"id": -1001, "title": "Tin tức", "type": "channel"}, "date": now,
                                          "text": "Thông báo mới"}},
        "edited_channel_post": {"edited_channel_post": {"message_id": 5, "chat": {"id": -1001, "type": "channel"},
                                                        "date": now, "edit_date": now, "text": "Thông báo (sửa)"}},
        "inline_query": {"inline_query": {"id": "99", "from": dict(USER, id=42), "query": "797", "offset": ""}},
        "pinned": {"message": message(group, pinned_message=message(group, text="ghim"))},
    }


@pytest.mark.parametrize("kind", sorted(service_updates(1)))
def test_service_updates_get_200_and_no_reply(channel_assistant: ChannelAssistant, kind: str) -> None:
    chat_id = next(_chat_ids)
    response = post(channel_assistant, service_updates(chat_id)[kind])
    assert response.status_code == 200
    time.sleep(0.2)
    assert texts(channel_assistant, -chat_id) == [] and texts(channel_assistant, chat_id) == []


def test_group_answers_only_when_mentioned_or_replied_to(channel_assistant: ChannelAssistant) -> None:
    chat_id = next(_chat_ids)
    group = group_chat(chat_id)
    assert post(channel_assistant, {"message": message(group, text="Văn bản 797 có số hiệu là gì?")}).status_code == 200
    assert texts(channel_assistant, -chat_id) == []

    mention = f"@{TELEGRAM_BOT_NAME} Văn bản 797 có số hiệu là gì?"
    entities = [{"type": "mention", "offset": 0, "length": len(TELEGRAM_BOT_NAME) + 1}]
    assert post(channel_assistant, {"message": message(group, text=mention, entities=entities)}).status_code == 200
    assert any("797/BTTTT-THH" in t for t in texts(channel_assistant, -chat_id))

    before = len(texts(channel_assistant, -chat_id))
    reply = message(group, text="Văn bản ban hành ngày nào?",
                    reply_to_message={"message_id": 1001, "from": BOT, "chat": group, "date": int(time.time()),
                                      "text": "..."})
    assert post(channel_assistant, {"message": reply}).status_code == 200
    assert len(texts(channel_assistant, -chat_id)) == before + 1
    # a sticker in the group, not addressed to the bot: silence
    assert post(channel_assistant, {"message": message(group, **NON_TEXT["sticker"])}).status_code == 200
    assert len(texts(channel_assistant, -chat_id)) == before + 1


def test_garbage_gets_400_not_500(channel_assistant: ChannelAssistant) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}
    response = requests.post(f"{channel_assistant.url}/webhooks/telegram/webhook", data=b"{not json",
                             headers=headers, timeout=10)
    assert response.status_code == 400
    response = requests.post(f"{channel_assistant.url}/webhooks/telegram/webhook", json={"update_id": 1, "message": "x"},
                             headers=headers, timeout=10)
    assert response.status_code == 200
