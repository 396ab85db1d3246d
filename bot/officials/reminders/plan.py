"""Which reminders are due on a local date (pure: no I/O), and their text.

The rule is in the package docstring (:mod:`bot.officials.reminders`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Collection, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.db.reminders import Subscriber
from bot.db.views import AgencyStatus, AgencyView, ObligationStatus
from bot.domain.dates import vn_date
from bot.domain.obligations import OPERATOR_DEFAULT_NOTE, is_operator_default

OVERDUE = "overdue"
BEFORE = "before_"
DIRECTIVE_SOURCE = "(Nguồn: Văn bản số 797/BTTTT-THH ngày 06/03/2022 của Bộ TT&TT.)"
UNSUBSCRIBE_NOTE = "Để tắt nhắc hạn, anh/chị gửi \"hủy nhắc hạn\"."


@dataclass(frozen=True)
class Due:
    """A reminder due on ``today``: ``stage`` ``before_<N>`` or ``overdue`` for ``item``
    (the obligation's state on ``today``) of ``agency``, to ``subscriber``."""

    subscriber: Subscriber
    agency: AgencyView
    item: ObligationStatus
    stage: str
    today: date

    @property
    def obligation_code(self) -> str:
        return self.item.obligation.code


def stage_rank(stage: str) -> int:
    """Order of stages in time: ``before_7`` < ``before_1`` < ``before_0`` < ``overdue``.

    Raises:
        ValueError: not a stage name.
    """
    if stage == OVERDUE:
        return 1
    if stage.startswith(BEFORE) and stage[len(BEFORE):].isdigit():
        return -int(stage[len(BEFORE):])
    raise ValueError(f"unknown reminder stage {stage!r}")


def stage_for(item: ObligationStatus, days: Sequence[int] = (7, 1), catchup_days: int = 2) -> Optional[str]:
    """The stage due on the item's day, or ``None`` (see the module docstring).

    Input: an :class:`ObligationStatus` (``state`` open/overdue/submitted), the
    reminder days (non-negative whole days before the due date) and the
    catch-up allowance in days. Output: ``"before_<N>"``, ``"overdue"`` or ``None``.
    """
    if item.state == "open" and item.days_left is not None:
        left = item.days_left
        candidates = sorted(n for n in set(days) if n >= 0 and left <= n)
        if candidates and left >= candidates[0] - catchup_days:
            return f"{BEFORE}{candidates[0]}"
        return None
    if item.state == "overdue" and item.days_overdue is not None:
        return OVERDUE if 1 <= item.days_overdue <= 1 + max(catchup_days, 0) else None
    return None


def plan(
    today: date,
    statuses: Iterable[Tuple[Subscriber, AgencyStatus]],
    days: Sequence[int] = (7, 1),
    catchup_days: int = 2,
    delivered: Optional[Mapping[Tuple[int, str], Collection[str]]] = None,
) -> List[Due]:
    """Which reminders are due on ``today`` (a local date). Pure: no I/O.

    Args:
        today: local date in Asia/Ho_Chi_Minh.
        statuses: each subscribed account with its agency's status on ``today``
            (:meth:`Repository.agency_status`).
        days: reminder days before the due date (default 7 and 1).
        catchup_days: how many days late a missed reminder may still go out.
        delivered: stages already in the delivery log (any status), by
            ``(account_id, obligation_code)``; a stage is skipped when that
            stage or a later one is there.

    Returns:
        The due reminders, ordered by account, due date and obligation code.
    """
    delivered = delivered or {}
    out: List[Due] = []
    for subscriber, status in statuses:
        for item in status.items:
            stage = stage_for(item, days, catchup_days)
            if stage is None:
                continue
            logged = delivered.get((subscriber.account_id, item.obligation.code)) or ()
            if any(stage_rank(s) >= stage_rank(stage) for s in logged if _is_stage(s)):
                continue
            out.append(Due(subscriber=subscriber, agency=status.agency, item=item, stage=stage, today=today))
    out.sort(key=lambda d: (d.subscriber.account_id, d.item.obligation.due_date, d.obligation_code))
    return out


def _is_stage(stage: str) -> bool:
    try:
        stage_rank(stage)
        return True
    except ValueError:
        return False


def stage_vi(stage: str) -> str:
    """``before_7`` -> ``trước hạn 7 ngày``, ``before_0`` -> ``ngày đến hạn``, ``overdue`` -> ``quá hạn``."""
    if stage == OVERDUE:
        return "quá hạn"
    n = stage.rsplit("_", 1)[-1]
    return "ngày đến hạn" if n == "0" else f"trước hạn {n} ngày"


def reminder_text(due: Due) -> str:
    """The Vietnamese message for ``due`` (one paragraph, lines separated by ``\\n``).

    Says what is due, for which agency, the due date and the days left (or
    overdue) on ``due.today``; that the due date is an operator default when it
    is one; the source; and how to unsubscribe.
    """
    ob, item = due.item.obligation, due.item
    head = f"Nhắc hạn: {ob.title} của {due.agency.name}"
    if item.state == "overdue":
        lines = [f"{head} đã quá hạn {item.days_overdue} ngày (hạn ngày {vn_date(ob.due_date)}).",
                 "Hệ thống chưa ghi nhận văn bản này; nếu cơ quan đã gửi, xin anh/chị bỏ qua tin nhắn này."]
    elif item.days_left == 0:
        lines = [f"{head} đến hạn hôm nay, ngày {vn_date(ob.due_date)}."]
    else:
        lines = [f"{head} đến hạn ngày {vn_date(ob.due_date)} (còn {item.days_left} ngày)."]
    if is_operator_default(ob):
        lines.append(f"Lưu ý: {OPERATOR_DEFAULT_NOTE}")
    elif ob.due_date_source:
        lines.append(f"Căn cứ hạn nộp: {ob.due_date_source}")
    lines += [DIRECTIVE_SOURCE, UNSUBSCRIBE_NOTE]
    return "\n".join(lines)
