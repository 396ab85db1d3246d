"""Conversation integrity on the real assistant over loopback: each channel has
its own conversation namespace (bot.channels.conversations), so a caller of
one channel never reaches another channel's context, and each member of a
Telegram group keeps their own."""
from __future__ import annotations

import itertools

import requests

from tests.channels.conftest import TELEGRAM_BOT_NAME, ChannelAssistant
from tests.channels.test_telegram import USER, group_chat, message, post, private_chat, texts

_chat_ids = itertools.count(760_000_001)


def rest(assistant: ChannelAssistant, sender: str, text: str) -> str:
    answer = requests.post(f"{assistant.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                           timeout=60)
    assert answer.status_code == 200, answer.text
    return "\n".join(m.get("text", "") for m in answer.json())


def telegram(assistant: ChannelAssistant, chat: dict, text: str, **fields) -> str:
    before = len(texts(assistant, chat["id"]))
    assert post(assistant, {"message": message(chat, text=text, **fields)}).status_code == 200
    return "\n".join(texts(assistant, chat["id"])[before:])


def user_texts(tracker: dict) -> list:
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def test_rest_caller_cannot_continue_a_telegram_conversation(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(next(_chat_ids))
    first = telegram(a, chat, "Bộ Y tế đã nộp báo cáo quý 1 chưa?")
    assert "Bộ Y tế" in first, first

    # the same raw id over REST is another conversation: no agency remembered
    stolen = rest(a, str(chat["id"]), "còn quý 4 thì sao?")
    assert "Bộ Y tế" not in stolen, stolen
    assert "Bộ Y tế" not in rest(a, f"telegram:{chat['id']}", "còn quý 4 thì sao?")

    # the Telegram chat kept its own context, untouched by the REST caller
    follow_up = telegram(a, chat, "còn quý 4 thì sao?")
    assert "Bộ Y tế" in follow_up and "quý IV" in follow_up, follow_up
    kept = a.tracker(f"telegram:{chat['id']}")
    assert user_texts(kept) == ["Bộ Y tế đã nộp báo cáo quý 1 chưa?", "còn quý 4 thì sao?"]
    assert {e.get("input_channel") for e in kept["events"] if e["event"] == "user"} == {"telegram"}
    assert user_texts(a.tracker(f"rest:{chat['id']}")) == ["còn quý 4 thì sao?"]
    assert user_texts(a.tracker(str(chat["id"]))) == []  # nothing under the bare id any more


def test_each_group_member_keeps_their_own_context(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    group = group_chat(next(_chat_ids))
    lan, minh = dict(USER, id=51_000_001), dict(USER, id=51_000_002, first_name="Minh")
    first = telegram(a, group, f"@{TELEGRAM_BOT_NAME} Bộ Y tế đã nộp báo cáo quý 1 chưa?", **{"from": lan})
    assert "Bộ Y tế" in first, first
    other = telegram(a, group, f"@{TELEGRAM_BOT_NAME} còn quý 4 thì sao?", **{"from": minh})
    assert "Bộ Y tế" not in other, other
    own = telegram(a, group, f"@{TELEGRAM_BOT_NAME} còn quý 4 thì sao?", **{"from": lan})
    assert "Bộ Y tế" in own, own
    assert len(user_texts(a.tracker(f"telegram:{group['id']}:{lan['id']}"))) == 2
