"""Office hours of the staff answering hand-offs (bot.domain.office_hours), in local time."""
from __future__ import annotations

from datetime import datetime, time, timezone

from bot.domain.office_hours import OfficeHours


def test_default_hours_are_local_weekdays() -> None:
    hours = OfficeHours.parse("mon-fri 07:30-17:00")
    assert (hours.first_day, hours.last_day, hours.opens, hours.closes) == (0, 4, time(7, 30), time(17, 0))
    # Wednesday 2026-12-02 00:30 UTC is 07:30 in Hà Nội: open; 10:00 UTC is 17:00: closed
    assert hours.is_open(datetime(2026, 12, 2, 0, 30, tzinfo=timezone.utc))
    assert not hours.is_open(datetime(2026, 12, 2, 0, 29, tzinfo=timezone.utc))
    assert not hours.is_open(datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc))
    # Friday 2026-12-04 20:00 UTC is already Saturday 03:00 in Hà Nội
    assert not hours.is_open(datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc))
    assert hours.describe() == "thứ Hai đến thứ Sáu, 07:30–17:00"


def test_unreadable_hours_fall_back_to_the_default() -> None:
    assert OfficeHours.parse("every day") == OfficeHours.parse("mon-fri 07:30-17:00")
    assert OfficeHours.parse("mon-sat 08:00-07:00") == OfficeHours.parse("mon-fri 07:30-17:00")
    assert OfficeHours.parse("Mon-Sat 08:00-11:30").last_day == 5
