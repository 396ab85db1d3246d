"""An official withdraws or corrects a record the agency made by mistake
(intents ``withdraw_submission`` and ``correct_submission``, data/nlu/corrections.yml).

Steps: :class:`ActionCorrectionRequest` finds the record and asks "có/không"
(slots ``corr_pending``, ``corr_request``); on "có" :class:`ActionCorrectionConfirm`
writes it through :class:`bot.db.corrections.CorrectionRepository` (one
transaction, one audit entry); on "không" :class:`ActionCorrectionCancel`
forgets it. Who may do it is read from the database at each step, never from
slots: a linked chat account (``Settings.identity_channels``, private chat),
for its own agency's records, until ``CORRECTION_WINDOW_DAYS`` local days after
the record was created. Every refusal gives the reason and the operator's
command (``python -m bot withdraw|correct ID``). Wording:
:mod:`actions.correction_replies`; dates are local Asia/Ho_Chi_Minh dates.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import correction_replies as say
from actions.identity import current_link, is_group_chat, user_channels_since, who
from actions.lookups import named_agency
from actions.officials import ActionCancelSubmission, ActionSaveSubmission
from actions.parsing import find_received_date, find_reference_number
from actions.services import DatabaseUnavailable, OutcomeUnknown, directory, repository, run_accounts, run_db
from actions.sessions import new_session_since
from bot.db.accounts import NotLinkedError
from bot.db.corrections import (
    Change,
    CorrectionRepository,
    NothingToChangeError,
    NotOwnRecordError,
    RecordNotFoundError,
    RecordView,
    SampleRecordError,
    WindowClosedError,
)
from bot.db.views import DuplicateSubmissionError, ObligationView, UnknownObligationError
from bot.domain.dates import local_today
from bot.domain.normalise import chat_fold
from bot.domain.obligations import match_obligation, obligation_label
from bot.settings import load_settings

logger = logging.getLogger(__name__)

REQUEST_ACTION = "action_correction_request"
_CLEARED = [SlotSet("corr_pending", False), SlotSet("corr_request", None)]

# "sửa thành quý 3", "đổi sang quý III", "số đúng là 12/UBND": what follows is the new value
_NO_NUMBER = re.compile(r"\bkhong\s+(?:co\s+)?so(?:\s+hieu)?\b")
_TO = re.compile(r"\s(?:thành|thanh|sang|là|la|đúng ra|dung ra)\s", re.IGNORECASE)


def split_correction(text: str) -> Tuple[str, str]:
    """``(which record, new values)`` of a correction message, cut at the last
    "thành" / "sang" / "là" ("ghi là quý 2, đúng ra là quý 1": the new value
    comes last); ``(text, "")`` when there is no such word.

    >>> split_correction("sửa báo cáo quý 2 thành quý 3")
    ('sửa báo cáo quý 2', 'quý 3')
    """
    text = unicodedata.normalize("NFC", text or "")
    matches = list(_TO.finditer(text))
    if not matches:
        return text, ""
    return text[:matches[-1].start()], text[matches[-1].end():]


async def _corrections(call):
    """``call(CorrectionRepository)`` bounded like every database call."""
    return await run_db(lambda repo: call(CorrectionRepository(repository().engine)))


def _kind(tracker: Tracker) -> str:
    return "withdraw" if tracker.get_intent_of_latest_message() == "withdraw_submission" else "correct"


def _last_of(tracker: Tracker, names: Tuple[str, ...]) -> Optional[str]:
    """Which of the actions ``names`` ran last in the conversation, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in names:
            return event.get("name")
    return None


class ActionCorrectionRequest(Action):
    """Finds the record the official means, checks the rights and the window,
    and asks for confirmation (``corr_pending`` True, ``corr_request`` set);
    otherwise explains why not (both cleared). Writes nothing."""

    def name(self) -> Text:
        return REQUEST_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = load_settings()
        kind = _kind(tracker)
        window = settings.correction_window_days
        channel, user_id = who(tracker)
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            text = ""  # a button payload carries no details
        if is_group_chat(channel, user_id):
            dispatcher.utter_message(text=say.CORRECTION_IN_GROUP)
            return _CLEARED
        try:
            link = await current_link(tracker)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return _CLEARED
        if link is None:
            dispatcher.utter_message(text=say.needs_link(kind, channel, window))
            return _CLEARED
        named = named_agency(tracker)
        if named is not None and named.code != link.agency_code:
            dispatcher.utter_message(text=say.other_agency(kind, link.agency_name, named.name))
            return _CLEARED

        today = local_today()
        target_text, new_text = split_correction(text) if kind == "correct" else (text, "")
        try:
            obligations = await run_db(lambda repo: repo.list_obligations())
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return _CLEARED
        target_obligation = match_obligation(target_text, obligations, today)
        target_reference = find_reference_number(target_text) if (kind == "withdraw" or new_text) else None
        try:
            records = await _corrections(lambda c: c.find_records(
                link.agency_code, obligation_code=target_obligation.code if target_obligation else None,
                reference_number=target_reference or None))
            elsewhere = [] if records or not target_reference else await _corrections(
                lambda c: c.find_elsewhere(link.agency_code, target_reference))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return _CLEARED
        if elsewhere:
            other = elsewhere[0]
            dispatcher.utter_message(text=say.other_agency(kind, link.agency_name, other.agency_name, other.id))
            return _CLEARED
        if not records:
            what = " ".join(filter(None, [
                _label(target_obligation), f"số {target_reference}" if target_reference else ""]))
            dispatcher.utter_message(text=say.not_found(kind, link.agency_name, what))
            return _CLEARED
        if len(records) > 1 and (target_obligation or target_reference):
            dispatcher.utter_message(text=say.several(kind, link.agency_name, records))
            return _CLEARED
        record = records[0]  # the one named, or the newest ("báo cáo vừa nộp")
        last_day = record.last_day(window)
        if today > last_day:
            dispatcher.utter_message(text=say.window_closed(kind, record, last_day, window))
            return _CLEARED

        message = tracker.latest_message
        request: Dict[str, Any] = {"kind": kind, "record_id": record.id, "message": text[:2000],
                                   "message_id": message.get("message_id")}
        buttons = [{"title": "Có", "payload": "/affirm"}, {"title": "Không, giữ nguyên", "payload": "/deny"}]
        if kind == "withdraw":
            dispatcher.utter_message(text=say.confirm_withdraw(record), buttons=buttons)
            return [SlotSet("corr_pending", True), SlotSet("corr_request", request)]

        change, problem = _read_change(new_text or text, obligations, today, with_obligation=bool(new_text))
        if problem:
            dispatcher.utter_message(text=say.date_problem(problem))
            return _CLEARED
        new_obligation = next((o for o in obligations if o.code == change.obligation_code), None)
        if (change.empty or (
                (new_obligation is None or new_obligation.code == record.obligation.code)
                and change.received_on in (None, record.received_on)
                and change.reference_number in (None, record.reference_number))):
            dispatcher.utter_message(text=say.how_to_correct(record))
            return _CLEARED
        request["change"] = change.to_dict()
        dispatcher.utter_message(text=say.confirm_correct(record, new_obligation, change.received_on,
                                                          change.reference_number), buttons=buttons)
        return [SlotSet("corr_pending", True), SlotSet("corr_request", request)]


def _label(obligation: Optional[ObligationView]) -> str:
    return obligation_label(obligation) if obligation else ""


def _read_change(text: str, obligations, today: date, *, with_obligation: bool) -> Tuple[Change, Optional[str]]:
    """The new values in ``text`` and a date problem (Vietnamese) if any. The
    obligation is read only from the part after "thành" (``with_obligation``):
    without it, an obligation named is the record, not its new value."""
    obligation = match_obligation(text, obligations, today) if with_obligation else None
    received, problem = find_received_date(text, today)
    reference = find_reference_number(text)
    if reference == "" and not _NO_NUMBER.search(chat_fold(text)):
        reference = None  # "không có gì khác" is not "no number"
    return Change(obligation_code=obligation.code if obligation else None, received_on=received,
                  reference_number=reference), problem


class ActionCorrectionConfirm(Action):
    """On "có" while a correction waits: withdraws or corrects the record for the
    linked account (re-checked in the transaction), then clears the request.
    When the latest question was a new submission's summary, that "có" is
    the submission's (:class:`actions.officials.ActionSaveSubmission`)."""

    def name(self) -> Text:
        return "action_correction_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if tracker.get_slot("sub_pending") and _last_of(
                tracker, ("action_submission_summary", REQUEST_ACTION)) == "action_submission_summary":
            return _CLEARED + await ActionSaveSubmission().run(dispatcher, tracker, domain)
        request = tracker.get_slot("corr_request") or {}
        if not tracker.get_slot("corr_pending") or not isinstance(request, dict) or not request.get("record_id"):
            dispatcher.utter_message(text=say.NOTHING_PENDING)
            return _CLEARED
        if new_session_since(tracker, REQUEST_ACTION):  # slots carried over; the question is out of view
            dispatcher.utter_message(text=say.EXPIRED)
            return _CLEARED
        settings = load_settings()
        kind = request.get("kind") if request.get("kind") in ("withdraw", "correct") else "correct"
        channel, user_id = who(tracker)
        if channel not in settings.identity_channels or is_group_chat(channel, user_id):
            dispatcher.utter_message(text=say.needs_link(kind, channel, settings.correction_window_days))
            return _CLEARED
        if user_channels_since(tracker, REQUEST_ACTION) != {channel}:
            dispatcher.utter_message(text=say.MIXED_CHANNELS)
            return _CLEARED
        try:
            record_id = int(request["record_id"])
            change = Change.from_dict(request.get("change"))
        except (TypeError, ValueError):
            dispatcher.utter_message(text=say.NOTHING_PENDING)
            return _CLEARED
        common = dict(actor="official", today=local_today(), window_days=settings.correction_window_days,
                      channel=channel, user_id=user_id, message=str(request.get("message") or ""),
                      message_id=request.get("message_id"))
        passthrough = (RecordNotFoundError, NotLinkedError, NotOwnRecordError, SampleRecordError, WindowClosedError,
                       NothingToChangeError, DuplicateSubmissionError, UnknownObligationError)
        try:
            if kind == "withdraw":
                before = await _write(lambda c: c.withdraw(record_id, **common), passthrough)
                dispatcher.utter_message(text=say.withdrawn(before))
            else:
                _, after = await _write(lambda c: c.correct(record_id, change, **common), passthrough)
                dispatcher.utter_message(text=say.corrected(after))
        except RecordNotFoundError:
            dispatcher.utter_message(text=say.GONE)
        except NotLinkedError:
            dispatcher.utter_message(text=say.needs_link(kind, channel, settings.correction_window_days))
        except NotOwnRecordError as error:
            dispatcher.utter_message(text=say.other_agency(kind, _linked_name(error), error.record.agency_name,
                                                           error.record.id))
        except SampleRecordError as error:
            dispatcher.utter_message(text=say.not_found(kind, error.record.agency_name))
        except WindowClosedError as error:
            dispatcher.utter_message(text=say.window_closed(kind, error.record, error.last_day, error.window_days))
        except NothingToChangeError:
            dispatcher.utter_message(text=say.UNCHANGED)
        except (DuplicateSubmissionError, UnknownObligationError):
            record = await _quiet_get(record_id)
            obligation = await _quiet_obligation(change.obligation_code) if change.obligation_code else None
            if record is not None:
                dispatcher.utter_message(text=say.duplicate(
                    record.agency_name, obligation or record.obligation,
                    change.reference_number if change.reference_number is not None else record.reference_number))
            else:
                dispatcher.utter_message(text=say.GONE)
        except OutcomeUnknown:
            dispatcher.utter_message(text=say.OUTCOME_UNKNOWN)  # it may have landed: never deny it
        except DatabaseUnavailable:
            dispatcher.utter_message(text=say.SAVE_FAILED)  # nothing written; the request is asked again
        return _CLEARED


async def _write(call, passthrough):
    """A write under the save's one deadline (``BEGIN IMMEDIATE`` on SQLite,
    :func:`actions.services.run_accounts` with ``write=True``); exceptions in
    ``passthrough`` come out as they are."""
    return await run_accounts(lambda accounts: call(CorrectionRepository(accounts.engine)),
                              passthrough=passthrough, write=True)


def _linked_name(error: NotOwnRecordError) -> str:
    agency = directory().get(error.linked_code)
    return agency.name if agency else error.linked_code


async def _quiet_get(record_id: int) -> Optional[RecordView]:
    try:
        return await _corrections(lambda c: c.get(record_id))
    except DatabaseUnavailable:
        return None


async def _quiet_obligation(code: str) -> Optional[ObligationView]:
    try:
        return await run_db(lambda repo: repo.get_obligation_by_code(code))
    except DatabaseUnavailable:
        return None


class ActionCorrectionCancel(Action):
    """On "không" while a correction waits: forgets it, the record stays. When
    the latest question was a new submission's, the "không" is that one's."""

    def name(self) -> Text:
        return "action_correction_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if tracker.active_loop_name == "submission_form":
            events = await ActionCancelSubmission().run(dispatcher, tracker, domain)
            return _CLEARED + events + [SlotSet("requested_slot", None), ActiveLoop(None)]
        if tracker.get_slot("sub_pending") and _last_of(
                tracker, ("action_submission_summary", REQUEST_ACTION)) == "action_submission_summary":
            return _CLEARED + await ActionCancelSubmission().run(dispatcher, tracker, domain)
        dispatcher.utter_message(text=say.KEPT if tracker.get_slot("corr_pending") else say.NOTHING_PENDING)
        return _CLEARED
