"""Pure reading of the user's words in the actions."""
from __future__ import annotations

import unicodedata
from datetime import date as _date

import pytest

from actions.parsing import (clean_reference, find_obligation_code, find_received_date, find_reference_number,
                             mentioned_decisions, mentioned_years)
from bot.db.repository import ObligationView
from bot.phrases import agency_phrase


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Quyết định 942 ban hành ngày nào?", ["942"]),
        ("QD 749/QD-TTg phe duyet gi", ["749"]),
        ("căn cứ 749 và 942", ["749", "942"]),
        ("căn cứ pháp lý là gì", []),
        ("số 7490 không phải", []),
    ],
)
def test_mentioned_decisions(text, expected):
    assert mentioned_decisions(text) == expected
    assert mentioned_decisions(unicodedata.normalize("NFD", text.upper())) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Vì sao năm 2022 quan trọng?", [2022]),
        ("nam 2021 la nam gi", [2021]),
        ("giai đoạn 2020 - 2022 ra sao", [2020, 2021, 2022]),
        ("2020 đến 2022", [2020, 2021, 2022]),
        ("ngày 15/06/2021", [2021]),
        ("năm khởi động nhận thức là năm nào", []),
    ],
)
def test_mentioned_years(text, expected):
    assert mentioned_years(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Tình hình báo cáo của tỉnh Xyz?", "tỉnh Xyz"),
        ("TINH HINH BAO CAO CUA TINH XYZ", "TINH XYZ"),
        ("Bộ Abc đã nộp chưa", "Bộ Abc"),
        ("UBND TP Đà Lạt nộp kế hoạch chưa", "UBND TP Đà Lạt"),
        ("Sở TT&TT Cần Thơ", "Sở TT&TT Cần Thơ"),
        ("hạn báo cáo quý 2", None),
        ("", None),
    ],
)
def test_agency_phrase(text, expected):
    assert agency_phrase(text) == expected


def test_agency_phrase_in_nfd_is_returned_in_nfc():
    assert agency_phrase(unicodedata.normalize("NFD", "của tỉnh Đắc Xyz?")) == "tỉnh Đắc Xyz"


# ------------------------------------------------- details of a reported document
_TODAY = _date(2022, 7, 1)
_KNOWN = [ObligationView(code=c, kind=k, year=2022, quarter=q, title="", due_date=_TODAY,
                         due_date_origin="operator_default", due_date_source="")
          for c, k, q in (("KH-2022", "plan", None), ("BC-2022-Q1", "quarterly_report", 1),
                          ("BC-2022-Q2", "quarterly_report", 2))]


@pytest.mark.parametrize("text,expected", [
    ("đã gửi báo cáo quý 1", "BC-2022-Q1"), ("BC Q2", "BC-2022-Q2"), ("bc-2022-q2", "BC-2022-Q2"),
    ("KẾ HOẠCH năm 2022", "KH-2022"), ("ke hoach", "KH-2022"), ("báo cáo quý II/2022", "BC-2022-Q2"),
    ("báo cáo", None), ("báo cáo quý 3", None), ("kế hoạch năm 2023", None), ("xin chào", None),
])
def test_find_obligation_code(text, expected):
    assert find_obligation_code(text, _TODAY, _KNOWN) == expected


@pytest.mark.parametrize("text,expected", [
    ("ngày 14/3/2022", (_date(2022, 3, 14), None)), ("14-03-22", (_date(2022, 3, 14), None)),
    ("14.3", (_date(2022, 3, 14), None)), ("25/12", (_date(2021, 12, 25), None)),
    ("hôm nay", (_TODAY, None)), ("HOM QUA", (_date(2022, 6, 30), None)),
    ("31/02/2022", (None, "ngày 31/02/2022 không tồn tại")),
    ("02/07/2022", (None, "ngày 02/07/2022 ở sau hôm nay (01/07/2022)")),
    ("số 123/BC-UBND", (None, None)), ("", (None, None)),
])
def test_find_received_date(text, expected):
    assert find_received_date(text, _TODAY) == expected


@pytest.mark.parametrize("text,expected", [
    ("số 123/bc-ubnd ngày 12/4/2022", "123/BC-UBND"), ("45/KH-BTTTT", "45/KH-BTTTT"),
    ("12/04/2022", None), ("không có số", ""), ("khong co so hieu", ""), ("chưa biết", None),
])
def test_find_reference_number(text, expected):
    assert find_reference_number(text) == expected


def test_clean_reference_keeps_only_safe_characters():
    assert clean_reference("  15/bc-ubnd ") == "15/BC-UBND"
    assert clean_reference("=HYPERLINK(\"x\")") == "HYPERLINK(X)"
    assert len(clean_reference("9" * 500)) == 64
