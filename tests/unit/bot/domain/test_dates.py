"""Dates in Vietnamese and "today" in Asia/Ho_Chi_Minh (bot.domain.dates)."""
from __future__ import annotations

from datetime import date

import pytest

from bot.domain.dates import days_between, local_today
from bot.settings import Settings


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

    from bot.domain.dates import local_time_text

    assert local_time_text(datetime(2022, 3, 31, 17, 30, tzinfo=timezone.utc)) == "01/04/2022 00:30"
    assert local_time_text(None, empty="—") == "—"
    with pytest.raises(ValueError):
        local_time_text(datetime(2022, 3, 31, 17, 30))
