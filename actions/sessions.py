"""``action_session_start``: a new session never inherits a half-done submission.

Rasa starts a new session when a message arrives more than
``session_expiration_time`` minutes (domain.yml ``session_config``, 60) after
the previous user message, and carries the slots over. Without this action the
carried-over ``sub_pending`` would let a stray "có" typed hours later, as the
first message of the new session, save a submission whose summary the official
no longer has in view (RasaHQ/rasa#5091, #9305).

Choice: the pending submission is dropped, not resumed. The official is told
plainly that nothing was recorded and is shown what had been collected, so that
they can send it again; the message that opened the session is then handled as
usual (a "có" finds nothing pending). Resuming was rejected because the message
that opens the session was typed before the official could see a repeated
summary, so it could not count as a confirmation anyway.

A rating in progress (:data:`FEEDBACK_STATE`) does not carry over either: a
"không" hours later rates nothing. Every other slot carries over as Rasa's own
``action_session_start`` does.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import official_replies as say
from actions.services import DatabaseUnavailable, run_db

logger = logging.getLogger(__name__)

# The submission a session may hold; none of it outlives the session.
SUBMISSION_STATE = ("sub_pending", "sub_allowed", "sub_agency_code", "sub_obligation", "sub_received_on",
                    "sub_reference", "sub_message", "sub_message_id")
# A rating in progress (actions/feedback.py): a "không" in a new session rates nothing.
FEEDBACK_STATE = ("answered_directive", "feedback_ask_what", "feedback_id", "feedback_comment")
DEFAULT_EXPIRATION_MINUTES = 60


def has_pending_submission(tracker: Tracker) -> bool:
    """True when ``tracker`` (the session that is ending) holds a submission
    being collected (``submission_form`` active, or any detail already read)
    or waiting for "có" (``sub_pending``)."""
    if tracker.active_loop_name == "submission_form" or tracker.get_slot("sub_pending"):
        return True
    return any(tracker.get_slot(s) for s in ("sub_obligation", "sub_received_on", "sub_reference"))


def new_session_since(tracker: Tracker, action_name: str) -> bool:
    """True when a ``session_started`` event comes after the latest run of
    ``action_name`` in ``tracker.events`` (or when the action never ran in the
    events given and a session did start): what that action showed belongs to
    an earlier session."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == action_name:
            return False
        if event.get("event") == "session_started":
            return True
    return False


class ActionSessionStart(Action):
    """Starts a session: ``SessionStarted``, the carried-over slots (when
    ``session_config.carry_over_slots_to_new_session`` is on), then
    ``ActionExecuted("action_listen")``, like Rasa's default action.

    A submission pending in the previous session is not carried over (its
    slots, and ``requested_slot``, are left out, so ``SessionStarted`` resets
    them to ``None``) and the official reads
    :func:`actions.official_replies.session_expired_nothing_recorded` (or, when
    the last "có" got an unknown outcome, :func:`~actions.official_replies.session_expired_outcome_unknown`).
    """

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        config = domain.get("session_config") or {}
        carry_over = config.get("carry_over_slots_to_new_session", True)
        pending = has_pending_submission(tracker)
        events: List[Dict[Text, Any]] = [SessionStarted()]
        if carry_over:
            for name, value in (tracker.slots or {}).items():
                if value is None or name in SUBMISSION_STATE or name in FEEDBACK_STATE:
                    continue
                if name == "requested_slot" and (pending or str(value).startswith("sub_") or value in FEEDBACK_STATE):
                    continue  # the form it belonged to does not survive the session start
                events.append(SlotSet(name, value))
        if pending:  # its slots were not carried over: SessionStarted resets them
            label = await _label(tracker.get_slot("sub_obligation"))
            if _outcome_unknown(tracker):
                dispatcher.utter_message(text=say.session_expired_outcome_unknown(_minutes(config), label))
            else:
                dispatcher.utter_message(text=say.session_expired_nothing_recorded(
                    _minutes(config), label, _date(tracker.get_slot("sub_received_on")),
                    tracker.get_slot("sub_reference")))
            logger.info("session of %s started with a pending submission: dropped", tracker.sender_id)
        events.append(ActionExecuted("action_listen"))
        return events


def _outcome_unknown(tracker: Tracker) -> bool:
    """The last "có" since the summary got :data:`~actions.official_replies.SAVE_UNCERTAIN`:
    that write may have landed, so "nothing was recorded" would not be known."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == "action_submission_summary":
            return False
        if event.get("event") == "bot" and event.get("text") == say.SAVE_UNCERTAIN:
            return True
    return False


def _minutes(config: Dict[str, Any]) -> int:
    try:
        return int(config.get("session_expiration_time") or DEFAULT_EXPIRATION_MINUTES)
    except (TypeError, ValueError):
        return DEFAULT_EXPIRATION_MINUTES


async def _label(code: Optional[str]) -> Optional[str]:
    """``"báo cáo quý I/2022 (BC-2022-Q1)"`` for a known code, the code alone if
    the database does not answer, ``None`` without a code."""
    if not code:
        return None
    try:
        obligation = await run_db(lambda repo: repo.get_obligation_by_code(str(code)))
    except DatabaseUnavailable:
        return str(code)
    return say.obligation_with_code(obligation) if obligation else str(code)


def _date(value: Any) -> Optional[date]:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
