"""The agency-only intent override."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.agency_answer import AgencyAnswerClassifier, only_names_an_agency


def agency(text: str, surface: str) -> dict:
    start = text.index(surface)
    return {"entity": "agency", "start": start, "end": start + len(surface), "value": surface, "agency_code": "X"}


@pytest.mark.parametrize(
    "text,surface,expected",
    [
        ("Bộ Kế hoạch và Đầu tư", "Bộ Kế hoạch và Đầu tư", True),
        ("của tỉnh Nghệ An ạ.", "tỉnh Nghệ An", True),
        ("đơn vị tôi là UBND tỉnh Long An", "UBND tỉnh Long An", True),
        ("Bộ Y tế đã nộp báo cáo chưa", "Bộ Y tế", False),
        ("thời tiết Đà Nẵng", "Đà Nẵng", False),
    ],
)
def test_only_names_an_agency(text, surface, expected):
    assert only_names_an_agency(text, [agency(text, surface)], "agency") is expected


def test_a_diet_entity_without_code_does_not_count():
    entity = {"entity": "agency", "start": 0, "end": 8, "value": "tỉnh Xyz"}
    assert not only_names_an_agency("tỉnh Xyz", [entity], "agency")


def test_process_sets_the_intent_and_zeroes_the_rest_of_the_ranking():
    text = "Bộ Kế hoạch và Đầu tư"
    message = Message(data={"text": text, "entities": [agency(text, text)],
                            "intent": {"name": "ask_plan", "confidence": 0.7},
                            "intent_ranking": [{"name": "ask_plan", "confidence": 0.7},
                                               {"name": "inform_agency", "confidence": 0.2}]})
    AgencyAnswerClassifier(AgencyAnswerClassifier.get_default_config()).process([message])
    assert message.get("intent") == {"name": "inform_agency", "confidence": 1.0}
    assert [(r["name"], r["confidence"]) for r in message.get("intent_ranking")] == [
        ("inform_agency", 1.0), ("ask_plan", 0.0)]
