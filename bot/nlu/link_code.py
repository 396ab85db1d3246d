"""Intent override for a message that carries a link code.

Codes such as ``ABCDE-23456`` (see :func:`bot.db.accounts.find_codes`) are random,
so no classifier can learn them: a message holding one is ``link_account``
(confidence 1.0), whatever else it says ("mã liên kết của tôi: ...").
Codes are looked for in the normalised message, so two VNI-typed words
("phap1 tinh2", i.e. "pháp tình") are not taken for a code split by a space.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.domain.normalise import normalised_text
from bot.nlu.rule_intent import RuleIntentClassifier
from bot.officials.link_codes import find_codes


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LinkCodeClassifier(RuleIntentClassifier):
    """Sets intent ``link_account`` on messages containing a link code."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``intent`` to set."""
        return {"intent": "link_account"}

    def applies(self, message: Message) -> bool:
        """The text holds something shaped like a code (not an ``/intent`` payload)."""
        text: Optional[str] = message.get(TEXT)
        if not text or (text.startswith("/") and " " not in text):
            return False
        return bool(find_codes(normalised_text(text)))
