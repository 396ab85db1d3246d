"""Dates as Vietnamese readers write them, and "today" in Asia/Ho_Chi_Minh.

One copy of each rule: every date shown to a person is ``DD/MM/YYYY``
(:func:`vn_date`), every date typed by an operator is read by
:func:`parse_vn_date`, "today" is always the local date (:func:`local_today`,
never ``date.today()``, which is the server's zone), and timestamps (aware UTC
from the database) are shown in local time by :func:`local_time_text`.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

from bot.settings import TIMEZONE, Settings, load_settings

VN_DATE_FORMAT = "%d/%m/%Y"
_VN_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def vn_date(d: date) -> str:
    """``date(2022, 3, 6)`` -> ``"06/03/2022"``."""
    return d.strftime(VN_DATE_FORMAT)


def parse_vn_date(text: str) -> date:
    """Parse ``DD/MM/YYYY`` (also ``D/M/YYYY``).

    Raises:
        ValueError: with a Vietnamese message when the text is not a valid date.
    """
    match = _VN_DATE.match(text or "")
    if not match:
        raise ValueError(f"ngày '{text}' không đúng định dạng DD/MM/YYYY")
    day, month, year = (int(x) for x in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"ngày '{text}' không tồn tại") from None


def local_today(settings: Optional[Settings] = None, now: Optional[datetime] = None) -> date:
    """Today's date in Asia/Ho_Chi_Minh, or ``settings.today`` (ASSISTANT_TODAY)
    when set.

    Args:
        settings: defaults to :func:`bot.settings.load_settings`.
        now: a timezone-aware instant to use instead of the clock (tests).

    Raises:
        ValueError: ASSISTANT_TODAY is set but not ``YYYY-MM-DD``, or ``now`` is naive.
    """
    settings = settings or load_settings()
    if settings.today:
        return date.fromisoformat(settings.today)
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return (now or datetime.now(ZoneInfo(TIMEZONE))).astimezone(ZoneInfo(TIMEZONE)).date()


def days_between(today: date, due: date) -> int:
    """Days from ``today`` to ``due``: positive before the due date, 0 on it,
    negative after it."""
    return (due - today).days


def local_time_text(ts: Optional[datetime], fmt: str = "%d/%m/%Y %H:%M", empty: str = "") -> str:
    """An aware instant as local Asia/Ho_Chi_Minh time text (``fmt``), or ``empty`` for ``None``.

    Raises:
        ValueError: ``ts`` is naive (timestamps from the database are aware UTC).
    """
    if ts is None:
        return empty
    if ts.tzinfo is None:
        raise ValueError("ts must be timezone-aware")
    return ts.astimezone(ZoneInfo(TIMEZONE)).strftime(fmt)
