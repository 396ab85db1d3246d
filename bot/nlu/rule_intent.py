"""Base for intent classifiers that decide by a rule, not by learning.

A subclass says which messages its rule covers (:meth:`RuleIntentClassifier.applies`);
those get the configured ``intent`` with confidence 1.0 and every other intent
in the ranking drops to 0.0. Keeping DIET's scores would let
``FallbackClassifier``'s ambiguity check see a runner-up near 1.0 and fall back
on a message the rule is sure about. Messages the rule does not cover are
left untouched. Nothing is trained or stored.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


class RuleIntentClassifier(GraphComponent):
    """Sets ``config["intent"]`` on the messages :meth:`applies` accepts."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RuleIntentClassifier":
        """Nothing to train or load."""
        return cls(config)

    def applies(self, message: Message) -> bool:  # pragma: no cover - abstract
        """Whether the rule covers ``message`` (after tokenizing and entity extraction)."""
        raise NotImplementedError

    def process(self, messages: List[Message]) -> List[Message]:
        """Overrides the intent of the messages the rule covers; returns ``messages``."""
        for message in messages:
            if not self.applies(message):
                continue
            intent = {"name": self._config["intent"], "confidence": 1.0}
            ranking = [intent] + [dict(r, confidence=0.0) for r in message.get(INTENT_RANKING_KEY, [])
                                  if r.get("name") != intent["name"]]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
