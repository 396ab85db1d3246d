"""Withdrawing or correcting a record over the REST channel of the assistant
as `make run` starts it: REST is public, so the request is refused with the
reason and the operator's command, and a following "có" changes nothing."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select

from bench.evalset import reply_text
from bot.db import models as m
from bot.db.session import make_engine

from .conftest import Assistant


def real_submissions(assistant: Assistant) -> int:
    engine = make_engine(assistant.database_url)
    try:
        with engine.connect() as c:
            return c.execute(select(func.count()).select_from(m.Submission)).scalar_one()
    finally:
        engine.dispose()


def test_a_public_user_cannot_withdraw_or_correct_and_is_told_who_can(assistant: Assistant) -> None:
    sender = f"corr-{uuid.uuid4().hex[:12]}"
    before = real_submissions(assistant)
    reply = reply_text(assistant.send(sender, "rút lại báo cáo quý 2 vừa nộp"))
    assert reply.startswith("Tôi không thể rút lại bản ghi: chỉ cán bộ có tài khoản đã liên kết với cơ quan qua Zalo "
                            "hoặc Telegram mới được rút hoặc sửa văn bản cơ quan mình đã báo, trong 7 ngày")
    assert "liên hệ cán bộ vận hành; lệnh: python -m bot withdraw <số bản ghi>" in reply
    reply = reply_text(assistant.send(sender, "sua so vb thanh 12/BC-UBND"))
    assert reply.startswith("Tôi không thể sửa bản ghi") and "python -m bot correct <số bản ghi>" in reply
    reply = reply_text(assistant.send(sender, "có"))
    assert "không có yêu cầu ghi nhận nào" in reply
    assert real_submissions(assistant) == before
