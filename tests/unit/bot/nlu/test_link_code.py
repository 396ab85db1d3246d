"""bot.nlu.link_code.LinkCodeClassifier on real Rasa messages (no model needed)."""
from __future__ import annotations

from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.link_code import LinkCodeClassifier


def classified(text: str, ranking) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, dict(ranking[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(r) for r in ranking], add_to_output=True)
    return message


def test_a_code_alone_is_link_account_even_when_diet_was_sure_of_something_else():
    diet = [{"name": "inform_agency", "confidence": 0.98}, {"name": "link_account", "confidence": 0.01}]
    messages = [classified("KTDFS-J9FZU", diet), classified("mã liên kết: ktdfs j9fzu", diet)]
    LinkCodeClassifier(LinkCodeClassifier.get_default_config()).process(messages)
    # the real FallbackClassifier (threshold 0.6, ambiguity 0.05 as in config.yml) keeps it
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), "threshold": 0.6,
                                   "ambiguity_threshold": 0.05})
    fallback.process(messages)
    for message in messages:
        assert message.get(INTENT)["name"] == "link_account"
        assert [r["confidence"] for r in message.get(INTENT_RANKING_KEY)] == [1.0, 0.0]


def test_other_messages_are_untouched():
    diet = [{"name": "ask_agency_status", "confidence": 0.9}]
    messages = [classified(t, diet) for t in ("123/BC-UBND đã nộp chưa", "BC-2022-Q1", "/link_account", "")]
    LinkCodeClassifier(LinkCodeClassifier.get_default_config()).process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["ask_agency_status"] * 4
