"""Telegram and Zalo edge cases on the real assistant over loopback (issue 13):
anonymous group admins and messages sent as a channel are public members of
the group, automatic forwards from a linked channel are ignored, an expired
inline button is answered without reaching the NLU, and a Zalo number counts
only as the answer to the list just sent."""
from __future__ import annotations

import itertools
import time

from tests.channels.conftest import TELEGRAM_BOT_NAME, ChannelAssistant
from tests.channels.test_telegram import BOT, USER, group_chat, message, post, private_chat, texts
from tests.channels.test_zalo import OA_ID, ZALO_APP_ID, new_user, now_ms, text_event
from tests.channels.test_zalo import post as zalo_post

_chat_ids = itertools.count(780_000_001)
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
TELEGRAM_SERVICE = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
QUESTION = f"@{TELEGRAM_BOT_NAME} Văn bản 797 có số hiệu là gì?"


def mention(text: str = QUESTION) -> dict:
    return {"text": text, "entities": [{"type": "mention", "offset": 0, "length": len(TELEGRAM_BOT_NAME) + 1}]}


def user_texts(tracker: dict) -> list:
    return [e.get("text") for e in tracker.get("events") or [] if e.get("event") == "user"]


def test_anonymous_admin_mentioning_the_bot_is_answered_as_a_group_member(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    group = group_chat(next(_chat_ids))
    anonymous = dict(message(group, **mention()), sender_chat=dict(group), author_signature="Quản trị viên")
    anonymous["from"] = ANONYMOUS_ADMIN
    assert post(a, {"message": anonymous}).status_code == 200
    replies = texts(a, group["id"])
    assert len(replies) == 1 and "797/BTTTT-THH" in replies[0], replies
    # keyed by the sender chat (the group itself), as a member of the group: never a person, never the bot
    assert user_texts(a.tracker(f"telegram:{group['id']}:{group['id']}")) == ["Văn bản 797 có số hiệu là gì?"]
    assert user_texts(a.tracker(f"telegram:{group['id']}:{ANONYMOUS_ADMIN['id']}")) == []

    # not addressed to the bot: silence, as for any member
    quiet = dict(message(group, text="Văn bản 797 có số hiệu là gì?"), sender_chat=dict(group))
    quiet["from"] = ANONYMOUS_ADMIN
    assert post(a, {"message": quiet}).status_code == 200
    assert len(texts(a, group["id"])) == 1


def test_a_message_sent_as_a_channel_replying_to_the_bot_is_answered(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    group = group_chat(next(_chat_ids))
    channel = {"id": -1009876543210, "title": "Sở TT&TT — kênh tin", "type": "channel"}
    reply = dict(message(group, text="Văn bản 797 ban hành ngày nào?", sender_chat=channel,
                         reply_to_message={"message_id": 1001, "from": BOT, "chat": group, "date": int(time.time()),
                                           "text": "..."}))
    reply["from"] = CHANNEL_BOT
    assert post(a, {"message": reply}).status_code == 200
    replies = texts(a, group["id"])
    assert len(replies) == 1 and "06/03/2022" in replies[0], replies
    assert user_texts(a.tracker(f"telegram:{group['id']}:{channel['id']}")) == ["Văn bản 797 ban hành ngày nào?"]


def test_automatic_forward_from_the_linked_channel_is_ignored(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    group = group_chat(next(_chat_ids))
    channel = {"id": -1001234567890, "title": "Sở TT&TT — kênh tin", "type": "channel"}
    forward = dict(message(group, **mention()), sender_chat=channel, is_automatic_forward=True,
                   forward_from_chat=channel, forward_from_message_id=77, forward_date=int(time.time()))
    forward["from"] = TELEGRAM_SERVICE
    assert post(a, {"message": forward}).status_code == 200
    time.sleep(0.3)
    assert texts(a, group["id"]) == []


def test_an_expired_button_is_answered_and_nothing_reaches_the_nlu(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(next(_chat_ids))
    stale = "#0123456789abcdef01234567"  # a long button's id this server never stored (or has forgotten)
    keyboard = [[{"text": "Ủy ban nhân dân Thành phố Hồ Chí Minh", "callback_data": stale}]]
    query = {"id": "expired-query-1", "from": dict(USER, id=chat["id"]), "chat_instance": "-42", "data": stale,
             "message": {"message_id": 1002, "from": BOT, "chat": chat, "date": int(time.time()) - 86400 * 40,
                         "text": "Anh/chị hỏi về cơ quan nào?", "reply_markup": {"inline_keyboard": keyboard}}}
    assert post(a, {"callback_query": query}).status_code == 200
    answered = [c for c in a.telegram.snapshot() if c["method"] == "answerCallbackQuery"]
    assert any(c["params"]["callback_query_id"] == "expired-query-1" for c in answered)
    replies = texts(a, chat["id"])
    assert len(replies) == 1 and replies[0].startswith("Nút này đã hết hạn"), replies
    assert user_texts(a.tracker(f"telegram:{chat['id']}")) == []


def test_a_number_typed_in_another_context_is_ordinary_text(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    user = new_user()
    follow = {"oa_id": OA_ID, "follower": {"id": user}, "user_id_by_app": "552177279717587732",
              "event_name": "follow", "source": "oa_profile", "app_id": ZALO_APP_ID, "timestamp": now_ms()}
    assert zalo_post(a, follow).status_code == 200
    sent = lambda n: a.zalo.wait_for_calls(  # noqa: E731
        lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user, count=n)
    sent(1)
    assert "\n2. 6 định hướng phổ cập" in a.zalo.texts_to(user)[0]

    # the user asks something else; the answer carries no list
    assert zalo_post(a, text_event(user, "Văn bản 797 có số hiệu là gì?")).status_code == 200
    sent(2)
    assert "797/BTTTT-THH" in a.zalo.texts_to(user)[1]

    # a later "2" no longer picks the greeting's second option: the NLU reads it as text
    assert zalo_post(a, text_event(user, "2")).status_code == 200
    sent(3)
    assert "6 nội dung phổ cập" not in a.zalo.texts_to(user)[2]
    last = [e for e in a.tracker(f"zalo:{user}")["events"] if e.get("event") == "user"][-1]
    assert last["text"] == "2" and last["parse_data"]["intent"]["name"] != "ask_priority_areas"
