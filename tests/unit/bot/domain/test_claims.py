"""bot.domain.claims: premises of yes/no questions checked against the source."""
from __future__ import annotations

import pytest

from bot.domain.claims import find_claims, is_yes_no


def verdicts(text):
    return [(c.kind, c.claimed, c.verdict) for c in find_claims(text)]


@pytest.mark.parametrize("text,expected", [
    ("Văn bản 797 do Bộ Khoa học và Công nghệ ban hành phải không?", [("issuer", "Bộ Khoa học và Công nghệ", False)]),
    ("có phải Bộ TT&TT ban hành văn bản 797 không", [("issuer", "Bộ TT&TT", True)]),
    ("vb 797 là của bộ tttt đúng ko", [("issuer", "bộ tttt", True)]),
    ("văn bản do Thủ tướng ký à", [("issuer", "Thủ tướng", False)]),
    ("Quyết định 749 do Thủ tướng ký đúng không", [("issuer", "Thủ tướng", True)]),
    ("có 5 định hướng phổ cập à?", [("areas", "5 định hướng", False)]),
    ("có sáu nội dung phổ cập đúng không", [("areas", "sáu nội dung", True)]),
    ("22 nhiệm vụ đúng không", [("tasks", "22 nhiệm vụ", True)]),
    ("văn bản có 20 nhiệm vụ à", [("tasks", "20 nhiệm vụ", False)]),
    ("vb ký ngày 9/3 đúng ko?", [("date", "9/3", False)]),
    ("văn bản có phải ký ngày 6/3/2022 không", [("date", "6/3/2022", True)]),
    ("văn bản ban hành năm 2021 hả", [("date", "năm 2021", False)]),
    ("Quyết định 942 ban hành ngày 15/6/2021 đúng không", [("date", "15/6/2021", True)]),
    ("số hiệu là 797/BTTTT-THH phải không", [("number", "số hiệu là 797/BTTTT-THH", True)]),
    ("ký hiệu là 797/QĐ-TTg à", [("number", "ký hiệu là 797/QĐ-TTg", False)]),
    ("năm 2021 là năm đẩy mạnh chuyển đổi số à", [("year", "năm 2021 là năm đẩy mạnh chuyển đổi số", False)]),
    ("năm 2020 là năm khởi động nhận thức đúng không", [("year", "năm 2020 là năm khởi động nhận thức", True)]),
    ("căn cứ quyết định 749 đúng không", [("basis", "quyết định 749", True)]),
    ("văn bản căn cứ nghị quyết 52 phải không", [("basis", "nghị quyết 52", None)]),
    ("quyết định 749 phê duyệt chiến lược chính phủ điện tử à", [("basis", "Quyết định 749", False)]),
    ("văn bản này có áp dụng cho doanh nghiệp không", [("addressees", "doanh nghiệp", False)]),
    ("văn bản 797 có gửi cho UBND các tỉnh không", [("addressees", "UBND các tỉnh", True)]),
    ("báo cáo hằng tháng à", [("frequency", "hằng tháng", False)]),
])
def test_claims(text, expected):
    assert verdicts(text) == expected


@pytest.mark.parametrize("text", [
    "văn bản 797 ban hành ngày nào", "Văn bản có nói về chữ ký số không?", "Bộ Y tế đã nộp báo cáo quý 1 chưa",
    "báo cáo của Bộ Y tế à", "chuyển đổi số năm 2021 trong bối cảnh đại dịch ra sao",
    "sức khỏe có nằm trong 6 định hướng không", "văn bản có gửi cho ai không",
])
def test_no_claim(text):
    assert find_claims(text) == []


def test_the_article_date_is_told_apart_from_the_issue_date():
    (claim,) = find_claims("vb ký ngày 9/3 đúng ko?")
    assert "06/03/2022" in claim.fact and "09/03/2022 là ngày đăng bài viết" in claim.fact


@pytest.mark.parametrize("text,yes_no", [
    ("... phải không?", True), ("đúng ko", True), ("có phải vậy", True), ("có 5 định hướng à?", True),
    ("ban hành ngày nào", False), ("năm 2021 ra sao", False),
])
def test_yes_no(text, yes_no):
    assert is_yes_no(text) is yes_no


@pytest.mark.parametrize("text, verdict", [
    ("có phải văn bản chỉ gửi cho UBND các tỉnh thôi không", False),   # "only": the ministries are left out
    ("vb chi gui cho cac bo thoi a", False),
    ("văn bản gửi cho UBND các tỉnh thôi à", False),
    ("văn bản chỉ gửi cho các bộ và UBND các tỉnh đúng không", True),
    ("văn bản gửi cho UBND các tỉnh phải không", True),                # not "only": one of the addressees
])
def test_a_claim_that_only_some_addressees_receive_it_is_checked_as_a_whole(text, verdict):
    (claim,) = find_claims(text)
    assert claim.kind == "addressees" and claim.verdict is verdict
    assert "thôi" not in claim.claimed


@pytest.mark.parametrize("text, yes_no", [
    ("6 dinh huong pho cap la gi a", False),          # "là gì ạ": a what-question, said politely
    ("sáu định hướng phổ cập là gì ạ", False),
    ("hạn nộp kế hoạch khi nào à", False),
    ("có 5 định hướng phổ cập à?", True),             # the particle after a statement: a yes/no question
    ("văn bản do Bộ Y tế ban hành à", True),
    ("có phải văn bản nói về những gì à", True),       # "có phải" asks whether, whatever follows
])
def test_a_polite_particle_after_a_wh_question_is_no_yes_no_question(text, yes_no):
    assert is_yes_no(text) is yes_no
