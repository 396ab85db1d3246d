"""bot.domain.periods: quarter/year parsing and dates."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from bot.domain.periods import PLAN, QUARTERLY_REPORT, Period, parse_obligation_kind, parse_quarter_and_year, quarter_of

TODAY = date(2022, 8, 10)  # Q3 2022


@pytest.mark.parametrize(
    "text, expected",
    [
        ("quý 3", Period(None, 3)),
        ("Quý III", Period(None, 3)),
        ("QUÝ III", Period(None, 3)),
        ("quy iii", Period(None, 3)),
        ("Q3", Period(None, 3)),
        ("q.3", Period(None, 3)),
        ("quý ba", Period(None, 3)),
        ("quý thứ 3", Period(None, 3)),
        ("quý thứ ba", Period(None, 3)),
        ("quý I", Period(None, 1)),
        ("quý tư", Period(None, 4)),
        ("quý IV năm 2022", Period(2022, 4)),
        ("báo cáo quý 2/2022", Period(2022, 2)),
        ("Q1-2022", Period(2022, 1)),
        ("quý này", Period(2022, 3)),
        ("quý trước", Period(2022, 2)),
        ("quý vừa rồi", Period(2022, 2)),
        ("quý tới", Period(2022, 4)),
        ("quý sau", Period(2022, 4)),
        ("năm 2022", Period(2022, None)),
        ("năm nay", Period(2022, None)),
        ("năm ngoái", Period(2021, None)),
        ("quý 2 năm nay", Period(2022, 2)),
        (unicodedata.normalize("NFD", "Quý II năm nay"), Period(2022, 2)),
        ("xin chào", None),
        ("quy định về chuyển đổi số", None),
        ("văn bản 797 ngày 06/03/2022", None),
    ],
)
def test_parse_quarter_and_year(text, expected):
    assert parse_quarter_and_year(text, TODAY) == expected


@pytest.mark.parametrize(
    "today, text, expected",
    [
        (date(2023, 1, 10), "quý trước", Period(2022, 4)),
        (date(2022, 12, 31), "quý tới", Period(2023, 1)),
        (date(2022, 12, 31), "quý sau", Period(2023, 1)),
        (date(2023, 1, 1), "quý này", Period(2023, 1)),
        (date(2023, 1, 10), "năm ngoái", Period(2022, None)),
    ],
)
def test_year_boundaries(today, text, expected):
    assert parse_quarter_and_year(text, today) == expected


@pytest.mark.parametrize(
    "text, kind",
    [
        ("kế hoạch", "plan"),
        ("ke hoach nam 2022", "plan"),
        ("KH-2022", "plan"),
        ("đã gửi KH chưa", "plan"),
        ("báo cáo", "quarterly_report"),
        ("bc quý 1", "quarterly_report"),
        ("BC", "quarterly_report"),
        ("quý 3", "quarterly_report"),
        ("Q2 thì sao", "quarterly_report"),
        ("quý trước", "quarterly_report"),
        ("báo cáo hằng quý", "quarterly_report"),
        ("xin chào", None),
        ("quy định", None),
    ],
)
def test_parse_obligation_kind(text, kind):
    assert parse_obligation_kind(text) == kind


def test_quarter_of():
    assert quarter_of(date(2022, 1, 1)) == (2022, 1)
    assert quarter_of(date(2022, 3, 31)) == (2022, 1)
    assert quarter_of(date(2022, 4, 1)) == (2022, 2)
    assert quarter_of(date(2022, 12, 31)) == (2022, 4)












@pytest.mark.parametrize(
    ("text", "kind", "quarter"),
    [
        ("hạn bc q3 là bao giờ ạ", QUARTERLY_REPORT, 3),
        ("quys 3 nop chua", QUARTERLY_REPORT, 3),  # Telex residue
        ("qúy 2", QUARTERLY_REPORT, 2),  # old-style tone mark
        ("hạn nộp kh", PLAN, None),
    ],
)
def test_chat_typing_reaches_the_period_parser(text, kind, quarter):
    assert parse_obligation_kind(text) == kind
    period = parse_quarter_and_year(text, date(2022, 5, 1))
    assert (period.quarter if period else None) == quarter


def test_q1_next_to_tp_hcm_is_not_a_quarter():
    assert parse_quarter_and_year("Q.1, TP.HCM", date(2022, 5, 1)) is None
@pytest.mark.parametrize("text", ["UBND Q.1, TP.HCM đã nộp chưa", "123 Lê Lợi, Q.1, TP.HCM", "Q1 HCM nộp chưa", "Q.1 TP.HCM"])
def test_a_district_next_to_the_city_is_no_quarter(text):
    assert parse_quarter_and_year(text, TODAY) is None
    assert parse_obligation_kind(text) is None


@pytest.mark.parametrize("text", ["TP.HCM đã nộp bc Q.1 chưa", "báo cáo Q1 TP.HCM", "hạn bc q3 là bao giờ"])
def test_a_quarter_of_a_report_stays_a_quarter(text):
    assert parse_quarter_and_year(text, TODAY).quarter in (1, 3)
