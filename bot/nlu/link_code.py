"""Intent override for a message that carries a link code.

Codes such as ``ABCDE-23456`` (see :func:`bot.db.accounts.find_code`) are random,
so no classifier can learn them: a message holding one is ``link_account``
(confidence 1.0), whatever else it says ("mã liên kết của tôi: ...").
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.db.accounts import find_code


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LinkCodeClassifier(GraphComponent):
    """Sets intent ``link_account`` on messages containing a link code."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``intent`` to set."""
        return {"intent": "link_account"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinkCodeClassifier":
        """Nothing to train or load."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Overrides the intent of messages with a code; others are untouched."""
        for message in messages:
            text: Optional[str] = message.get(TEXT)
            if not text or text.startswith("/") and " " not in text or find_code(text) is None:
                continue
            intent = {"name": self._config["intent"], "confidence": 1.0}
            ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != intent["name"]]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
