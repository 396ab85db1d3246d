"""Quarters, years and obligation kinds in Vietnamese messages (pure helpers).

All parsing goes through :func:`bot.domain.normalise.chat_fold` (the message
normalised, then :func:`bot.domain.text.fold`), so it is insensitive to case,
Unicode normal form (NFC/NFD), diacritics, Telex/VNI residue and chat
abbreviations: "Quý III", "quy iii", "QUÝ BA", "q.3" and "quys 3" are the same
thing, and "bc" reads as "báo cáo".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Optional, Tuple

from bot.domain.normalise import chat_fold

PLAN = "plan"
QUARTERLY_REPORT = "quarterly_report"


@dataclass(frozen=True)
class Period:
    """A year and/or a quarter mentioned in a message; either may be ``None``
    ("quý 3" -> ``Period(None, 3)``, "năm 2022" -> ``Period(2022, None)``)."""

    year: Optional[int]
    quarter: Optional[int]


_NUM_WORDS = {
    "1": 1, "2": 2, "3": 3, "4": 4,
    "i": 1, "ii": 2, "iii": 3, "iv": 4,
    "mot": 1, "nhat": 1, "hai": 2, "nhi": 2, "ba": 3, "bon": 4, "tu": 4,
}
_QNUM = r"(?P<n>[1-4]|iv|iii|ii|i|mot|nhat|hai|nhi|ba|bon|tu)"
# "quý 3", "quý thứ 3", "quý thứ ba", "quý III", optionally "/2022" or "năm 2022".
_QUARTER = re.compile(
    r"\bquy\s+(?:thu\s+)?" + _QNUM + r"\b(?:\s*(?:/|-|nam)\s*(?P<y>(?:19|20)\d\d)\b)?"
)
# "Q3", "q.3", "q 3", "Q3/2022", "Q3-2022".
_Q_SHORT = re.compile(r"\bq\s?\.?\s?(?P<n>[1-4])\b(?:\s*(?:/|-|nam)\s*(?P<y>(?:19|20)\d\d)\b)?")
_REL_QUARTER = re.compile(
    r"\bquy\s+(?P<w>nay|hien\s+tai|hien\s+nay|truoc|vua\s+roi|vua\s+qua|toi|sau|ke\s+tiep|tiep\s+theo)\b"
)
_REL_OFFSET = {
    "nay": 0, "hien tai": 0, "hien nay": 0,
    "truoc": -1, "vua roi": -1, "vua qua": -1,
    "toi": 1, "sau": 1, "ke tiep": 1, "tiep theo": 1,
}
_YEAR = re.compile(r"\bnam\s+(?P<y>(?:19|20)\d\d)\b")
_REL_YEAR = re.compile(r"\bnam\s+(?P<w>nay|hien\s+tai|ngoai|truoc|roi|qua|toi|sau|ke\s+tiep|tiep\s+theo)\b")
_REL_YEAR_OFFSET = {
    "nay": 0, "hien tai": 0, "ngoai": -1, "truoc": -1, "roi": -1, "qua": -1,
    "toi": 1, "sau": 1, "ke tiep": 1, "tiep theo": 1,
}
# A bare year not part of a dd/mm/yyyy date.
_BARE_YEAR = re.compile(r"(?<![\d/.\-])(?P<y>20\d\d)\b(?![/.]\d)")


# "Q.1, TP.HCM", "Q1 HCM", "UBND Q.1": an urban district (quận), not quarter 1.
_CITY_AFTER = re.compile(r"^[\s,.\-]*(?:tp\.?\s*hcm|tphcm|tp\.?\s*ho chi minh|thanh pho|tp\b|hcm|ho chi minh|sai gon|sg|"
                         r"ha noi|hn|da nang|hai phong|can tho)\b")
_DISTRICT_BEFORE = re.compile(r"(?:\bubnd|\bphuong\s+\w+|\bp\.\s*\w+|\bduong\s+[\w ]+?|\d+\w?)[\s,]*$")
_QUARTER_BEFORE = re.compile(r"\b(?:bao cao|bc|han|nop|gui|quy|ky)\s*$")


def _is_district(t: str, m: "re.Match[str]") -> bool:
    """``m`` (a "Q1"/"Q.1" in folded text ``t``) is a district of a city, not a quarter."""
    before, after = t[:m.start()], t[m.end():]
    if _QUARTER_BEFORE.search(before):
        return False
    return bool(_CITY_AFTER.match(after) or _DISTRICT_BEFORE.search(before))


def _short_quarter(t: str) -> Optional["re.Match[str]"]:
    """The first "Q3"/"q.3" of ``t`` that is a quarter (not "Q.1, TP.HCM", a district)."""
    return next((m for m in _Q_SHORT.finditer(t) if not _is_district(t, m)), None)


def quarter_of(d: date) -> Tuple[int, int]:
    """``(year, quarter)`` of date ``d``: ``date(2022, 5, 1)`` -> ``(2022, 2)``."""
    return d.year, (d.month - 1) // 3 + 1


def _shift_quarter(year: int, quarter: int, offset: int) -> Tuple[int, int]:
    index = year * 4 + (quarter - 1) + offset
    return index // 4, index % 4 + 1


def parse_quarter_and_year(text: str, today: date) -> Optional[Period]:
    """Find a quarter and/or year in ``text``.

    Understands "quý 3", "quý III", "Q3", "q.3", "quý ba", "quý thứ 3", "quý tư",
    "quý 3/2022", "quý này/hiện tại", "quý trước/vừa rồi", "quý tới/sau/kế tiếp",
    "năm 2022", "năm nay/ngoái/trước/sau" and a bare "2022". Relative quarters are
    computed from ``today`` and cross year boundaries ("quý trước" on
    2023-01-10 -> Q4 2022); an explicit year then is ignored.

    Args:
        text: raw message.
        today: local date used for relative expressions.

    Returns:
        ``Period(year, quarter)`` (either may be ``None``), or ``None`` when the
        message names neither.
    """
    t = chat_fold(text or "")
    if not t:
        return None
    year: Optional[int] = None
    quarter: Optional[int] = None

    m = _REL_QUARTER.search(t)
    if m:
        offset = _REL_OFFSET[re.sub(r"\s+", " ", m.group("w"))]
        y, q = _shift_quarter(*quarter_of(today), offset)
        return Period(y, q)

    m = _QUARTER.search(t) or _short_quarter(t)
    if m:
        quarter = _NUM_WORDS[m.group("n")]
        if m.group("y"):
            year = int(m.group("y"))

    if year is None:
        m = _YEAR.search(t)
        if m:
            year = int(m.group("y"))
        else:
            m = _REL_YEAR.search(t)
            if m:
                year = today.year + _REL_YEAR_OFFSET[re.sub(r"\s+", " ", m.group("w"))]
            else:
                m = _BARE_YEAR.search(t)
                if m:
                    year = int(m.group("y"))

    if year is None and quarter is None:
        return None
    return Period(year, quarter)


_PLAN_WORDS = re.compile(r"\b(?:ke\s+hoach|kh)\b")
_REPORT_WORDS = re.compile(r"\b(?:bao\s+cao|bc)\b")
# "hằng quý", "hàng quý", "định kỳ"; a bare "quy" is not used: it is also the
# first syllable of "quy định", "quy trình", "quy hoạch"...
_EVERY_QUARTER = re.compile(r"\b(?:hang\s+quy|dinh\s+ky|moi\s+quy)\b")


def parse_obligation_kind(text: str) -> Optional[str]:
    """Which obligation the message is about.

    Returns:
        ``"quarterly_report"`` when a quarter is named ("quý 3", "Q2", "quý
        trước") or, absent "kế hoạch", when "báo cáo"/"BC" is; ``"plan"`` for
        "kế hoạch"/"ke hoach"/"KH"; ``None`` otherwise.
    """
    t = chat_fold(text or "")
    if not t:
        return None
    has_quarter = bool(
        _QUARTER.search(t) or _short_quarter(t) or _REL_QUARTER.search(t) or _EVERY_QUARTER.search(t)
    )
    if has_quarter:
        return QUARTERLY_REPORT
    if _PLAN_WORDS.search(t):
        return PLAN
    if _REPORT_WORDS.search(t):
        return QUARTERLY_REPORT
    return None
