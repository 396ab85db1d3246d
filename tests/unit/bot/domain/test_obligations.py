"""Obligations read from text, labels and due-date notes (bot.domain.obligations)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date as _date

import pytest

from bot.db.views import ObligationView
from bot.domain.obligations import due_footnote, due_text, match_obligation, obligation_label

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
def test_match_obligation(text, expected):
    found = match_obligation(text, _KNOWN, _TODAY)
    assert (found.code if found else None) == expected


def test_a_year_is_needed_only_when_two_years_have_the_obligation():
    next_year = ObligationView(code="BC-2023-Q1", kind="quarterly_report", year=2023, quarter=1, title="",
                               due_date=_TODAY, due_date_origin="operator_default", due_date_source="")
    known = _KNOWN + [next_year]
    assert match_obligation("báo cáo quý 1", known, _TODAY) is None
    assert match_obligation("báo cáo quý 1/2023", known, _TODAY) is next_year
    assert match_obligation("bc-2023-q1", known, _TODAY) is next_year
    assert match_obligation("BC-2030-Q1", known, _TODAY) is None  # an unknown code is not read as words


def test_due_dates_set_by_the_operator_are_marked_and_explained_once():
    plan = _KNOWN[0]
    assert due_text(plan) == "01/07/2022*"
    footnote = due_footnote([plan, plan])
    assert footnote.startswith("(*) ") and "không quy định ngày nộp cụ thể" in footnote
    fixed = replace(plan, due_date_origin="directive")
    assert due_text(fixed) == "01/07/2022" and due_footnote([fixed]) is None
    assert obligation_label(_KNOWN[2]) == "báo cáo quý II/2022" and obligation_label(plan).startswith("kế hoạch")
