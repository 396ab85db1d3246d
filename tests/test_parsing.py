"""Pure reading of the user's words in the actions."""
from __future__ import annotations

import unicodedata

import pytest

from actions.parsing import mentioned_decisions, mentioned_years
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
