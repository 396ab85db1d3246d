"""Intent override for questions about the directive that one intent label cannot carry.

Runs after the intent classifier (LogisticRegressionClassifier) and the agency gazetteer. Three kinds, checked in
this order, each by a pure rule of :mod:`bot.domain`:

1. **A yes/no question with a premise** ("Văn bản 797 do Bộ Khoa học và Công
   nghệ ban hành phải không?", "có 5 định hướng phổ cập à?"):
   :func:`bot.domain.claims.find_claims` reads and checks the claims; intent
   ``check_directive_claim``, the claims in ``directive_claims``.
2. **Several facts in one message** ("ai ban hành và ban hành khi nào?"):
   :func:`bot.domain.questions.asked_facts` finds two or more (or
   :func:`bot.domain.topics.asked_areas` two or more priority areas: "khám bệnh
   từ xa và học trực tuyến"); intent
   ``ask_directive_facts``, the facts in ``directive_facts`` (in the order asked).
   Messages naming an agency are left to the look-ups, except that a status
   question with a second question in another clause ("Bộ Y tế đã nộp báo cáo
   quý 2 chưa, mà hạn báo cáo quý 2 là khi nào?") gets ``ask_agency_status``
   with the other clauses' facts in ``directive_facts``
   (:func:`bot.domain.questions.facts_beside_status`); the status action
   answers them after the status.
3. **A topic** ("văn bản có nói gì về an ninh mạng không?"):
   :func:`bot.domain.topics.extract_topic` and :func:`bot.domain.topics.lookup`
   decide by evidence from the article. Not in the article -> intent
   ``ask_not_in_source``; only something close, or in another part than the one
   DIET chose -> ``ask_source_topic``; in the part DIET chose -> DIET's intent stays;
   said only in one priority area's item ("văn bản nói gì về y tế") -> that area's intent.
   So a topic is never answered with an unrelated area. A not-in-source
   question may ask a fact in another clause ("có chế tài nếu nộp muộn không,
   mà hạn nộp báo cáo quý 3 là bao giờ"): those facts go in ``directive_facts``
   and are answered after saying what the article does not cover.

Every rule reads the normalised message (:func:`bot.domain.normalise.normalised_text`:
chat abbreviations expanded, Telex/VNI residue decoded), so "vb 797 nói về j v"
asks for a summary and "j" is no topic.

The chosen intent gets confidence 1.0 and the others 0.0 (as in
:class:`bot.nlu.rule_intent.RuleIntentClassifier`). Nothing is trained or stored.
"""
from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.domain.claims import find_claims
from bot.domain.normalise import normalised_text
from bot.domain.questions import (
    AREA_OF_INTENT,
    DEADLINE,
    FACT_INTENTS,
    NOT_IN_SOURCE,
    PLAN,
    QUARTERLY_REPORT,
    SUMMARY,
    AskedFact,
    asked_facts,
    clause_facts,
    clauses_of,
    facts_beside_status,
    is_status_clause,
    text_clauses,
)
from bot.domain.source import intent_sentences
from bot.domain.text import fold
from bot.domain.topics import (
    ABSENT,
    MENTIONED,
    UNMISTAKABLE,
    asked_areas,
    extract_topic,
    lookup,
    single_area,
    supports,
    uncovered_topic,
)

CONFIDENT = 0.5  # FallbackClassifier's threshold (config.yml)
CLAIMS, FACTS, TOPIC = "directive_claims", "directive_facts", "directive_topic"

# Intents of the database look-ups and the officials' workflow: their messages
# name agencies and periods, not facts of the directive.
LOOKUP_INTENTS = frozenset({
    "ask_deadline", "ask_agency_status", "inform_agency", "ask_followup_period", "link_account", "unlink_account",
    "ask_my_account", "record_submission", "affirm", "deny", "subscribe_reminders", "unsubscribe_reminders",
})


def _facts(facts: List[AskedFact]) -> List[Dict[Text, Any]]:
    return [{**asdict(f), "intent": FACT_INTENTS[f.fact]} for f in facts]


def decide(text: str, intent: Optional[str], entities: List[Dict[Text, Any]],
           confidence: float = 1.0) -> Optional[Dict[Text, Any]]:
    """The override for one message: ``{"intent": name, key: value}`` or ``None`` to keep the classifier's intent.

    ``text`` is the raw message (read through the normaliser), ``intent`` and
    ``confidence`` the classifier's, ``entities`` the extractors' (an
    ``agency`` entity with an ``agency_code`` means an agency is named).
    The classifier's intent is kept for a topic only when it is confident
    (``confidence`` >= :data:`CONFIDENT`): otherwise FallbackClassifier would
    drop a question the article answers."""
    text = normalised_text(text)
    found = _decide(text, intent, entities, confidence)
    final = found["intent"] if found else intent
    if final == "ask_not_in_source" and (found is None or FACTS not in found):
        facts = [f for f in asked_facts(text) if not _same_clause(f.clause, text)]
        if facts:
            return {**(found or {"intent": final}), FACTS: _facts(facts)}
    return found


def _facts_beside_uncovered(text: str) -> List[AskedFact]:
    """The facts asked in the other clauses of a message one of whose clauses asks
    a commonly asked topic the article does not cover (:func:`bot.domain.topics.uncovered_topic`:
    "có bị kỷ luật nếu không gửi kế hoạch không, và hạn nộp kế hoạch khi nào" -> [deadline]).
    A clause that asks a fact of the directive itself ("ai ký") is no such clause;
    mentions of the plan, the reports or a due date inside it ("không gửi kế hoạch") are its context."""
    clauses = clauses_of(text)
    uncovered = [c for c in clauses if uncovered_topic(c)
                 and set(clause_facts(c)) <= {PLAN, QUARTERLY_REPORT, DEADLINE}]
    if not uncovered or len(uncovered) == len(clauses):
        return []
    rest = [c for c in clauses if c not in uncovered]
    return asked_facts(" ? ".join(rest))


def _facts_and_topics(text: str, facts: List[AskedFact]) -> Optional[Dict[Text, Any]]:
    """A message asking facts in some clauses and a topic in another ("nội dung phổ
    cập gồm những gì, có nói về khám chữa bệnh từ xa không"; "văn bản có nói về trí
    tuệ nhân tạo không, còn ai ban hành văn bản"): a topic the article says only in
    one priority area's item is one more fact (that area); a topic it does not
    mention makes the message ``ask_not_in_source`` with the facts beside it.
    ``None`` when no clause without a fact has a topic, or a topic is neither."""
    areas: List[AskedFact] = []
    absent: Optional[Dict[Text, Any]] = None
    for clause in text_clauses(text):
        if clause_facts(fold(clause)):
            continue
        topic = extract_topic(clause)
        if topic is None or asked_facts(topic.text):
            continue
        evidence = lookup(topic.text)
        area = single_area(evidence)
        if area is not None:
            areas.append(AskedFact(AREA_OF_INTENT[area], fold(topic.text)))
        elif evidence.status == ABSENT and absent is None:
            absent = {"text": topic.text, "status": ABSENT, "sentences": []}
        else:
            return None  # something close, or in several parts: the topic rules below answer it
    both = facts + [a for a in areas if a.fact not in {f.fact for f in facts}]
    if absent is not None:
        return {"intent": "ask_not_in_source", TOPIC: absent, FACTS: _facts(both)}
    if areas and len(both) >= 2:
        return {"intent": "ask_directive_facts", FACTS: _facts(both)}
    return None


def _absent_beside_status(text: str) -> List[AskedFact]:
    """Topics the article does not mention, each asked in its own clause beside a
    status question ("tỉnh Quảng Ninh nộp báo cáo quý 1 chưa và văn bản có nói về
    chữ ký số không"): one ``not_in_source`` fact each, the topic as its clause."""
    clauses = text_clauses(text)
    if not any(is_status_clause(fold(c)) for c in clauses):
        return []
    found: List[AskedFact] = []
    for clause in clauses:
        folded = fold(clause)
        if is_status_clause(folded) or clause_facts(folded):
            continue
        topic = extract_topic(clause)
        if topic is not None and not asked_facts(topic.text) and lookup(topic.text).status == ABSENT:
            found.append(AskedFact(NOT_IN_SOURCE, topic.text))
    return found


# A yes/no question ends with its particle ("... thì bị phạt không"); a short
# "không" / "chưa" on its own is an answer.
_YES_NO_QUESTION = re.compile(r"\b(?:khong|chua|ha|a|nhi|sao)\s*[?.!]*$|\?\s*$")


def _uncovered_throughout(text: str, intent: Optional[str]) -> Optional[str]:
    """The name of the commonly asked topic the article does not cover
    (:func:`bot.domain.topics.uncovered_topic`) when every clause of ``text``
    asks one, with nothing the article answers beside it (the plan, the reports
    or a due date only as context: "không nộp kế hoạch thì bị phạt không");
    ``None`` otherwise. Which classifier intents it overrules:

    - ``affirm`` / ``deny`` only for a yes/no question of five words or more
      (a short "không" is an answer);
    - ``ask_deadline`` for any such topic;
    - a fact intent only for the :data:`~bot.domain.topics.UNMISTAKABLE` topics
      (figures, sanctions), which may come in a "… trong văn bản là gì" frame.
    """
    folded = fold(text)
    if intent in ("affirm", "deny") and (len(folded.split()) < 5 or not _YES_NO_QUESTION.search(folded)):
        return None
    name = uncovered_topic(text)
    if name is None or intent in ("out_of_scope", "ask_not_in_source", "ask_source_topic"):
        return None
    context = {PLAN, QUARTERLY_REPORT, DEADLINE}
    if intent not in ("affirm", "deny", "ask_deadline"):
        if name not in UNMISTAKABLE:
            return None
        context.add(SUMMARY)
    clauses = clauses_of(text)
    if all(uncovered_topic(c) and set(clause_facts(c)) <= context for c in clauses):
        return name
    return None


def _same_clause(clause: str, text: str) -> bool:
    """True when ``clause`` is the whole message (then no second question was asked)."""
    return clause == re.sub(r"[?!.…\s]+$", "", fold(text))


def _decide(text: str, intent: Optional[str], entities: List[Dict[Text, Any]],
            confidence: float) -> Optional[Dict[Text, Any]]:
    named_agency = any(e.get("entity") == "agency" and e.get("agency_code") for e in entities)
    lookup_intent = intent in LOOKUP_INTENTS
    if not lookup_intent:
        claims = find_claims(text)
        if claims:
            return {"intent": "check_directive_claim", CLAIMS: [asdict(c) for c in claims]}
    facts = asked_facts(text)
    if not named_agency and (not lookup_intent or intent in ("ask_deadline", "affirm", "deny")):
        uncovered = _uncovered_throughout(text, intent)
        if uncovered is not None:  # "số liệu đánh giá năm 2021 là gì": never a confident wrong fact
            return {"intent": "ask_not_in_source", TOPIC: {"text": uncovered, "status": ABSENT, "sentences": []}}
    if not named_agency and (not lookup_intent or intent == "ask_deadline"):  # not the officials' workflow
        beside = _facts_beside_uncovered(text)
        if beside:
            return {"intent": "ask_not_in_source", FACTS: _facts(beside)}
    if facts and not named_agency and (not lookup_intent or intent == "ask_deadline"):
        mixed = _facts_and_topics(text, facts)
        if mixed is not None:
            return mixed
    if len(facts) >= 2 and not named_agency:
        return {"intent": "ask_directive_facts", FACTS: _facts(facts)}
    areas = [] if named_agency or lookup_intent else asked_areas(text)
    if areas:  # "văn bản nói gì về khám bệnh từ xa và học trực tuyến": one answer per area
        return {"intent": "ask_directive_facts",
                FACTS: _facts([AskedFact(AREA_OF_INTENT[a], fold(part)) for a, part in areas])}
    if named_agency:
        beside = facts_beside_status(text) + _absent_beside_status(text)
        if beside:
            return {"intent": "ask_agency_status", FACTS: _facts(beside)}
    names_document = bool(_NAMES_DOCUMENT.search(fold(text)))
    if named_agency or (lookup_intent and intent != "ask_followup_period" and not names_document):
        return None  # ("chữ ký số thì sao" may look like a follow-up: periods, plans and agencies are no topics)
    if intent == "out_of_scope" and not names_document:
        return None  # "luật hôn nhân quy định gì về ly hôn": not a question about the directive
    topic = extract_topic(text)
    if topic is None or asked_facts(topic.text):
        return None
    if lookup_intent and topic.frame == "how_about" and (intent != "ask_followup_period" or len(topic.text) <= 4):
        return None  # "còn hcm thì sao": a short form of a province, for the look-ups
    evidence = lookup(topic.text)
    info = {"text": topic.text, "status": evidence.status, "sentences": [s.index for s in evidence.sentences]}
    chosen = intent_sentences(intent) if intent else []
    if evidence.status == ABSENT:
        if chosen and supports(topic.text, chosen) and confidence >= CONFIDENT:
            return None  # the words are not the article's, but DIET's part shares some: trust it
        return {"intent": "ask_not_in_source", TOPIC: info}
    if evidence.status == MENTIONED and set(info["sentences"]) & set(chosen) and confidence >= CONFIDENT:
        return None  # DIET chose the part of the directive that says it
    area = single_area(evidence)
    if area is not None:
        return {"intent": area, TOPIC: info}  # said only in one priority area's item: that area's answer
    return {"intent": "ask_source_topic", TOPIC: info}


_NAMES_DOCUMENT = re.compile(r"\b(?:van ban|vb|cong van|cv|797|bai viet|chi thi|huong dan cua bo)\b")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DirectiveQuestionClassifier(GraphComponent):
    """Sets ``check_directive_claim``, ``ask_directive_facts``, ``ask_not_in_source`` or
    ``ask_source_topic`` (confidence 1.0) where :func:`decide` says so."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "DirectiveQuestionClassifier":
        """Nothing to train or load."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Overrides the intent of the messages :func:`decide` covers; returns ``messages``."""
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue
            current = message.get(INTENT) or {}
            override = decide(text, current.get("name"), message.get(ENTITIES, []), current.get("confidence", 0.0))
            if override is None:
                continue
            name = override.pop("intent")
            intent = {"name": name, "confidence": 1.0}
            ranking = [intent] + [dict(r, confidence=0.0) for r in message.get(INTENT_RANKING_KEY, [])
                                  if r.get("name") != name]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            for key, value in override.items():
                message.set(key, value, add_to_output=True)
        return messages
