"""Answers about the directive that the NLU component
:class:`bot.nlu.directive_questions.DirectiveQuestionClassifier` prepares:

* ``action_answer_directive_facts``: every fact a compound message asks, in order
  ("ai ban hành và ban hành khi nào?"), with the fact responses of ``domain.yml``
  (and the deadline look-up for "hạn nộp ... khi nào");
* ``action_check_directive_claim``: whether the premise of a yes/no question
  holds ("... do Bộ Khoa học và Công nghệ ban hành phải không?"), then any
  other fact the message asks;
* ``action_answer_not_in_source``: the article does not mention the topic, named;
* ``action_answer_source_topic``: what the article says on a topic, or the
  closest sentence and what it does not say.

The component's findings travel in the message's parse data
(``directive_facts``, ``directive_claims``, ``directive_topic``); when they are
missing (a button, an older model) the same pure functions read the text again.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import directive_replies as wording
from actions.lookups import answer_deadline, read_query
from actions.parsing import mentioned_decisions, mentioned_years
from actions.services import DatabaseUnavailable
from bot.domain import questions as q
from bot.domain.claims import Claim, find_claims
from bot.domain.dates import local_today
from bot.domain.topics import extract_topic, lookup, uncovered_topic
from bot.settings import load_settings

logger = logging.getLogger(__name__)

# One response per fact (texts in domain.yml).
RESPONSES: Dict[str, str] = {
    q.NUMBER: "utter_doc_number", q.DATE: "utter_doc_date", q.ISSUER: "utter_issuer",
    q.ADDRESSEES: "utter_addressees", q.ORIENTATION: "utter_orientation", q.PRIORITY_AREAS: "utter_priority_areas",
    q.TASKS: "utter_tasks", q.SUMMARY: "utter_doc_summary", q.PLAN: "utter_plan",
    q.QUARTERLY_REPORT: "utter_quarterly_report", q.COMMITTEE: "utter_committee",
    **{area: f"utter_{area}" for area in q.AREAS},  # "utter_area_health", ...
}
# The fact a checked claim already answers.
CLAIM_FACT = {
    "issuer": q.ISSUER, "date": q.DATE, "number": q.NUMBER, "tasks": q.TASKS, "areas": q.PRIORITY_AREAS,
    "orientation": q.ORIENTATION, "year": q.YEAR_ROLE, "basis": q.LEGAL_BASIS, "addressees": q.ADDRESSEES,
    "frequency": q.QUARTERLY_REPORT,
}


def _help_buttons(domain: DomainDict) -> List[Dict[Text, Any]]:
    """The help buttons of ``utter_help`` (what the assistant can answer), if the domain has them."""
    variants = ((domain or {}).get("responses") or {}).get("utter_help") or [{}]
    return list(variants[0].get("buttons") or [])


def _asked(tracker: Tracker) -> List[q.AskedFact]:
    found = tracker.latest_message.get("directive_facts")
    if found:
        return [q.AskedFact(f["fact"], f["clause"]) for f in found]
    return q.asked_facts(tracker.latest_message.get("text") or "")


async def answer_facts(dispatcher: CollectingDispatcher, tracker: Tracker, facts: List[q.AskedFact]) -> List[Dict]:
    """Send the answer to each fact in order; returns the slot events of a deadline look-up."""
    events: List[Dict] = []
    for fact in facts:
        if fact.fact == q.LEGAL_BASIS:
            decisions = mentioned_decisions(fact.clause)
            dispatcher.utter_message(response=f"utter_decision_{decisions[0]}" if len(decisions) == 1 else "utter_legal_basis")
        elif fact.fact == q.YEAR_ROLE:
            years = mentioned_years(fact.clause)
            dispatcher.utter_message(response=f"utter_year_{years[0]}" if len(years) == 1 else "utter_years_overview")
        elif fact.fact == q.DEADLINE:
            today = local_today()
            query = read_query(tracker, today, text=fact.clause)
            try:
                await answer_deadline(dispatcher, query, today)
            except DatabaseUnavailable:
                dispatcher.utter_message(response="utter_db_unavailable")
            events += query.slots("deadline")
        elif fact.fact == q.NOT_IN_SOURCE:  # the clause holds the topic as the user wrote it
            dispatcher.utter_message(text=wording.not_in_source_reply(fact.clause, load_settings().directive_full_text_url),
                                     **q.NOT_IN_SOURCE_MARK)
        elif fact.fact in RESPONSES:
            dispatcher.utter_message(response=RESPONSES[fact.fact])
    return events


async def answer_other_questions(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict]:
    """The second questions of a message whose first part another action answered
    (a status look-up, a topic the article does not cover): the ``directive_facts``
    the NLU component put beside that intent, answered in order with
    :func:`answer_facts`; returns its slot events (none when there are no such facts)."""
    found = tracker.latest_message.get("directive_facts") or []
    facts = [q.AskedFact(f["fact"], f["clause"]) for f in found]
    return await answer_facts(dispatcher, tracker, facts) if facts else []


class ActionAnswerDirectiveFacts(Action):
    """Every fact a message asks, in the order asked."""

    def name(self) -> Text:
        return "action_answer_directive_facts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        facts = _asked(tracker)
        if not facts:
            dispatcher.utter_message(response="utter_default")
            return []
        if len(facts) > 1:
            dispatcher.utter_message(text=wording.with_intro(len(facts)))
        return await answer_facts(dispatcher, tracker, facts)


class ActionCheckDirectiveClaim(Action):
    """Whether the premise of a yes/no question holds, then the other facts asked."""

    def name(self) -> Text:
        return "action_check_directive_claim"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        found = tracker.latest_message.get("directive_claims")
        claims = [Claim(**c) for c in found] if found else find_claims(text)
        if not claims:
            facts = q.asked_facts(text)
            if facts:
                return await answer_facts(dispatcher, tracker, facts)
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(text=wording.claims_reply(claims))
        answered = {CLAIM_FACT.get(c.kind) for c in claims}
        rest = [f for f in q.asked_facts(text) if f.fact not in answered and f.fact != q.SUMMARY]
        return await answer_facts(dispatcher, tracker, rest)


def _topic(tracker: Tracker) -> Optional[str]:
    found = tracker.latest_message.get("directive_topic") or {}
    if found.get("text"):
        return found["text"]
    text = tracker.latest_message.get("text") or ""
    topic = extract_topic(text)
    return topic.text if topic else None


class ActionAnswerNotInSource(Action):
    """The article does not mention the topic asked: say so, naming it, and what it does cover."""

    def name(self) -> Text:
        return "action_answer_not_in_source"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        topic = uncovered_topic(text) or _topic(tracker)
        if not topic or text.startswith("/"):
            dispatcher.utter_message(response="utter_not_in_source")
            return await answer_other_questions(dispatcher, tracker)
        url = load_settings().directive_full_text_url
        dispatcher.utter_message(text=wording.not_in_source_reply(topic, url), buttons=_help_buttons(domain),
                                 **q.NOT_IN_SOURCE_MARK)
        return await answer_other_questions(dispatcher, tracker)


class ActionAnswerSourceTopic(Action):
    """What the article says on the topic, or the closest it comes and what it does not say."""

    def name(self) -> Text:
        return "action_answer_source_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        topic = _topic(tracker)
        if not topic:
            dispatcher.utter_message(response="utter_not_in_source")
            return []
        url = load_settings().directive_full_text_url
        evidence = lookup(topic)
        absent = evidence.status == "absent"
        dispatcher.utter_message(text=wording.topic_reply(evidence, url), buttons=_help_buttons(domain) if absent else [],
                                 **(q.NOT_IN_SOURCE_MARK if absent else {}))
        return []
