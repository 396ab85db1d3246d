"""Which reminders are due, and their text (bot.officials.reminders.plan): pure."""
from __future__ import annotations

import dataclasses

import pytest

from bot.db.views import AgencyStatus, ObligationStatus
from bot.officials.reminders.plan import plan, reminder_text, stage_for
from tests.unit.bot.officials.reminders.cases import AGENCY, OB, Q2, Q2_BEFORE_7, Q2_OVERDUE, SUB, day


def item_on(offset: int, submitted: bool = False) -> ObligationStatus:
    """The Q2 status on ``day(offset)``."""
    if submitted:
        return ObligationStatus(obligation=OB, state="submitted", days_late=0)
    if offset <= 0:
        return ObligationStatus(obligation=OB, state="open", days_left=-offset)
    return ObligationStatus(obligation=OB, state="overdue", days_overdue=offset)


@pytest.mark.parametrize("offset, stage", [
    (-30, None), (-8, None), (-7, "before_7"), (-6, "before_7"), (-5, "before_7"), (-4, None), (-3, None),
    (-2, None), (-1, "before_1"), (0, "before_1"), (1, "overdue"), (2, "overdue"), (3, "overdue"), (4, None),
    (1500, None),  # a scheduler started years later sends nothing stale
])
def test_stage_of_each_day(offset, stage):
    assert stage_for(item_on(offset), (7, 1), 2) == stage


def test_stage_without_catch_up_and_with_a_due_day_reminder():
    assert [stage_for(item_on(o), (7, 1), 0) for o in (-7, -6, -1, 0, 1, 2)] == \
        ["before_7", None, "before_1", None, "overdue", None]
    assert [stage_for(item_on(o), (7, 1, 0), 0) for o in (-1, 0)] == ["before_1", "before_0"]


def test_no_stage_once_submitted():
    assert stage_for(item_on(-7, submitted=True)) is None
    assert stage_for(item_on(1, submitted=True)) is None


def plan_on(offset: int, delivered=None):
    status = AgencyStatus(agency=AGENCY, today=day(offset), items=(item_on(offset),))
    return plan(day(offset), [(SUB, status)], (7, 1), 2, delivered)


def test_plan_never_goes_back_to_an_earlier_stage():
    assert [d.stage for d in plan_on(-7)] == ["before_7"]
    assert plan_on(-7, {(1, Q2): {"before_7"}}) == []  # already in the log
    assert plan_on(-7, {(1, Q2): {"before_1"}}) == []  # clock moved back after before_1
    assert plan_on(-1, {(1, Q2): {"overdue"}}) == []
    assert [d.stage for d in plan_on(-1, {(1, Q2): {"before_7"}})] == ["before_1"]
    assert [d.stage for d in plan_on(1, {(1, Q2): {"before_7", "before_1"}})] == ["overdue"]
    assert [d.stage for d in plan_on(-7, {(2, Q2): {"before_1"}})] == ["before_7"]  # another account's log


def test_texts():
    (due,) = plan_on(-7)
    assert reminder_text(due) == Q2_BEFORE_7
    (due,) = plan_on(0)
    assert reminder_text(due).splitlines()[0] == ("Nhắc hạn: Báo cáo tình hình chuyển đổi số quý II năm 2022 của "
                                                  "Tỉnh Quảng Ninh đến hạn hôm nay, ngày 15/06/2022.")
    (due,) = plan_on(1)
    assert reminder_text(due) == Q2_OVERDUE
    directive = dataclasses.replace(OB, due_date_origin="directive", due_date_source="Điều 5 Văn bản X.")
    status = AgencyStatus(agency=AGENCY, today=day(-7),
                          items=(ObligationStatus(obligation=directive, state="open", days_left=7),))
    (due,) = plan(day(-7), [(SUB, status)])
    assert "Căn cứ hạn nộp: Điều 5 Văn bản X." in reminder_text(due)
    assert "không quy định" not in reminder_text(due)
