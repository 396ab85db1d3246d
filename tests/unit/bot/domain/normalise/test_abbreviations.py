"""Chat abbreviations expanded by context."""
from __future__ import annotations

import re

import pytest

from bot.domain.normalise.abbreviations import expand


def _tokens(text):
    return [("word" if m.group(1) else "punct", m.group()) for m in re.finditer(r"(\w+)|[^\w\s]", text)]


def _expanded(text):
    tokens = _tokens(text)
    out, i = [], 0
    by_first = {x.first: x for x in expand(tokens)}
    while i < len(tokens):
        x = by_first.get(i)
        if x:
            out.append(x.text)
            i = x.last + 1
        else:
            out.append(tokens[i][1])
            i += 1
    return " ".join(out)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("vb 797 ban hanh ngay nao z", "văn bản 797 ban hanh ngay nao vậy"),
        ("năm 2020 đc coi là năm j", "năm 2020 được coi là năm gì"),
        ("hạn bc q3 là bao giờ", "hạn báo cáo quý 3 là bao giờ"),
        ("bc Q . 2 nop chua", "báo cáo quý 2 nop chua"),
        ("có bn nv", "có bao nhiêu nhiệm vụ"),
        ("ko bik ntn", "không biết như thế nào"),
        ("k hiểu", "không hiểu"),
        ("cho e hỏi", "cho em hỏi"),
        ("nộp r", "nộp rồi"),
        ("dk nhắc hạn", "đăng ký nhắc hạn"),
        ("vb về cđs", "văn bản về chuyển đổi số"),
        ("bao h nộp", "bao giờ nộp"),
        ("có bn nd phổ cập", "có bao nhiêu nội dung phổ cập"),
        ("ủy ban qg về cđs", "ủy ban quốc gia về chuyển đổi số"),
        ("dn nhỏ và vừa", "doanh nghiệp nhỏ và vừa"),
        ("tư vấn sk từ xa", "tư vấn sức khỏe từ xa"),
    ],
)
def test_expansions(typed, meant):
    assert _expanded(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("đã nộp kh chưa", "đã nộp kế hoạch chưa"),
        ("kh năm 2022", "kế hoạch năm 2022"),
        ("hạn kh", "hạn kế hoạch"),
        ("kh biết", "không biết"),
        ("được kh", "được không"),
    ],
)
def test_kh_is_ke_hoach_unless_khong_is_clear(typed, meant):
    assert _expanded(typed) == meant


def test_q1_next_to_tp_hcm_is_a_district():
    assert _expanded("Q . 1 , TP . HCM") == "quận 1 , TP . HCM"
    assert _expanded("TP . HCM nộp bc q1 chưa") == "TP . HCM nộp báo cáo quý 1 chưa"


@pytest.mark.parametrize("typed", ["mục V", "điểm a", "V", "K", "phần c", "ban hanh", "chua nop", "ND nộp chưa", "DN nộp chưa",
                                   "dn nộp chưa"])
def test_labels_capitals_and_plain_words_stay(typed):
    assert _expanded(typed) == typed
