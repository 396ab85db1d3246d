"""Compound messages over the REST channel (issue 11): every part gets its answer.

Each message asks two things (a status and a fact of the directive, two
priority areas, a topic the article does not cover and a deadline); the reply
must hold the answer to each part. Messages written for this test, apart from
the held-out sets and the training data.
"""
from __future__ import annotations

import re
import unicodedata
import uuid

import pytest

from bench.evalset import reply_text

from .conftest import Assistant


@pytest.mark.parametrize("message,expected", [
    # a status question, then a fact of the directive
    ("Bộ Công an đã gửi báo cáo quý 1 chưa, còn văn bản 797 ký ngày nào?",
     [r"Bộ Công an", r"quý I/2022", r"06/03/2022"]),
    # a status question in chat abbreviations, then where the plan goes
    ("BYT nộp kh chưa ad, mà kh gửi về đâu z", [r"Bộ Y tế", r"[Kk]ế hoạch", r"Bộ Thông tin và Truyền thông|Bộ TT&TT"]),
    # a status question, then a topic the article does not mention
    ("tỉnh Hà Nam nộp bc q1 chưa, và vb có nói về chữ ký số không", [r"Tỉnh Hà Nam", r"quý I/2022", r"không đề cập «chữ ký số»"]),
    # two priority areas
    ("vb nói gì về tư vấn sức khỏe và dạy học trực tuyến", [r"tư vấn sức khỏe", r"dạy học trực tuyến"]),
    # a topic the article does not cover, then a deadline
    ("nộp bc muộn có bị phạt không, hạn nộp kế hoạch là ngày nào", [r"không (?:đề cập|nói|nêu)", r"30/04/2022"]),
    # a topic the article does not mention, then a fact
    ("vb có nhắc tới blockchain ko, còn ai ban hành vb", [r"không đề cập «blockchain»", r"Bộ Thông tin và Truyền thông"]),
])
def test_every_part_is_answered(assistant: Assistant, message: str, expected: list) -> None:
    reply = unicodedata.normalize("NFC", reply_text(assistant.send(f"compound-{uuid.uuid4().hex[:10]}", message)))
    missing = [p for p in expected if not re.search(p, reply)]
    assert not missing, (missing, reply)
