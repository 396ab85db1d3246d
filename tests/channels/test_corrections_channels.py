"""An official puts a wrong record right, end to end: the real Rasa server and
action server, the Telegram webhook (fake platform) and the operator CLI. The
official records a report under the wrong quarter, corrects it, then withdraws
it; a record past the window is refused with the operator's command, which
the operator then runs."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import update

from bot.db import models as m
from bot.db.session import make_engine
from tests.channels.conftest import ChannelAssistant
from tests.channels.test_officials_channels import cli, issue_code, say, submissions
from tests.channels.test_telegram import private_chat


def test_telegram_official_corrects_then_withdraws_and_the_operator_finishes(
        channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(880_000_013)
    code = issue_code(a, "Bắc Ninh")
    assert "Đã liên kết tài khoản Telegram này với Tỉnh Bắc Ninh" in say(a, chat, f"/start {code}")
    assert say(a, chat, "Đơn vị tôi đã gửi báo cáo quý 2 ngày 5/5/2022, số 31/BC-UBND")
    assert say(a, chat, "có").startswith("Đã ghi nhận: Tỉnh Bắc Ninh gửi báo cáo quý II/2022")

    reply = say(a, chat, "em nộp nhầm quý, sửa thành quý 1")
    assert "• Văn bản: Báo cáo quý II/2022 (BC-2022-Q2) → Báo cáo quý I/2022 (BC-2022-Q1)" in reply
    assert say(a, chat, "có").startswith("Đã sửa: Tỉnh Bắc Ninh — báo cáo quý I/2022 (BC-2022-Q1)")
    assert submissions(a, "BACNINH") == [("BC-2022-Q1", "31/BC-UBND")]

    reply = say(a, chat, "rut lai bc quy 1 vua bao")
    assert reply.startswith("Anh/chị xác nhận rút lại bản ghi sau:") and "31/BC-UBND" in reply
    assert say(a, chat, "không") == "Đã hủy yêu cầu, bản ghi được giữ nguyên."
    assert submissions(a, "BACNINH") == [("BC-2022-Q1", "31/BC-UBND")]
    say(a, chat, "rút lại báo cáo quý 1 vừa nộp")
    assert say(a, chat, "có").startswith("Đã rút lại: Tỉnh Bắc Ninh — báo cáo quý I/2022 (BC-2022-Q1)")
    assert submissions(a, "BACNINH") == []
    # after that, "có" confirms nothing
    assert "không có yêu cầu ghi nhận nào" in say(a, chat, "có")

    # a record made long ago: refused with the reason and the operator's command
    say(a, chat, "Đơn vị tôi đã gửi kế hoạch ngày 20/4/2022, số 45/KH-UBND")
    say(a, chat, "có")
    engine = make_engine(a.extra["env"]["DATABASE_URL"])
    try:
        with engine.begin() as c:
            c.execute(update(m.Submission).where(m.Submission.reference_number == "45/KH-UBND")
                      .values(created_at=datetime(2022, 4, 20, 2, 0, tzinfo=timezone.utc)))
    finally:
        engine.dispose()
    reply = say(a, chat, "huỷ ghi nhận kế hoạch 2022")
    assert "đã quá 7 ngày cho phép tự rút hoặc sửa" in reply and "liên hệ cán bộ vận hành" in reply
    record_id = re.search(r"lệnh: python -m bot withdraw (\d+)\.", reply).group(1)
    assert submissions(a, "BACNINH") == [("KH-2022", "45/KH-UBND")]
    r = cli(a, "withdraw", record_id, "--reason", "cán bộ Bắc Ninh đề nghị qua điện thoại")
    assert r.returncode == 0, r.stderr
    assert submissions(a, "BACNINH") == []
    audit = cli(a, "audit", "--agency", "BACNINH").stdout
    assert "rút bản ghi" in audit and "sửa bản ghi" in audit and f"telegram:{chat['id']}" in audit
    assert "cán bộ Bắc Ninh đề nghị" in audit
