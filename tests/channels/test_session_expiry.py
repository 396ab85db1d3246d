"""Session expiry in the middle of recording a submission (issue 13), on the real
Rasa server over HTTP on loopback (Telegram webhook and REST channel).

The session is made to expire the way it does after an hour: the stored events
of the conversation (Rasa's SQL tracker store, the SQLite file of the channel
assistant) are moved two hours into the past, timestamp column and event JSON
alike, so that Rasa's own check (minutes since the last user message >
``session_config.session_expiration_time``) starts a new session at the next
message and runs ``action_session_start``.
"""
from __future__ import annotations

import sqlite3

from tests.channels.conftest import ChannelAssistant
from tests.channels.test_conversations import rest
from tests.channels.test_officials_channels import issue_code, say, submissions
from tests.channels.test_telegram import private_chat

IDLE_S = 2 * 3600


def idle(assistant: ChannelAssistant, conversation: str, seconds: int = IDLE_S) -> None:
    """Every stored event of ``conversation`` happened ``seconds`` earlier."""
    with sqlite3.connect(assistant.extra["conversations_db"], timeout=30) as c:
        moved = c.execute(
            "UPDATE events SET timestamp = timestamp - ?, "
            "data = json_set(data, '$.timestamp', json_extract(data, '$.timestamp') - ?) WHERE sender_id = ?",
            (seconds, seconds, conversation)).rowcount
    assert moved > 0, conversation


def sessions(assistant: ChannelAssistant, conversation: str) -> int:
    with sqlite3.connect(assistant.extra["conversations_db"], timeout=30) as c:
        return c.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'session_started'",
                         (conversation,)).fetchone()[0]


def test_a_yes_after_expiry_never_saves_an_unseen_summary(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(880_000_131)
    conversation = f"telegram:{chat['id']}"
    assert "Đã liên kết" in say(a, chat, f"mã liên kết {issue_code(a, 'Bộ Công Thương')}")

    # the summary is shown, then the official leaves for two hours
    reply = say(a, chat, "Đơn vị tôi đã gửi báo cáo quý 1 ngày 14/3/2022, số 31/BC-BCT")
    assert "• Văn bản: Báo cáo quý I/2022 (BC-2022-Q1)" in reply and "Trả lời \"có\"" in reply
    assert sessions(a, conversation) == 1
    idle(a, conversation)
    reply = say(a, chat, "có")
    assert sessions(a, conversation) == 2  # Rasa did start a new session
    assert reply.startswith("Cuộc trò chuyện đã tạm dừng hơn 60 phút nên yêu cầu ghi nhận văn bản đang dở "
                            "đã được hủy: chưa có gì được ghi. Thông tin anh/chị đã nhập: báo cáo quý I/2022 "
                            "(BC-2022-Q1), ngày gửi 14/03/2022, số 31/BC-BCT."), reply
    assert "Hiện không có yêu cầu ghi nhận nào đang chờ xác nhận" in reply
    assert submissions(a, "BCT") == []
    tracker = a.tracker(conversation)
    assert tracker["slots"]["sub_pending"] in (None, False) and tracker["slots"]["sub_obligation"] is None
    assert tracker["slots"]["agency_code"] == "BCT"  # the rest carries over

    # reported again in the new session, it is summarised and saved on "có"
    assert "• Số hiệu: 31/BC-BCT" in say(a, chat, "Đơn vị tôi đã gửi báo cáo quý 1 ngày 14/3/2022, số 31/BC-BCT")
    assert say(a, chat, "có").startswith("Đã ghi nhận: Bộ Công Thương gửi báo cáo quý I/2022")
    assert submissions(a, "BCT") == [("BC-2022-Q1", "31/BC-BCT")]


def test_a_form_left_half_way_is_dropped_after_expiry_and_other_context_kept(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(880_000_132)
    conversation = f"telegram:{chat['id']}"
    assert "Đã liên kết" in say(a, chat, f"mã liên kết {issue_code(a, 'Bộ Xây dựng')}")
    assert "Anh/chị muốn ghi nhận văn bản nào" in say(a, chat, "tôi muốn ghi nhận văn bản đã gửi")
    assert "gửi Bộ TT&TT ngày nào" in say(a, chat, "báo cáo quý II")
    idle(a, conversation)
    reply = say(a, chat, "có")
    assert "chưa có gì được ghi. Thông tin anh/chị đã nhập: báo cáo quý II/2022 (BC-2022-Q2). Nếu vẫn" in reply
    assert "Hiện không có yêu cầu ghi nhận nào" in reply
    tracker = a.tracker(conversation)
    assert not (tracker.get("active_loop") or {}).get("name")
    # a date typed next is not taken into a form that no longer runs
    say(a, chat, "ngày 10/5/2022")
    assert "không có yêu cầu ghi nhận nào" in say(a, chat, "có")
    assert submissions(a, "BXD") == []

    # over REST, with nothing pending, the new session keeps the agency asked
    # about and adds no notice
    sender = "expiry-rest-1"
    assert rest(a, sender, "Bộ Y tế đã nộp báo cáo quý 1 chưa?").startswith("Bộ Y tế")
    idle(a, f"rest:{sender}")
    answer = rest(a, sender, "còn quý 4 thì sao?")
    assert sessions(a, f"rest:{sender}") == 2
    assert answer.startswith("Bộ Y tế — báo cáo quý IV/2022"), answer
    assert "tạm dừng" not in answer

