"""When the ministry's staff answer hand-offs (``HANDOFF_HOURS``), as a pure rule.

The setting reads ``<first day>-<last day> HH:MM-HH:MM`` with English
three-letter day names, e.g. ``mon-fri 07:30-17:00`` (the default) or
``mon-sat 08:00-11:30``. Times are local Asia/Ho_Chi_Minh wall-clock times.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.settings import TIMEZONE

logger = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT = "mon-fri 07:30-17:00"
_PATTERN = re.compile(r"^\s*([a-z]{3})\s*-\s*([a-z]{3})\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OfficeHours:
    """Weekdays ``first_day``..``last_day`` (0 = Monday) from ``opens`` to
    ``closes`` (local times)."""

    first_day: int
    last_day: int
    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> "OfficeHours":
        """``"mon-fri 07:30-17:00"`` -> :class:`OfficeHours`. A value that does
        not read is logged and the default is used instead (never raises)."""
        match = _PATTERN.match((text or "").lower())
        try:
            if not match or match.group(1) not in DAYS or match.group(2) not in DAYS:
                raise ValueError(text)
            opens = time(int(match.group(3)), int(match.group(4)))
            closes = time(int(match.group(5)), int(match.group(6)))
            if closes <= opens:
                raise ValueError(text)
            return cls(DAYS.index(match.group(1)), DAYS.index(match.group(2)), opens, closes)
        except ValueError:
            if text != DEFAULT:
                logger.warning("HANDOFF_HOURS=%r does not read as e.g. %r; using the default", text, DEFAULT)
            return cls.parse(DEFAULT)

    def is_open(self, moment: datetime) -> bool:
        """Whether staff are at work at ``moment`` (an aware datetime, any zone)."""
        local = moment.astimezone(ZoneInfo(TIMEZONE))
        return self.first_day <= local.weekday() <= self.last_day and self.opens <= local.time() < self.closes

    def describe(self) -> str:
        """The hours in Vietnamese, e.g. ``"thứ Hai đến thứ Sáu, 07:30–17:00"``."""
        names = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
        return (f"{names[self.first_day]} đến {names[self.last_day]}, "
                f"{self.opens:%H:%M}–{self.closes:%H:%M}")
