"""Hand-off to a person, end to end on loopback: real Rasa and action servers,
the fake Telegram and Zalo APIs (conftest), the staff group
``HANDOFF_TELEGRAM_CHAT_ID`` = :data:`HANDOFF_GROUP`.

Users on Telegram, Zalo and REST ask for a person and confirm; the thread
appears in the staff group; a staff reply (Telegram reply-to) reaches the
right user on the right channel; the user's next message is relayed, not
answered; a reply in the group to anything else goes nowhere; either side
closes; an idle hand-off ends by itself (its last activity moved back in the
database, as a clock would); a restart of the Rasa server loses nothing."""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any, Dict, List

import requests
from sqlalchemy import create_engine, text

from bot.channels.config import short_id
from tests.channels.conftest import HANDOFF_GROUP, ChannelAssistant
from tests.channels.test_conversations import rest
from tests.channels.test_telegram import BOT, message, post, private_chat, texts
from tests.channels.test_zalo import post as zalo_post
from tests.channels.test_zalo import text_event
from tests.channels.widget_client import WidgetClient

_chat_ids = itertools.count(760_000_001)
_zalo_users = itertools.count(8_760_000_000_000_001)
_staff_message_ids = itertools.count(90_001)
STAFF = {"id": 5550001, "is_bot": False, "first_name": "Hà", "last_name": "Trần"}
GROUP_CHAT = {"id": HANDOFF_GROUP, "title": "Tổ hỗ trợ Trợ lý 797", "type": "supergroup"}
OFFER = "Anh/chị có muốn chuyển cho cán bộ không?"
OPENED = "Tôi đã chuyển cuộc trò chuyện cho cán bộ"
STAFF_PREFIX = "Cán bộ hỗ trợ: "


def group_messages(a: ChannelAssistant) -> List[Dict[str, Any]]:
    """Every sendMessage to the staff group, with the id the fake gave it."""
    return [dict(c["params"], message_id=c.get("message_id")) for c in a.telegram.snapshot()
            if c["method"] == "sendMessage" and str(c["params"].get("chat_id")) == str(HANDOFF_GROUP)]


def wait_group(a: ChannelAssistant, contains: str, timeout_s: float = 20) -> Dict[str, Any]:
    """The latest group message containing ``contains`` (waits for it)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [m for m in group_messages(a) if contains in m["text"]]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no group message with {contains!r}: {group_messages(a)[-3:]}"
        time.sleep(0.1)


def staff_says(a: ChannelAssistant, reply_to: int, words: str, chat: Dict[str, Any] = GROUP_CHAT) -> None:
    """A staff member replies (Telegram reply-to) to message ``reply_to`` in ``chat``."""
    update = {"message": {"message_id": next(_staff_message_ids), "from": STAFF, "chat": chat,
                          "date": int(time.time()), "text": words,
                          "reply_to_message": {"message_id": reply_to, "from": BOT, "chat": chat,
                                               "date": int(time.time()), "text": "…"}}}
    assert post(a, update).status_code == 200


def telegram_says(a: ChannelAssistant, chat: Dict[str, Any], words: str, **fields: Any) -> str:
    before = len(texts(a, chat["id"]))
    assert post(a, {"message": message(chat, text=words, **fields)}).status_code == 200
    return "\n".join(texts(a, chat["id"])[before:])


def open_on_telegram(a: ChannelAssistant) -> tuple:
    """A private Telegram chat that asked for a person and said yes: ``(chat, thread message)``."""
    chat = private_chat(next(_chat_ids))
    assert OFFER in telegram_says(a, chat, "cho tôi gặp cán bộ")
    assert OPENED in telegram_says(a, chat, "có")
    thread = wait_group(a, f"Người dùng: {str(chat['id'])[:3]}…{str(chat['id'])[-2:]}")
    assert "Kênh: Telegram" in thread["text"] and "Người dùng: cho tôi gặp cán bộ" in thread["text"]
    return chat, thread


def test_telegram_user_and_staff_talk_through_the_group(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat, thread = open_on_telegram(a)
    assert "Yêu cầu gặp cán bộ #" in thread["text"] and "/xong" in thread["text"]
    assert json.loads(thread["reply_markup"])["inline_keyboard"][0][0]["text"] == "Kết thúc hỗ trợ"

    # the user's next message goes to the thread, not to the NLU
    question = "Đơn vị tôi chưa nhận được Văn bản 797 thì làm thế nào?"
    assert telegram_says(a, chat, question) == ""  # the assistant stays silent
    relayed = wait_group(a, question)
    assert str(relayed["reply_to_message_id"]) == str(thread["message_id"])

    staff_says(a, thread["message_id"], "Chào anh/chị, tôi sẽ gửi lại văn bản qua hệ thống quản lý văn bản.")
    a.telegram.wait_for_calls(lambda c: c["method"] == "sendMessage" and str(c["params"]["chat_id"]) == str(chat["id"])
                              and c["params"]["text"].startswith(STAFF_PREFIX))
    assert texts(a, chat["id"])[-1] == STAFF_PREFIX + "Chào anh/chị, tôi sẽ gửi lại văn bản qua hệ thống quản lý văn bản."

    # a reply to the relayed copy stays in the same thread
    staff_says(a, relayed["message_id"], "Anh/chị kiểm tra lại hộp thư nhé.")
    a.telegram.wait_for_calls(lambda c: c["params"].get("text") == STAFF_PREFIX + "Anh/chị kiểm tra lại hộp thư nhé.")

    # staff close with /xong as a reply in the thread; the assistant answers again
    staff_says(a, thread["message_id"], "/xong")
    a.telegram.wait_for_calls(lambda c: str(c["params"].get("chat_id")) == str(chat["id"])
                              and "Cán bộ đã kết thúc trao đổi" in c["params"].get("text", ""))
    wait_group(a, "đã kết thúc hỗ trợ")
    assert "797/BTTTT-THH" in telegram_says(a, chat, "Văn bản 797 có số hiệu là gì?")


def test_a_retried_message_is_relayed_once(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat, thread = open_on_telegram(a)
    question = "Cho tôi hỏi hạn nộp kế hoạch của đơn vị tôi có được lùi không?"
    update = {"message": message(chat, text=question)}
    assert post(a, dict(update, update_id=next(_staff_message_ids) + 10**8)).status_code == 200
    # the platform delivers the same message again in another update (lost state): still relayed once
    assert post(a, dict(update, update_id=next(_staff_message_ids) + 10**8)).status_code == 200
    wait_group(a, question)
    time.sleep(0.5)
    assert len([m for m in group_messages(a) if question in m["text"]]) == 1
    staff_says(a, thread["message_id"], "/xong")


def test_group_replies_to_anything_else_go_nowhere(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat, thread = open_on_telegram(a)
    before = len(a.telegram.snapshot())
    staff_says(a, 1, "Tin này trả lời một tin nhắn không thuộc yêu cầu nào.")  # unrelated message
    assert post(a, {"message": {"message_id": next(_staff_message_ids), "from": STAFF, "chat": GROUP_CHAT,
                                "date": int(time.time()), "text": "Chào cả nhóm"}}).status_code == 200
    # another group's reply to the thread's id is no staff reply (there the assistant answers as usual)
    other_group = {"id": -1009000000777, "title": "Nhóm khác", "type": "supergroup"}
    staff_says(a, thread["message_id"], "Tin từ nhóm khác.", chat=other_group)
    time.sleep(1.5)
    sent = [c["params"] for c in a.telegram.snapshot()[before:] if c["method"] == "sendMessage"]
    assert [p["chat_id"] for p in sent if str(p["chat_id"]) in (str(chat["id"]), str(HANDOFF_GROUP))] == [], sent
    staff_says(a, thread["message_id"], "/xong")


def test_staff_close_with_the_button(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat, thread = open_on_telegram(a)
    button = json.loads(thread["reply_markup"])["inline_keyboard"][0][0]
    query = {"id": "cb-handoff-1", "from": STAFF, "data": button["callback_data"],
             "message": {"message_id": thread["message_id"], "chat": GROUP_CHAT, "date": int(time.time()),
                         "from": BOT, "text": thread["text"]}}
    assert post(a, {"callback_query": query}).status_code == 200
    a.telegram.wait_for_calls(lambda c: str(c["params"].get("chat_id")) == str(chat["id"])
                              and "Cán bộ đã kết thúc trao đổi" in c["params"].get("text", ""))
    assert "797/BTTTT-THH" in telegram_says(a, chat, "Văn bản 797 có số hiệu là gì?")


def test_rest_user_gets_staff_replies_with_the_next_message_and_ends_it(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    sender = "handoff-rest-1"
    offer = requests.post(f"{a.url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": "tôi muốn nói chuyện với người thật"}, timeout=60).json()
    assert OFFER in offer[-1]["text"]
    assert [b["payload"] for b in offer[-1]["buttons"]] == ["/affirm", "/deny"]  # never without a yes
    assert OPENED in rest(a, sender, "có")
    thread = wait_group(a, f"Kênh: REST · Người dùng: {short_id(sender)}")
    staff_says(a, thread["message_id"], "Chào anh, anh cần hỗ trợ về nội dung nào?")
    time.sleep(0.5)
    answer = rest(a, sender, "Về hạn nộp báo cáo quý 3 ạ")
    assert answer == STAFF_PREFIX + "Chào anh, anh cần hỗ trợ về nội dung nào?", answer
    assert wait_group(a, "Về hạn nộp báo cáo quý 3 ạ")["reply_to_message_id"] == str(thread["message_id"])
    ended = rest(a, sender, "kết thúc")
    assert "đã kết thúc trao đổi với cán bộ" in ended
    wait_group(a, "người dùng đã kết thúc trao đổi")
    assert "797/BTTTT-THH" in rest(a, sender, "Văn bản 797 có số hiệu là gì?")


def test_declining_keeps_the_assistant(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    sender = "handoff-rest-declines"
    assert OFFER in rest(a, sender, "chuyển cho nhân viên hỗ trợ")
    assert "tôi tiếp tục hỗ trợ" in rest(a, sender, "không")
    assert "797/BTTTT-THH" in rest(a, sender, "Văn bản 797 có số hiệu là gì?")


def test_zalo_user_gets_staff_replies_and_a_refusal_is_shown_to_staff(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    user = str(next(_zalo_users))

    def zalo_says(words: str) -> None:
        assert zalo_post(a, text_event(user, words)).status_code == 200

    zalo_says("cho tôi gặp cán bộ")
    a.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and OFFER in str(c["body"]))
    zalo_says("có")
    a.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and OPENED in str(c["body"]))
    thread = wait_group(a, f"Kênh: Zalo · Người dùng: {user[:3]}…{user[-2:]}")
    zalo_says("Sở tôi cần xác nhận đã nộp báo cáo quý 2")
    assert wait_group(a, "Sở tôi cần xác nhận đã nộp báo cáo quý 2")["reply_to_message_id"] == str(thread["message_id"])
    staff_says(a, thread["message_id"], "Bộ đã nhận báo cáo quý 2 của Sở.")
    a.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["message"]["text"]
                          == STAFF_PREFIX + "Bộ đã nhận báo cáo quý 2 của Sở.")
    a.zalo.refuse(user)  # outside Zalo's messaging window
    staff_says(a, thread["message_id"], "Anh còn cần gì thêm không?")
    warning = wait_group(a, "chưa gửi được tin nhắn tới người dùng")
    assert warning["reply_to_message_id"] == str(thread["message_id"])


def test_idle_handoff_ends_with_a_note_to_both_sides(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    sender = "handoff-rest-idle"
    rest(a, sender, "cho tôi gặp cán bộ")
    assert OPENED in rest(a, sender, "có")
    wait_group(a, f"Kênh: REST · Người dùng: {short_id(sender)}")
    # 25 hours without a message: the clock of the stored hand-off is moved back
    engine = create_engine(a.extra["database_url"])
    with engine.begin() as c:
        moved = c.execute(text("UPDATE handoff SET last_activity_at = datetime(last_activity_at, '-25 hours') "
                               "WHERE conversation = :c AND status = 'open'"), {"c": f"rest:{sender}"}).rowcount
    assert moved == 1
    answer = rest(a, sender, "Văn bản 797 có số hiệu là gì?")
    assert "tự kết thúc vì không có tin nhắn mới trong 24 giờ" in answer and "797/BTTTT-THH" in answer
    wait_group(a, "tự kết thúc sau 24 giờ")
    with engine.connect() as c:
        actions = [r[0] for r in c.execute(text(
            "SELECT action FROM audit_entry WHERE user_id = :u AND action LIKE 'handoff%' ORDER BY id"),
            {"u": sender})]
    assert actions == ["handoff_open", "handoff_close"]


def test_a_restart_of_the_rasa_server_loses_no_handoff(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat, thread = open_on_telegram(a)
    launcher = a.extra["launcher"]
    launcher.stop("rasa")
    launcher.start("rasa")
    launcher.wait_ready("rasa")
    staff_says(a, thread["message_id"], "Sau khi khởi động lại, tôi vẫn trả lời được anh.")
    a.telegram.wait_for_calls(lambda c: c["params"].get("text")
                              == STAFF_PREFIX + "Sau khi khởi động lại, tôi vẫn trả lời được anh.")
    telegram_says(a, chat, "Cảm ơn cán bộ")
    assert wait_group(a, "Cảm ơn cán bộ")["reply_to_message_id"] == str(thread["message_id"])
    assert "đã kết thúc trao đổi với cán bộ" in telegram_says(a, chat, "quay lại trợ lý")


async def _widget_handoff(a: ChannelAssistant) -> tuple:
    """A widget visitor asks for a person; staff answer while connected, then
    while the visitor is away: the kept reply arrives on reconnect."""
    async with WidgetClient(a.url) as client:
        session_id = await client.request_session(None)
        assert OFFER in await client.say("cho tôi gặp cán bộ")
        assert OPENED in await client.say("có")
        thread = await asyncio.to_thread(wait_group, a, f"Người dùng: {short_id(session_id)}")
        assert "Kênh: trang web (widget)" in thread["text"]
        await asyncio.to_thread(staff_says, a, thread["message_id"], "Chào anh/chị, tôi đang xem câu hỏi.")
        live = await client.replies(quiet_s=0.5)
    await asyncio.sleep(1)  # the server has seen the socket leave
    await asyncio.to_thread(staff_says, a, thread["message_id"], "Văn bản đã được gửi lại cho đơn vị.")
    async with WidgetClient(a.url) as client:
        assert await client.request_session(session_id) == session_id
        kept = await client.replies(quiet_s=0.5)
    return live, kept


def test_widget_user_gets_staff_replies_live_and_on_reconnect(channel_assistant: ChannelAssistant) -> None:
    live, kept = asyncio.run(_widget_handoff(channel_assistant))
    assert [m["text"] for m in live] == [STAFF_PREFIX + "Chào anh/chị, tôi đang xem câu hỏi."]
    assert [m["text"] for m in kept] == [STAFF_PREFIX + "Văn bản đã được gửi lại cho đơn vị."]
