"""The plan and the quarterly reports the directive asks for: how people name
them, how they are written, and where their due dates come from.

One copy of each rule, used by the chat, the file import, the reminders and
the command line:

* :func:`match_obligation` reads an obligation from text: a code
  ("BC-2022-Q1", "KH-2022") or words ("báo cáo quý 1", "kế hoạch năm 2022",
  "BC Q2"). A year is optional when only one obligation of that kind and
  quarter exists.
* :func:`obligation_label` names one in Vietnamese ("báo cáo quý II/2022").
* Văn bản 797/BTTTT-THH gives no due day: the shipped due dates are operator
  defaults (``data/obligations.yml``, ``due_date_origin: operator_default``).
  Every such date is shown with :data:`DEFAULT_MARK` (:func:`due_text`) and
  explained once by :data:`OPERATOR_DEFAULT_NOTE`.

Obligations are any objects with the attributes of
:class:`bot.db.views.ObligationView` (``code``, ``kind``, ``year``,
``quarter``, ``due_date``, ``due_date_origin``): the views and the ORM rows
both fit.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Iterable, Optional, Protocol, Sequence, TypeVar

from bot.domain.dates import vn_date
from bot.domain.periods import PLAN, QUARTERLY_REPORT, parse_obligation_kind, parse_quarter_and_year

OPERATOR_DEFAULT = "operator_default"
DIRECTIVE = "directive"
DEFAULT_MARK = "*"
OPERATOR_DEFAULT_NOTE = (
    "Văn bản 797/BTTTT-THH chỉ yêu cầu gửi kế hoạch sau khi phê duyệt và báo cáo định kỳ hằng quý, "
    "không quy định ngày nộp cụ thể; đây là hạn mặc định do đơn vị vận hành trợ lý cấu hình."
)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

_CODE = re.compile(r"\b(KH-\d{4}|BC-\d{4}-Q[1-4])\b", re.IGNORECASE)


class ObligationLike(Protocol):
    code: str
    kind: str
    year: int
    quarter: Optional[int]
    due_date: date
    due_date_origin: str


Obl = TypeVar("Obl", bound=ObligationLike)


def match_obligation(text: str, known: Sequence[Obl], today: date) -> Optional[Obl]:
    """The one obligation of ``known`` that ``text`` names, or ``None`` when
    it names none or several.

    Args:
        text: a chat message or a file cell: a code (case-insensitive, alone
            or inside the text; an unknown code names nothing) or words ("báo cáo quý 1", "KH năm 2022",
            "báo cáo quý trước").
        known: the obligations to choose from.
        today: local date (Asia/Ho_Chi_Minh) for relative periods ("quý này").

    Returns:
        An element of ``known``. Without a year, the obligation is found only
        when a single year has it.
    """
    text = text or ""
    by_code = {o.code.upper(): o for o in known}
    exact = by_code.get(text.strip().upper())
    if exact is not None:
        return exact
    code = _CODE.search(text)
    if code:  # a code is taken as written: "BC-2030-Q1" is no obligation, not "quarter 1"
        return by_code.get(code.group(1).upper())
    kind = parse_obligation_kind(text)
    period = parse_quarter_and_year(text, today)
    quarter = period.quarter if period else None
    year = period.year if period else None
    if quarter and kind is None:
        kind = QUARTERLY_REPORT
    if kind is None or (kind == QUARTERLY_REPORT and not quarter):
        return None
    matches = [o for o in known if o.kind == kind and (year is None or o.year == year)
               and (kind == PLAN or o.quarter == quarter)]
    return matches[0] if len(matches) == 1 else None


def obligation_label(ob: ObligationLike) -> str:
    """``"báo cáo quý II/2022"`` or ``"kế hoạch chuyển đổi số năm 2022"`` (lower case)."""
    if ob.kind == PLAN:
        return f"kế hoạch chuyển đổi số năm {ob.year}"
    return f"báo cáo quý {ROMAN.get(ob.quarter or 0, ob.quarter)}/{ob.year}"


def is_operator_default(ob: ObligationLike) -> bool:
    """True when the due date was set by the operator, not by the directive."""
    return ob.due_date_origin != DIRECTIVE


def due_text(ob: ObligationLike) -> str:
    """The due date as ``DD/MM/YYYY``, with :data:`DEFAULT_MARK` when it is an operator default."""
    return vn_date(ob.due_date) + (DEFAULT_MARK if is_operator_default(ob) else "")


def due_footnote(obligations: Iterable[ObligationLike]) -> Optional[str]:
    """``"(*) <OPERATOR_DEFAULT_NOTE>"`` when any of ``obligations`` has a
    marked due date, else ``None``."""
    if not any(is_operator_default(ob) for ob in obligations):
        return None
    return f"({DEFAULT_MARK}) {OPERATOR_DEFAULT_NOTE}"
