"""Finding the agency phrase in a question (bot.domain.phrases)."""
from __future__ import annotations

import unicodedata

import pytest

from bot.domain.phrases import agency_phrase


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
