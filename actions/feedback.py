"""Ratings of the answers about the directive (table ``answer_feedback``,
:mod:`bot.db.feedback`; the operators' console shows them worst-rated first).

* ``action_rate_answer``: the quick reply "Hữu ích" / "Chưa đúng" (intents
  ``answer_helpful`` / ``answer_wrong``, sent by the widget and Telegram), or a
  typed "đúng rồi" / "sai rồi" (``affirm`` / ``deny``) that
  ``data/rules/feedback.yml`` sends here only right after an answer about the
  directive. A typed one is a rating only when its words judge the answer
  (:func:`bot.domain.reactions.judges_answer`: "đúng rồi", not a bare "có")
  and no submission or correction waits for "có"; otherwise it is handed on,
  unchanged, to the action the confirmation rules would have run
  (:data:`HANDED_ON`, :data:`WHILE_CORRECTION`), which also says when nothing
  is pending. A rating never confirms or cancels anything. "Not helpful" sets ``feedback_ask_what``
  so that ``feedback_form`` asks, once, what was wrong.
* ``action_save_feedback_comment``: the next message (``feedback_comment``) is
  stored with the rating, unless it only says "không" / "bỏ qua".

The rated answer is the assistant's reply to the latest question about the
directive in the conversation (:func:`rated_answer`): its key names what
produced it (the responses, e.g. ``utter_issuer``, or the action that wrote
it, joined by ``+``) and its text is what the user read.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import who
from actions.services import DatabaseUnavailable, run_db
from bot.db.feedback import FeedbackStore
from bot.domain.reactions import judges_answer

logger = logging.getLogger(__name__)

# Intents whose answer is about the directive itself (domain.yml, slot answered_directive).
DIRECTIVE_INTENTS = frozenset({
    "ask_doc_number", "ask_doc_date", "ask_issuer", "ask_addressees", "ask_doc_summary", "ask_legal_basis",
    "ask_year_role", "ask_orientation", "ask_tasks", "ask_not_in_source", "ask_priority_areas",
    "ask_area_ecommerce", "ask_area_education", "ask_area_health", "ask_area_daily_life",
    "ask_area_public_services", "ask_area_sme", "ask_plan", "ask_quarterly_report", "ask_committee",
    "ask_directive_facts", "check_directive_claim", "ask_source_topic",
})
# Sent only by the quick replies' payloads ("/answer_helpful"), which Rasa reads
# without the classifier: nothing to train or to score on the held-out set.
BUTTON_INTENTS = frozenset({"answer_helpful", "answer_wrong"})
HELPFUL = {"answer_helpful": True, "affirm": True, "answer_wrong": False, "deny": False}
# a typed "có" / "không" that is no rating -> the action the confirmation rules run for it
HANDED_ON = {"affirm": "action_save_submission", "deny": "action_cancel_submission"}
WHILE_CORRECTION = {"affirm": "action_correction_confirm", "deny": "action_correction_cancel"}
KEY_CHARS = 128  # answer_feedback.answer_key


def rated_answer(events: List[Dict[Text, Any]]) -> Optional[Tuple[str, str]]:
    """``(answer_key, answer_text)`` of the reply to the latest question about
    the directive before the latest user message in ``events`` (a tracker's
    events, as dicts), or ``None`` when the conversation has none."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    for start in reversed(users[:-1]):
        intent = ((events[start].get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in DIRECTIVE_INTENTS:
            continue
        end = next(i for i in users if i > start)
        keys: List[str] = []
        texts: List[str] = []
        action = intent
        for event in events[start + 1:end]:
            if event.get("event") == "action":
                action = event.get("name") or action
            elif event.get("event") == "bot" and event.get("text"):
                key = (event.get("metadata") or {}).get("utter_action") or action
                if key not in keys:
                    keys.append(key)
                texts.append(event["text"])
        if texts:
            return "+".join(keys)[:KEY_CHARS], "\n\n".join(texts)
    return None


class ActionRateAnswer(Action):
    """Stores a rating of the latest answer about the directive (see the module docstring)."""

    def name(self) -> Text:
        return "action_rate_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in HANDED_ON:
            pending = tracker.get_slot("sub_pending") or tracker.get_slot("corr_pending")
            if pending or not judges_answer(tracker.latest_message.get("text") or ""):
                handler = (WHILE_CORRECTION if tracker.get_slot("corr_pending") else HANDED_ON)[intent]
                logger.info("a typed '%s' that is no rating: handed to %s", intent, handler)
                return [SlotSet("answered_directive", False), SlotSet("feedback_ask_what", False),
                        FollowupAction(handler)]
        done = [SlotSet("answered_directive", False)]
        answer = rated_answer(tracker.events)
        if answer is None or intent not in HELPFUL:
            dispatcher.utter_message(response="utter_feedback_nothing_to_rate")
            return done + [SlotSet("feedback_ask_what", False)]
        helpful = HELPFUL[intent]
        channel, _ = who(tracker)
        try:
            rating = await run_db(lambda repo: FeedbackStore(repo.engine).rate(
                sender_id=tracker.sender_id, channel=channel or None, answer_key=answer[0], answer_text=answer[1],
                helpful=helpful))
        except DatabaseUnavailable:
            rating = None  # the user still gets the same reply: a rating is no service to them
        if helpful:
            dispatcher.utter_message(response="utter_feedback_thanks")
            return done + [SlotSet("feedback_ask_what", False)]
        return done + [SlotSet("feedback_id", rating), SlotSet("feedback_ask_what", True)]


class ActionSaveFeedbackComment(Action):
    """Stores what the user said was wrong (``feedback_comment``) with the rating ``feedback_id``."""

    def name(self) -> Text:
        return "action_save_feedback_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        comment = (tracker.get_slot("feedback_comment") or "").strip()
        rating = tracker.get_slot("feedback_id")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        cleared = [SlotSet("feedback_comment", None), SlotSet("feedback_id", None),
                   SlotSet("feedback_ask_what", False), SlotSet("answered_directive", False)]
        if not comment or intent == "deny":  # "không", "bỏ qua": nothing to add
            dispatcher.utter_message(response="utter_feedback_no_comment")
            return cleared
        if rating is not None:
            try:
                await run_db(lambda repo: FeedbackStore(repo.engine).comment(int(rating), comment))
            except DatabaseUnavailable:
                pass  # the rating stays without its comment; the user is thanked all the same
        dispatcher.utter_message(response="utter_feedback_comment_noted")
        return cleared
