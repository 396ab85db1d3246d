"""bot.domain.questions: the facts a message asks, clause by clause."""
from __future__ import annotations

import pytest

from bot.domain.questions import asked_facts, is_compound


def facts(text):
    return [f.fact for f in asked_facts(text)]


@pytest.mark.parametrize("text,expected", [
    ("ai ban hành và ban hành khi nào?", ["issuer", "date"]),
    ("số hiệu và ngày ban hành của vb 797", ["number", "date"]),
    ("văn bản gửi ai, hạn nộp kế hoạch khi nào?", ["addressees", "deadline"]),
    ("vb 797 số mấy, ký ngày nào", ["number", "date"]),
    ("cơ quan nào ban hành, gửi cho ai và căn cứ vào đâu", ["issuer", "addressees", "legal_basis"]),
    ("có bao nhiêu nhiệm vụ và bao nhiêu nội dung phổ cập", ["tasks", "priority_areas"]),
    ("phải nộp kế hoạch chuyển đổi số cho ai và khi nào", ["plan", "deadline"]),  # "khi nào" of the plan
    ("SO HIEU VA NGAY BAN HANH", ["number", "date"]),
])
def test_compound_questions(text, expected):
    assert facts(text) == expected
    assert is_compound(text)[0]


@pytest.mark.parametrize("text,expected", [
    ("Văn bản 797/BTTTT-THH được ban hành khi nào?", ["date"]),
    ("Số hiệu văn bản hướng dẫn chuyển đổi số 2022 là gì?", ["number"]),
    ("Cơ sở pháp lý của văn bản 797 là gì?", ["legal_basis"]),
    ("Quyết định 942 ban hành ngày nào?", ["legal_basis"]),  # the decision's date is in its answer
    ("hạn bc q3 là bao giờ ạ", ["deadline"]),
    ("hạn nộp báo cáo quý 4 năm 2022 là bao giờ", ["deadline"]),
    ("năm 2020 đc coi là năm j", ["year_role"]),
    ("định hướng xuyên suốt của năm 2022 là gì", ["orientation"]),
    ("báo cáo gửi cho ai", ["quarterly_report"]),  # where reports go, not the directive's addressees
    ("Bộ Y tế đã nộp báo cáo quý 1 chưa", []),
])
def test_single_questions(text, expected):
    assert facts(text) == expected
    assert not is_compound(text)[0]
