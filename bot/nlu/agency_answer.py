"""Intent override for a message that only names an agency.

"Bộ Kế hoạch và Đầu tư" or "Sở TT&TT Cần Thơ" on its own answers the question
"which agency?"; but the words of the name ("kế hoạch", "báo cáo"...) can pull
DIETClassifier towards another intent. When the gazetteer's agency entities
cover the whole message, apart from punctuation and a few filler words
("của", "đơn vị tôi là"...), the intent becomes ``inform_agency``.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.text import fold

_FILLER = re.compile(
    r"\b(?:cua|la|o|tai|thuoc|don vi|co quan|toi|em|minh|chung toi|ben|ad|a|nhe|oi|vang|da|day|u|ok)\b"
)


def only_names_an_agency(text: str, entities: List[Dict[Text, Any]], entity: str) -> bool:
    """True when ``entities`` of type ``entity`` with an ``agency_code`` cover
    ``text`` except punctuation and filler words."""
    spans = sorted((e["start"], e["end"]) for e in entities if e.get("entity") == entity and e.get("agency_code"))
    if not spans:
        return False
    rest, last = [], 0
    for start, end in spans:
        rest.append(text[last:start])
        last = end
    rest.append(text[last:])
    leftover = _FILLER.sub(" ", fold(" ".join(rest)))
    return not re.sub(r"[\W_]+", "", leftover)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AgencyAnswerClassifier(GraphComponent):
    """Sets intent ``inform_agency`` (confidence 1.0) on agency-only messages."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``intent`` to set and the ``entity`` type that names agencies."""
        return {"intent": "inform_agency", "entity": "agency"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "AgencyAnswerClassifier":
        """Nothing to train or load."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Overrides the intent of agency-only messages; others are untouched."""
        for message in messages:
            text: Optional[str] = message.get(TEXT)
            if not text or not only_names_an_agency(text, message.get(ENTITIES, []), self._config["entity"]):
                continue
            intent = {"name": self._config["intent"], "confidence": 1.0}
            ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != intent["name"]]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
