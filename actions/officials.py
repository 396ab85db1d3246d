"""Officials' workflow: link a chat account to an agency, record a document the
agency sent (form + confirmation), reminders on/off. ("My agency" questions go
through the agency form: see :class:`actions.lookups.ValidateAgencyForm`.)

Who is asking is read from the tracker: ``tracker.sender_id`` (Telegram chat id,
Zalo user id) and the input channel of the latest message. Only an account
linked in the database (:class:`bot.db.accounts.AccountRepository`) is an
official; slots never grant rights, and every write re-checks the link inside
its transaction. Dates are local Asia/Ho_Chi_Minh dates (``ASSISTANT_TODAY``
overrides "today" in tests). Wording is in :mod:`actions.official_replies`.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import official_replies as say
from actions import replies
from actions.identity import current_link, is_group_chat, user_channels_since, who
from actions.lookups import named_agency
from actions.parsing import clean_reference, find_received_date, find_reference_number
from actions.services import DatabaseUnavailable, OutcomeUnknown, directory, run_accounts, run_db
from actions.sessions import new_session_since
from bot.db.accounts import NotLinkedError, WrongAgencyError
from bot.db.views import DuplicateSubmissionError, UnknownObligationError
from bot.domain.dates import local_today
from bot.domain.obligations import match_obligation
from bot.officials.link_codes import find_codes
from bot.settings import load_settings

logger = logging.getLogger(__name__)

SUBMISSION_SLOTS = ("sub_obligation", "sub_received_on", "sub_reference")
_CLEARED = [SlotSet(s, None) for s in SUBMISSION_SLOTS + ("sub_agency_code", "sub_message", "sub_message_id")]


class ActionLinkAccount(Action):
    """Redeem the link code in the message; explain how to get one otherwise."""

    def name(self) -> Text:
        return "action_link_account"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = load_settings()
        channel, user_id = who(tracker)
        text = tracker.latest_message.get("text") or ""
        codes = find_codes(text)
        if channel not in settings.identity_channels:
            dispatcher.utter_message(text=say.link_channel_not_allowed(settings.identity_channels))
            return []
        if is_group_chat(channel, user_id):
            burned = 0
            if codes:  # the whole group has seen it: it must not work for anyone
                try:
                    burned = await run_accounts(lambda a: a.burn_codes(codes, channel=channel, user_id=user_id))
                except DatabaseUnavailable:
                    burned = 0
            dispatcher.utter_message(text=say.LINK_IN_GROUP + (say.CODE_BURNED if burned else ""))
            return []
        if not codes:
            dispatcher.utter_message(text=say.LINK_HOW)
            return []
        try:
            result = await run_accounts(lambda a: a.redeem_code(
                channel, user_id, codes, allowed_channels=settings.identity_channels,
                max_failures=settings.link_max_failures, lockout_minutes=settings.link_lockout_minutes,
                message=text))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []
        dispatcher.utter_message(text=say.link_result(result))
        if result.status == "linked":
            return [SlotSet("agency", result.link.agency_name), SlotSet("agency_code", result.link.agency_code)]
        return []


class ActionUnlinkAccount(Action):
    """The official ends the link of this chat account."""

    def name(self) -> Text:
        return "action_unlink_account"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        try:
            link = await current_link(tracker)
            if link is None:
                dispatcher.utter_message(text=say.NOT_LINKED_NOTHING_TO_UNLINK)
                return []
            await run_accounts(lambda a: a.revoke_link(link.id, actor="official", message=text))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []
        dispatcher.utter_message(text=say.unlinked(link))
        return _CLEARED + [SlotSet("sub_pending", False)]


class ActionMyAccount(Action):
    """Which agency this chat account is linked to, and whether reminders are on."""

    def name(self) -> Text:
        return "action_my_account"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        try:
            link = await current_link(tracker)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []
        dispatcher.utter_message(text=say.account_summary(link, who(tracker)[0]))
        return []


class ActionSetReminders(Action):
    """Subscribe (intent ``subscribe_reminders``) or unsubscribe this account."""

    def name(self) -> Text:
        return "action_set_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        on = tracker.get_intent_of_latest_message() == "subscribe_reminders"
        channel, user_id = who(tracker)
        text = tracker.latest_message.get("text") or ""
        named = named_agency(tracker) if on else None  # "đăng ký nhắc hạn cho UBND tỉnh …"
        try:
            link = await current_link(tracker)
            if link is None:
                if named is not None:
                    settings = load_settings()
                    dispatcher.utter_message(text=say.reminders_for_agency_need_link(
                        named.name, channel, settings.identity_channels))
                else:
                    dispatcher.utter_message(text=say.reminders_need_link(channel))
                return []
            if named is not None and named.code != link.agency_code:
                dispatcher.utter_message(text=say.reminders_other_agency(link.agency_name, named.name))
                return []
            link = await run_accounts(lambda a: a.set_subscribed(channel, user_id, on, message=text),
                                      passthrough=(NotLinkedError,))
        except NotLinkedError:
            dispatcher.utter_message(text=say.reminders_need_link(channel))
            return []
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return []
        dispatcher.utter_message(text=say.reminders_set(link, load_settings().reminder_days))
        return []


# --------------------------------------------------------------------------- #
# Recording a submission: check -> form -> summary -> confirm -> save.         #
# --------------------------------------------------------------------------- #
class ActionStartSubmission(Action):
    """Decides whether this account may record for the agency it names.

    Sets ``sub_allowed`` (the rules branch on it), ``sub_agency_code`` (the
    linked agency), and remembers the request text and message id for the audit
    trail. A public account, a group chat, or an agency other than the linked
    one is refused with the reason.
    """

    def name(self) -> Text:
        return "action_start_submission"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        channel, user_id = who(tracker)
        refused = [SlotSet("sub_allowed", False)] + _CLEARED + [SlotSet("sub_pending", False)]
        if is_group_chat(channel, user_id):
            dispatcher.utter_message(text=say.RECORD_IN_GROUP)
            return refused
        if channel not in load_settings().identity_channels:
            dispatcher.utter_message(text=say.record_needs_link(channel))
            return refused
        try:
            link = await current_link(tracker)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return refused
        if link is None:
            dispatcher.utter_message(text=say.record_needs_link(channel))
            return refused
        named = named_agency(tracker)
        if named is not None and named.code != link.agency_code:
            dispatcher.utter_message(text=say.wrong_agency(link.agency_name, named.name))
            return refused
        message = tracker.latest_message
        return [
            SlotSet("sub_allowed", True), SlotSet("sub_pending", False),
            SlotSet("sub_agency_code", link.agency_code),
            SlotSet("sub_message", (message.get("text") or "")[:2000]),
            SlotSet("sub_message_id", message.get("message_id")),
        ] + [SlotSet(s, None) for s in SUBMISSION_SLOTS]


class ValidateSubmissionForm(FormValidationAction):
    """Reads the obligation, the date sent and the document number from any
    message while ``submission_form`` is active (several at once are fine).

    A message that names none of them and is not an answer to the question
    leaves the slots alone, so the form steps aside for other questions.
    """

    def name(self) -> Text:
        return "validate_submission_form"

    @staticmethod
    def _text(tracker: Tracker) -> str:
        text = tracker.latest_message.get("text") or ""
        return "" if text.startswith("/") else text

    async def extract_sub_obligation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        text = self._text(tracker)
        if not text:
            return {}
        try:
            obligations = await run_db(lambda repo: repo.list_obligations())
        except DatabaseUnavailable:
            return {}
        obligation = match_obligation(text, obligations, local_today())
        if obligation is not None:
            return {"sub_obligation": obligation.code}
        if tracker.get_slot("requested_slot") == "sub_obligation" and _answers_question(tracker):
            dispatcher.utter_message(text=say.OBLIGATION_NOT_UNDERSTOOD)
            return {"sub_obligation": None}
        return {}

    async def extract_sub_received_on(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        text = self._text(tracker)
        if not text:
            return {}
        found, problem = find_received_date(text, local_today())
        if found:
            return {"sub_received_on": found.isoformat()}
        if problem:
            dispatcher.utter_message(text=say.date_problem(problem))
            return {"sub_received_on": None}
        if tracker.get_slot("requested_slot") == "sub_received_on" and _answers_question(tracker):
            dispatcher.utter_message(text=say.DATE_NOT_UNDERSTOOD)
            return {"sub_received_on": None}
        return {}

    async def extract_sub_reference(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        text = self._text(tracker)
        if not text:
            return {}
        found = find_reference_number(text)
        if found is not None:
            return {"sub_reference": found}
        if tracker.get_slot("requested_slot") == "sub_reference" and _answers_question(tracker):
            cleaned = clean_reference(text)
            if cleaned and len(text) <= 64:
                return {"sub_reference": cleaned}
            dispatcher.utter_message(text=say.REFERENCE_NOT_UNDERSTOOD)
            return {"sub_reference": None}
        return {}


    # What the extractors found is checked once more before the form accepts it.
    async def validate_sub_obligation(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        """A code of a known obligation, or ``None`` (the form asks again)."""
        if not value:
            return {"sub_obligation": None}
        try:
            known = await run_db(lambda repo: repo.get_obligation_by_code(str(value)))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return {"sub_obligation": None}
        return {"sub_obligation": known.code if known else None}

    async def validate_sub_received_on(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        """An ISO date not after today (local), or ``None``."""
        try:
            received = date.fromisoformat(str(value))
        except ValueError:
            return {"sub_received_on": None}
        return {"sub_received_on": received.isoformat() if received <= local_today() else None}

    async def validate_sub_reference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        """The number made safe to store and show; ``""`` means "no number"."""
        return {"sub_reference": None if value is None else clean_reference(str(value))}


# Intents that are not an answer to the form's question: the form steps aside
# and their own rules run ("không" cancels, "cảm ơn" is thanked, ...).
_NOT_ANSWERS = frozenset({"deny", "greet", "goodbye", "thank", "bot_challenge", "out_of_scope", "link_account",
                          "unlink_account", "ask_my_account", "subscribe_reminders", "unsubscribe_reminders"})


def _answers_question(tracker: Tracker) -> bool:
    """The latest message looks like an answer, not a cancellation or another question."""
    intent = tracker.get_intent_of_latest_message() or ""
    return intent not in _NOT_ANSWERS and not intent.startswith("ask_")


class ActionAskSubObligation(Action):
    """Asks which obligation, with a button for each one the agency has not sent."""

    def name(self) -> Text:
        return "action_ask_sub_obligation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        code = tracker.get_slot("sub_agency_code")
        buttons: List[Dict[str, str]] = []
        if code:
            try:
                status = await run_db(lambda repo: repo.agency_status(code, local_today()))
                buttons = [{"title": replies.capitalised(replies.obligation_label(i.obligation)),
                            "payload": i.obligation.code} for i in status.items if i.state != "submitted"]
            except DatabaseUnavailable:
                pass  # the question still makes sense without buttons
        dispatcher.utter_message(text=say.ASK_OBLIGATION, buttons=buttons[:8])
        return []


class ActionSubmissionSummary(Action):
    """Repeats what will be written and asks for confirmation (sets ``sub_pending``)."""

    def name(self) -> Text:
        return "action_submission_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        code = tracker.get_slot("sub_agency_code")
        try:
            obligation = await run_db(lambda repo: repo.get_obligation_by_code(tracker.get_slot("sub_obligation") or ""))
            agency = await run_db(lambda repo: repo.get_agency(code or ""))
            status = await run_db(lambda repo: repo.agency_status(agency.code, local_today())) if agency else None
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return _CLEARED + [SlotSet("sub_pending", False)]
        try:
            received = date.fromisoformat(tracker.get_slot("sub_received_on") or "")
        except ValueError:
            received = None
        if obligation is None or agency is None or received is None:
            dispatcher.utter_message(text=say.NOTHING_PENDING)
            return _CLEARED + [SlotSet("sub_pending", False)]
        current = next((i.submission for i in status.items if i.obligation.code == obligation.code), None)
        dispatcher.utter_message(
            text=say.confirm_question(agency.name, obligation, received, tracker.get_slot("sub_reference") or "",
                                      replaces_sample=bool(current and current.is_sample)),
            buttons=[{"title": "Có, ghi nhận", "payload": "/affirm"}, {"title": "Không, hủy", "payload": "/deny"}],
        )
        return [SlotSet("sub_pending", True)]


class ActionSaveSubmission(Action):
    """On "có": writes the pending submission for the linked account (one row and
    one audit entry), then clears it. With nothing pending it says so, so a
    replayed "có" writes nothing; nor does a "có" when a session started after
    the summary was shown (see :mod:`actions.sessions`)."""

    def name(self) -> Text:
        return "action_save_submission"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        done = _CLEARED + [SlotSet("sub_pending", False)]
        if not tracker.get_slot("sub_pending"):
            dispatcher.utter_message(text=say.NOTHING_PENDING)
            return []
        if new_session_since(tracker, "action_submission_summary"):
            # the summary was shown in an earlier session: this "có" cannot be its answer
            dispatcher.utter_message(text=say.NOTHING_PENDING)
            return done
        channel, user_id = who(tracker)
        if channel not in load_settings().identity_channels:
            dispatcher.utter_message(text=say.record_needs_link(channel))
            return done
        if user_channels_since(tracker, "action_start_submission") != {channel}:
            # a message from another channel took part in this conversation since it began
            dispatcher.utter_message(text=say.MIXED_CHANNELS)
            return done
        try:
            received = date.fromisoformat(tracker.get_slot("sub_received_on") or "")
        except ValueError:
            dispatcher.utter_message(text=say.NOTHING_PENDING)
            return done
        request = tracker.get_slot("sub_message") or ""
        try:
            saved = await run_accounts(
                lambda a: a.record_for_account(
                    channel, user_id, tracker.get_slot("sub_agency_code") or "", tracker.get_slot("sub_obligation") or "",
                    received, tracker.get_slot("sub_reference") or "", message=request,
                    message_id=tracker.get_slot("sub_message_id")),
                passthrough=(NotLinkedError, WrongAgencyError, DuplicateSubmissionError, UnknownObligationError),
                write=True)
        except NotLinkedError:
            dispatcher.utter_message(text=say.record_needs_link(channel))
            return done
        except WrongAgencyError as error:
            dispatcher.utter_message(text=say.link_changed(error.linked_code))
            return done
        except DuplicateSubmissionError:
            dispatcher.utter_message(text=say.DUPLICATE)
            return done
        except UnknownObligationError:
            dispatcher.utter_message(text=say.NOTHING_PENDING)
            return done
        except OutcomeUnknown:
            # the write may still land: never say "nothing was recorded"; a second
            # "có" is safe (a replayed message id is refused as already recorded)
            dispatcher.utter_message(text=say.SAVE_UNCERTAIN)
            return [SlotSet("sub_pending", True)]
        except DatabaseUnavailable:
            dispatcher.utter_message(text=say.SAVE_FAILED)
            return [SlotSet("sub_pending", True)]  # rolled back, nothing written: "có" again retries
        agency = directory().get(saved.agency_code)
        try:
            obligation = await run_db(lambda repo: repo.get_obligation_by_code(saved.obligation_code))
        except DatabaseUnavailable:
            obligation = None  # written already: the code will do in the reply
        dispatcher.utter_message(text=say.saved(saved, agency.name if agency else saved.agency_code, obligation))
        return done


class ActionCancelSubmission(Action):
    """On "không" or "hủy": forgets the pending submission; nothing is written."""

    def name(self) -> Text:
        return "action_cancel_submission"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        pending = tracker.get_slot("sub_pending") or tracker.active_loop_name == "submission_form"
        dispatcher.utter_message(text=say.CANCELLED if pending else say.NOTHING_PENDING)
        return _CLEARED + [SlotSet("sub_pending", False)]
