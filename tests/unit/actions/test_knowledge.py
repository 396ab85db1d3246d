"""Answers that choose a fact response (actions.knowledge)."""
from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ActionAnswerLegalBasis, ActionAnswerYearRole, answer_year_role, year_role_followup
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


async def test_year_role_remembers_that_a_year_was_asked():
    _, events = await run(ActionAnswerYearRole(), tracker("Năm 2020 được coi là năm gì?"))
    assert events == [SlotSet("last_lookup", "year_role")]


def followup(text, previous="Năm 2020 được coi là năm gì?", last_lookup="year_role"):
    t = tracker(text, slots={"last_lookup": last_lookup}, intent="ask_followup_period")
    t.events = [{"event": "user", "text": previous}, {"event": "user", "text": text}]
    return t


@pytest.mark.parametrize("text,year", [
    ("còn năm 2021?", 2021), ("thế 2022 thì sao", 2022), ("còn năm sau?", 2021), ("năm trước đó thì sao", 2019),
    ("còn quý 4 thì sao", None), ("còn kế hoạch thì sao", None), ("thế còn?", None),
])
def test_year_role_followup(text, year):
    assert year_role_followup(followup(text)) == year


def test_no_year_role_followup_after_a_deadline():
    assert year_role_followup(followup("còn năm 2021?", last_lookup="deadline")) is None


async def test_a_year_the_article_does_not_characterise():
    dispatcher = CollectingDispatcher()
    events = answer_year_role(dispatcher, 2023)
    assert dispatcher.messages[0]["text"] == ("Bài viết nguồn về Văn bản 797/BTTTT-THH chỉ nêu cách nhìn nhận các năm "
                                              "2020, 2021 và 2022; bài viết không nói gì về năm 2023.")
    assert dispatcher.messages[1]["response"] == "utter_years_overview"
    assert events == [SlotSet("last_lookup", "year_role")]


async def test_goals_of_a_decision_are_not_in_the_article():
    messages, _ = await run(ActionAnswerLegalBasis(), tracker("Mục tiêu của Quyết định 749 là gì?"))
    assert messages[0]["text"].startswith("Bài viết nguồn về Văn bản 797/BTTTT-THH không nêu mục tiêu của Quyết định số "
                                          "749/QĐ-TTg")
    assert messages[1]["response"] == "utter_decision_749"
