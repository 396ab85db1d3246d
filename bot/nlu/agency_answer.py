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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.domain.text import fold
from bot.nlu.rule_intent import RuleIntentClassifier

_FILLER = re.compile(
    r"\b(?:cua|la|o|tai|thuoc|don vi|co quan|toi|em|minh|chung toi|ben|ad|a|nhe|oi|vang|da|day|u|ok|va|voi|hoac)\b"
)


def only_names_an_agency(text: str, entities: List[Dict[Text, Any]], entity: str) -> bool:
    """True when ``entities`` of type ``entity`` with an ``agency_code`` (or the
    ``agency_candidates`` of an ambiguous short form) cover
    ``text`` except punctuation and filler words."""
    spans = sorted(
        (e["start"], e["end"])
        for e in entities
        if e.get("entity") == entity and (e.get("agency_code") or e.get("agency_candidates"))
    )
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
class AgencyAnswerClassifier(RuleIntentClassifier):
    """Sets intent ``inform_agency`` (confidence 1.0) on agency-only messages."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``intent`` to set and the ``entity`` type that names agencies."""
        return {"intent": "inform_agency", "entity": "agency"}

    def applies(self, message: Message) -> bool:
        """The gazetteer's agencies cover the whole message (see :func:`only_names_an_agency`)."""
        text: Optional[str] = message.get(TEXT)
        return bool(text) and only_names_an_agency(text, message.get(ENTITIES, []), self._config["entity"])
