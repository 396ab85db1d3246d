"""bot.periods: quarter/year parsing and dates."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from bot.periods import Period, days_between, local_today, parse_obligation_kind, parse_quarter_and_year, quarter_of
from bot.settings import Settings

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


def test_days_between():
    assert days_between(date(2022, 3, 1), date(2022, 3, 15)) == 14
    assert days_between(date(2022, 3, 15), date(2022, 3, 15)) == 0
    assert days_between(date(2022, 3, 20), date(2022, 3, 15)) == -5
    assert days_between(date(2022, 12, 31), date(2023, 1, 1)) == 1


def test_local_today(tmp_path):
    s = Settings(database_url="sqlite://", db_timeout_s=1, today="2022-05-06", data_dir=tmp_path)
    assert local_today(s) == date(2022, 5, 6)
    s = Settings(database_url="sqlite://", db_timeout_s=1, today="", data_dir=tmp_path)
    assert isinstance(local_today(s), date)


def test_local_today_env(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TODAY", "2023-01-10")
    assert local_today() == date(2023, 1, 10)


def test_local_today_is_the_date_in_ho_chi_minh_city():
    from dataclasses import replace
    from datetime import datetime, timezone

    from bot.settings import load_settings

    settings = replace(load_settings(), today="")
    # 17:30 UTC on 31/12/2022 is already 00:30 on 01/01/2023 in Asia/Ho_Chi_Minh (UTC+7)
    assert local_today(settings, now=datetime(2022, 12, 31, 17, 30, tzinfo=timezone.utc)) == date(2023, 1, 1)
    assert local_today(settings, now=datetime(2022, 12, 31, 16, 59, tzinfo=timezone.utc)) == date(2022, 12, 31)
    with pytest.raises(ValueError):
        local_today(settings, now=datetime(2022, 12, 31, 16, 59))


def test_local_time_text_is_asia_ho_chi_minh():
    from datetime import datetime, timezone

    from bot.periods import local_time_text

    assert local_time_text(datetime(2022, 3, 31, 17, 30, tzinfo=timezone.utc)) == "01/04/2022 00:30"
    assert local_time_text(None, empty="—") == "—"
    with pytest.raises(ValueError):
        local_time_text(datetime(2022, 3, 31, 17, 30))
