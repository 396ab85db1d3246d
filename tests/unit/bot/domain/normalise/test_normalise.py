"""normalise(): canonical text with offsets into the raw message."""
from __future__ import annotations

import unicodedata

import pytest

from bot.domain.normalise import bench, chat_fold, normalise, normalised_text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Booj Taif chinhs ddax noopj keesh hoachj chuwa", "Bộ Tài chính đã nộp kế hoạch chưa"),
        ("ubnd tinh Nghe65 An nop bc chua", "ubnd tinh Nghệ An nop báo cáo chua"),
        ("DDN nop chua", "ĐN nop chua"),
        ("bo gd&ddt", "bo gd&đt"),
        ("BOOJ TAIF CHINHS", "BỘ TÀI CHÍNH"),
        ("qúy 3 Uỷ ban Thanh Hoá", "quý 3 Ủy ban Thanh Hóa"),
        ("quí 3", "quý 3"),
        ("ke hoach cds cua bo gd đc nop chua", "ke hoach chuyển đổi số cua bo gd được nop chua"),
        # "oo" is Telex for "ô" although "coong", "khoong" are (rare) unmarked syllables
        ("soos hieeuj coong vawn", "số hiệu công văn"),
        ("Khoong bieets thoong tin", "Không biết thông tin"),
        ("boong tàu, xoong nồi", "boong tàu, xoong nồi"),
    ],
)
def test_decodes_and_expands(raw, text):
    assert normalised_text(raw) == text


@pytest.mark.parametrize(
    "raw",
    [
        "chua nop bao cao", "ban hanh ngay nao", "Bộ Y tế đã nộp báo cáo quý 2 chưa?",
        "797/BTTTT-THH", "ma ABCDE-23456", "abc.def@gmail.com", "https://example.vn/a?b=1",
        "see the website for more info", "is it good", "VAST nộp chưa", "BTC BYT NHNN", "123/BC-UBND ngày 12/4/2022",
    ],
)
def test_plain_vietnamese_english_and_codes_stay(raw):
    assert normalised_text(raw) == raw


def test_offsets_point_into_raw_nfd_text():
    raw = unicodedata.normalize("NFD", "Bộ Tài chính") + " noopj bc"
    norm = normalise(raw)
    assert norm.text == "Bộ Tài chính nộp báo cáo"
    assert len(norm.starts) == len(norm.text) + 1 and norm.starts[-1] == len(raw)
    i = norm.text.index("nộp")
    s, e = norm.raw_span(i, i + 3)
    assert raw[s:e] == "noopj"
    i = norm.text.index("báo cáo")
    s, e = norm.raw_span(i, i + len("báo cáo"))
    assert raw[s:e] == "bc"
    s, e = norm.raw_span(0, len("Bộ Tài chính"))
    assert raw[s:e] == unicodedata.normalize("NFD", "Bộ Tài chính")
    assert norm.decoded


def test_stray_combining_marks_are_never_echoed():
    norm = normalise("ab\u0300 c\u0301")
    assert not any(unicodedata.combining(ch) for ch in norm.text)
    assert norm.text == "ab c"


def test_chat_fold_feeds_the_parsers():
    assert chat_fold("hạn bc q3") == "han bao cao quy 3"


def test_cost_is_well_under_a_millisecond():
    assert bench(["Booj Taif chinhs ddax noopj keesh hoachj chuwa", "hạn bc q3 là bao giờ ạ"] * 20) < 1000


@pytest.mark.parametrize("raw", ["KH-2022 nop chua", "BC-2022-Q2", "covid-19"])
def test_hyphenated_codes_stay(raw):
    assert normalised_text(raw) == raw
