"""Answers that choose a fact response (actions.knowledge)."""
from __future__ import annotations

import pytest

from actions.knowledge import ActionAnswerLegalBasis, ActionAnswerYearRole
from tests.support.actions import run, tracker


@pytest.mark.parametrize(
    "text,response",
    [("Quyết định 942 ban hành ngày nào?", "utter_decision_942"), ("QĐ 749 là gì", "utter_decision_749"),
     ("cơ sở pháp lý của văn bản", "utter_legal_basis")],
)
async def test_legal_basis(text, response):
    messages, events = await run(ActionAnswerLegalBasis(), tracker(text))
    assert [m["response"] for m in messages] == [response] and events == []


@pytest.mark.parametrize(
    "text,response",
    [("Vì sao năm 2022 quan trọng", "utter_year_2022"), ("nam 2020 la nam gi", "utter_year_2020"),
     ("giai đoạn 2020-2022", "utter_years_overview")],
)
async def test_year_role(text, response):
    messages, _ = await run(ActionAnswerYearRole(), tracker(text))
    assert [m["response"] for m in messages] == [response]
