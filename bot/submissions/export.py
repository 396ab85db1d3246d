"""The operator's export tables (``python -m bot export status|overdue``), in
Vietnamese, ready for :func:`bot.submissions.tabular.write_table` (which writes
``.csv``/``.xlsx`` and neutralises spreadsheet formulas).

Dates are local dates in Asia/Ho_Chi_Minh, kept as ``date`` cells (written
``DD/MM/YYYY``).
"""
from __future__ import annotations

from datetime import date
from typing import List, Optional, Tuple

from bot.db.repository import Repository

STATE_LABELS_VI = {"submitted": "đã gửi", "open": "chưa đến hạn", "overdue": "quá hạn"}
STATUS_COLUMNS = (
    "ma_co_quan", "co_quan", "ma_nghia_vu", "nghia_vu", "han_nop", "nguon_han", "trang_thai",
    "ngay_nhan", "so_hieu", "so_ngay_qua_han", "ghi_chu", "du_lieu_mau",
)
OVERDUE_COLUMNS = (
    "ma_co_quan", "co_quan", "ma_nghia_vu", "nghia_vu", "han_nop", "nguon_han", "so_ngay_qua_han",
)
Table = Tuple[Tuple[str, ...], List[list]]


def status_table(repo: Repository, today: date) -> Table:
    """Every agency x obligation on ``today``.

    Returns:
        ``(STATUS_COLUMNS, rows)``, one row per agency and obligation:
        codes and names; ``han_nop`` and ``ngay_nhan`` as ``date``;
        ``nguon_han`` ``operator_default`` or ``directive``; ``trang_thai``
        ``đã gửi`` / ``chưa đến hạn`` / ``quá hạn``; ``so_ngay_qua_han`` the
        days overdue, or for a submitted obligation the days it arrived late
        (0 = on time), empty while still open; ``ghi_chu`` the submission's
        note; ``du_lieu_mau`` ``có`` for sample data. Cells are raw values.
    """
    rows = []
    for st in repo.all_statuses(today):
        for it in st.items:
            o, sub = it.obligation, it.submission
            days = it.days_overdue if it.state == "overdue" else (it.days_late if it.state == "submitted" else None)
            rows.append([
                st.agency.code, st.agency.name, o.code, o.title, o.due_date, o.due_date_origin,
                STATE_LABELS_VI[it.state], sub.received_on if sub else None, sub.reference_number if sub else "",
                days, sub.note if sub else "", "có" if sub is not None and sub.is_sample else "",
            ])
    return STATUS_COLUMNS, rows


def overdue_table(repo: Repository, today: date, obligation_code: Optional[str] = None) -> Table:
    """:meth:`~bot.db.repository.Repository.overdue_agencies` on ``today``, same order.

    Returns:
        ``(OVERDUE_COLUMNS, rows)``; ``han_nop`` is a ``date``,
        ``so_ngay_qua_han`` an ``int`` >= 1.

    Raises:
        bot.db.views.UnknownObligationError: ``obligation_code`` given but unknown.
    """
    rows = [
        [e.agency.code, e.agency.name, e.obligation.code, e.obligation.title, e.obligation.due_date,
         e.obligation.due_date_origin, e.days_overdue]
        for e in repo.overdue_agencies(today, obligation_code)
    ]
    return OVERDUE_COLUMNS, rows
