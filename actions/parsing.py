"""Pure helpers that read the user's words; no Rasa, no database.

All matching is done on :func:`bot.domain.normalise.chat_fold` (the normalised
message without diacritics, lower case), so NFD input, capitals, text typed
without diacritics or with Telex/VNI residue, and chat abbreviations ("bc",
"qđ 749") behave the same.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import List

from bot.domain.dates import vn_date
from bot.domain.normalise import chat_fold

_DECISION = re.compile(r"(?<!\d)(749|942)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(2020|2021|2022)(?!\d)")
_YEAR_RANGE = re.compile(r"(?<!\d)20(20|21)\s*(-|–|den|toi)\s*(20)?(21|22)(?!\d)")


def mentioned_decisions(text: str) -> List[str]:
    """Decision numbers of the directive's legal bases named in ``text``.

    >>> mentioned_decisions("Quyết định 942/QĐ-TTg ban hành ngày nào?")
    ['942']
    """
    return sorted(set(_DECISION.findall(chat_fold(text))))


def mentioned_years(text: str) -> List[int]:
    """Years 2020–2022 named in ``text``; a range ("2020-2022") names all three."""
    folded = chat_fold(text)
    if _YEAR_RANGE.search(folded):
        return [2020, 2021, 2022]
    return sorted({int(y) for y in _YEAR.findall(folded)})


# --------------------------------------------------------------------------- #
# Details of a submission an official reports ("đã gửi báo cáo quý 1 ngày     #
# 12/4/2022, số 123/BC-UBND").                                                 #
# --------------------------------------------------------------------------- #
_MISSING = re.compile(r"\b(?:con\s+)?thieu\b|\bchua\s+(?:nop|gui|bao\s+cao)\b|\bcon\s+no\b|\bno\s+(?:bao\s+cao|ke\s+hoach)\b")


def asks_what_is_missing(text: str) -> bool:
    """True for "còn thiếu báo cáo nào", "những gì chưa nộp", "còn nợ gì":
    the answer lists only what was not sent.

    >>> asks_what_is_missing("đơn vị tôi còn thiếu báo cáo nào"), asks_what_is_missing("đã nộp chưa")
    (True, False)
    """
    return bool(_MISSING.search(chat_fold(text or "")))


_REFERENCE = re.compile(r"(?<![\w/])(\d{1,6}[A-Za-z]?/[A-Za-zĐđ][\w&.]*(?:[-–][\w&.]+)*)", re.UNICODE)
_NO_REFERENCE = re.compile(r"\b(?:khong\s+(?:co\s+)?so(?:\s+hieu)?|chua\s+co\s+so|khong\s+co)\b")
_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{4}|\d{2}))?(?![\d/])")
_TODAY = re.compile(r"\bhom\s+nay\b")
_YESTERDAY = re.compile(r"\bhom\s+qua\b")
_TAG = re.compile(r"<[^>]*>")
_SAFE_REFERENCE = re.compile(r"[^\w/\-–.&() ]", re.UNICODE)
REFERENCE_MAX_CHARS = 64


def find_reference_number(text: str) -> str | None:
    """The document number in ``text``, e.g. ``"123/BC-UBND"`` (upper-cased);
    ``""`` when the user says there is none ("không có số"); ``None`` when
    nothing is said. Dates such as 12/4/2022 are not numbers.

    >>> find_reference_number("số 123/bc-ubnd ngày 12/4/2022")
    '123/BC-UBND'
    """
    match = _REFERENCE.search(text or "")
    if match:
        return match.group(1).upper()[:REFERENCE_MAX_CHARS]
    if _NO_REFERENCE.search(chat_fold(text or "")):
        return ""
    return None


def clean_reference(text: str) -> str:
    """A free-text answer to "số hiệu văn bản?" made safe to store and show:
    markup tags dropped, then letters, digits and ``/ - . & ( )`` only, at most
    64 characters, upper case.

    >>> clean_reference("<b>45</b>/kh-ub;nd")
    '45/KH-UBND'
    """
    text = _TAG.sub("", text or "")
    return _SAFE_REFERENCE.sub("", text.strip()).strip().upper()[:REFERENCE_MAX_CHARS]


def find_received_date(text: str, today: date) -> tuple:
    """The date a document was sent, read from ``text`` (local Asia/Ho_Chi_Minh dates).

    Understands ``12/4/2022``, ``12-04-2022``, ``12.4.22``, ``12/4`` (this year,
    or last year if that would be in the future), "hôm nay", "hôm qua".
    Returns ``(date, None)``, ``(None, reason)`` for an impossible or future
    date (reason in Vietnamese), or ``(None, None)`` when no date is given.
    """
    folded = chat_fold(text or "")
    for match in _DATE.finditer(text or ""):
        day, month, year = match.group(1), match.group(2), match.group(3)
        if year is None:
            y = today.year
        else:
            y = int(year) + (2000 if len(year) == 2 else 0)
        try:
            found = date(y, int(month), int(day))
        except ValueError:
            return None, f"ngày {match.group(0).strip()} không tồn tại"
        if year is None and found > today:
            found = found.replace(year=found.year - 1)
        if found > today:
            return None, f"ngày {vn_date(found)} ở sau hôm nay ({vn_date(today)})"
        return found, None
    if _TODAY.search(folded):
        return today, None
    if _YESTERDAY.search(folded):
        return today - timedelta(days=1), None
    return None, None
