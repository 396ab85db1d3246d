"""bot.domain.questions: the facts a message asks, clause by clause."""
from __future__ import annotations

import pytest

from bot.domain.questions import asked_facts, facts_beside_status, is_compound


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
    # how often, and who collects the reports
    ("bc mấy tháng 1 lần, ai là nơi tổng hợp", ["quarterly_report", "committee"]),
    # what the addressees must do is the plan
    ("các bộ phải làm những gì và báo cáo định kỳ ra sao", ["plan", "quarterly_report"]),
    ("vb gửi ai, các tỉnh cần làm gì", ["addressees", "plan"]),
    ("ai ban hành vb, gửi cho những đâu, hạn nộp kh khi nào", ["issuer", "addressees", "deadline"]),
    # chat abbreviations and Telex residue are read as meant
    ("soos hieeuj vb laf gi, ddc kys ngayf naof", ["number", "date"]),
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
    # "gửi đâu" after a plan asks where the plan goes (one question, not the addressees)
    ("tỉnh phải lập kế hoạch gì và gửi đâu", ["plan"]),
    ("tỉnh phải làm kh j, gửi đâu z", ["plan"]),
    ("tinhr phair laapj kees hoachj gif, guwir ddaau", ["plan"]),
])
def test_single_questions(text, expected):
    assert facts(text) == expected
    assert not is_compound(text)[0]


@pytest.mark.parametrize("text,expected", [
    ("Bộ Y tế đã nộp báo cáo quý 2 chưa, mà hạn báo cáo quý 2 là khi nào", ["deadline"]),
    ("Sở TT&TT Nghệ An nộp bc q1 chưa, bc quý gửi cho ai?", ["quarterly_report"]),
    ("UBND tỉnh Hải Dương nộp kế hoạch chưa và kế hoạch gửi về đâu", ["plan"]),  # "nộp kế hoạch chưa" is the status
    ("Bộ Tài chính còn thiếu gì không? văn bản 797 ban hành ngày nào", ["date"]),
    ("Bộ Y tế và UBND tỉnh Nam Định đã nộp báo cáo quý 1 chưa?", []),  # one status question
    ("hạn báo cáo quý 3 của Bộ Ngoại giao và Bộ Quốc phòng", []),  # no status clause
    ("văn bản gửi ai, hạn nộp kế hoạch khi nào?", []),
])
def test_facts_beside_a_status_question(text, expected):
    assert [f.fact for f in facts_beside_status(text)] == expected


def test_text_clauses_keep_the_accents_and_cut_where_the_facts_are_cut():
    from bot.domain.questions import clauses_of, text_clauses

    text = "văn bản có nói về trí tuệ nhân tạo không, còn ai ban hành văn bản"
    assert text_clauses(text) == ["văn bản có nói về trí tuệ nhân tạo không", "ai ban hành văn bản"]
    assert len(text_clauses(text)) == len(clauses_of(text))
