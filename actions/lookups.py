"""Database look-ups: deadlines, an agency's submissions, follow-ups, and the
form that asks which agency.

Facts come from the repository (data/obligations.yml, submissions); wording
from :mod:`actions.replies`; the user's words are read by :mod:`bot.domain.periods`
and :mod:`actions.parsing`. "Today" is the local date in Asia/Ho_Chi_Minh
(``ASSISTANT_TODAY`` overrides it in tests).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import agency_replies, replies
from actions.identity import current_link, names_own_agency
from actions.knowledge import YEAR_ROLE, answer_year_role, year_role_followup
from actions.parsing import asks_what_is_missing
from actions.services import DatabaseUnavailable, directory, run_db
from bot.db.views import AgencyStatus, ObligationView
from bot.domain.agencies import Agency, Mention
from bot.domain.dates import local_today
from bot.domain.obligations import ROMAN
from bot.domain.organisations import Reading, default_former_names, former_successor_codes, question_subject, read_names
from bot.domain.periods import PLAN, QUARTERLY_REPORT, parse_obligation_kind, parse_quarter_and_year
from bot.domain.phrases import agency_phrase

logger = logging.getLogger(__name__)

DIRECTIVE_YEAR = 2022  # the year whose tasks Văn bản 797 is about


@dataclass(frozen=True)
class Query:
    """What a look-up is about: an obligation kind and/or a year and quarter."""

    kind: Optional[str] = None
    year: Optional[int] = None
    quarter: Optional[int] = None

    def slots(self, lookup: str) -> List[Dict[Text, Any]]:
        return [
            SlotSet("last_lookup", lookup),
            SlotSet("obligation_kind", self.kind),
            SlotSet("period_year", self.year),
            SlotSet("period_quarter", self.quarter),
        ]


def read_query(tracker: Tracker, today: date, previous: Optional[Query] = None, text: Optional[str] = None) -> Query:
    """The query in the latest message (or in ``text``); parts it does not name come from ``previous``."""
    if text is None:
        text = tracker.latest_message.get("text") or ""
    button_kind = next(tracker.get_latest_entity_values("obligation"), None)
    kind = button_kind if button_kind in (PLAN, QUARTERLY_REPORT) else parse_obligation_kind(text)
    period = parse_quarter_and_year(text, today)
    year = period.year if period else None
    quarter = period.quarter if period else None
    if quarter:
        kind = QUARTERLY_REPORT
    if previous:
        if kind is None and quarter is None:
            kind = previous.kind
        if kind == previous.kind or (quarter and previous.kind == QUARTERLY_REPORT):
            year = year or previous.year
            if quarter is None and kind == QUARTERLY_REPORT and year == previous.year:
                quarter = previous.quarter
    return Query(kind, year, quarter)


def previous_query(tracker: Tracker) -> Query:
    def as_int(value: Any) -> Optional[int]:
        return int(value) if value is not None else None

    return Query(
        tracker.get_slot("obligation_kind"),
        as_int(tracker.get_slot("period_year")),
        as_int(tracker.get_slot("period_quarter")),
    )


def select(obligations: List[ObligationView], query: Query) -> List[ObligationView]:
    """The obligations a query is about; all of them when it names nothing."""
    chosen = obligations
    if query.kind:
        chosen = [o for o in chosen if o.kind == query.kind]
    if query.year:
        chosen = [o for o in chosen if o.year == query.year]
    if query.quarter:
        chosen = [o for o in chosen if o.quarter == query.quarter]
    return chosen


def nothing_for(query: Query) -> str:
    if query.quarter and query.year:
        period = f"quý {ROMAN[query.quarter]}/{query.year}"
    elif query.quarter:
        period = f"quý {ROMAN[query.quarter]}"
    else:
        period = f"năm {query.year}" if query.year else "yêu cầu này"
    return (
        f"Trợ lý không có hạn nộp nào cho {period} trong dữ liệu: "
        f"{replies.DIRECTIVE} chỉ đề cập kế hoạch và báo cáo năm {DIRECTIVE_YEAR}. "
        "Dưới đây là các hạn của năm đó."
    )


async def answer_deadline(dispatcher: CollectingDispatcher, query: Query, today: date) -> None:
    obligations = await run_db(lambda repo: repo.list_obligations())
    chosen = select(obligations, query)
    note = None
    if not chosen:
        note = nothing_for(query)
        chosen = select(obligations, Query(kind=query.kind, quarter=query.quarter, year=DIRECTIVE_YEAR)) or obligations
    dispatcher.utter_message(text=replies.deadline_reply(chosen, today, note))


async def answer_status(dispatcher: CollectingDispatcher, code: str, query: Query, today: date,
                        missing_only: bool = False) -> None:
    """The agency's obligations (those ``query`` names, or all); with
    ``missing_only`` ("còn thiếu gì?") only those not yet sent."""
    status: AgencyStatus = await run_db(lambda repo: repo.agency_status(code, today))
    items = chosen_items(status, query)
    if missing_only:
        dispatcher.utter_message(text=replies.missing_reply(status, [i for i in items if i.state != "submitted"]))
        return
    dispatcher.utter_message(text=replies.status_reply(status, items))


def chosen_items(status: AgencyStatus, query: Query) -> list:
    """The obligations of ``status`` that ``query`` names (all when it names none)."""
    items = list(status.items)
    if query.kind == PLAN or query.quarter:
        chosen = [i for i in items if i.obligation in select([i.obligation for i in items], query)]
        items = chosen or items
    return items


# --------------------------------------------------------------------------- #
# Agencies named in a message: several, not addressees, former provinces      #
# --------------------------------------------------------------------------- #
def message_names(tracker: Tracker) -> Reading:
    """What the latest message names: addressees (the gazetteer's entities),
    organisations that are not addressees, provinces gone before 2022."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    if not text or text.startswith("/"):
        return Reading()
    mentions = [
        Mention(e["start"], e["end"], e["agency_code"], e.get("value") or "", text[e["start"]:e["end"]])
        for e in message.get("entities") or []
        if e.get("entity") == "agency" and e.get("agency_code") and isinstance(e.get("start"), int)
        and isinstance(e.get("end"), int)
    ]
    return read_names(text, mentions, default_former_names())


@dataclass(frozen=True)
class Named:
    """The agencies to answer for and the notes to say first."""

    codes: List[str]
    notes: List[str]


def named_in(reading: Reading) -> Named:
    agencies = directory()
    notes = [agency_replies.organisation_note(o) for o in reading.organisations]
    notes += [
        agency_replies.former_note(f.surface, f.former, [agencies.get(c) for c in f.former.successors])
        for f in reading.former
    ]
    codes = list(dict.fromkeys(reading.codes + former_successor_codes(reading)))
    return Named([c for c in codes if agencies.get(c) is not None], notes)


async def answer_several(dispatcher: CollectingDispatcher, named: Named, query: Query, today: date,
                         missing_only: bool = False) -> List[str]:
    """Notes first, then the status of each agency (at most
    :data:`agency_replies.MAX_AGENCIES`, with a note naming the others).
    Returns the codes answered for."""
    for note in named.notes:
        dispatcher.utter_message(text=note)
    shown = named.codes[:agency_replies.MAX_AGENCIES]
    left = named.codes[agency_replies.MAX_AGENCIES:]
    if len(shown) == 1:
        await answer_status(dispatcher, shown[0], query, today, missing_only=missing_only)
    elif shown:
        statuses = await run_db(lambda repo: [repo.agency_status(c, today) for c in shown])
        parts = [(s, chosen_items(s, query)) for s in statuses]
        successions = [replies.succession_line(s.succession, s.agency.name) for s in statuses]
        dispatcher.utter_message(text=agency_replies.statuses_reply(parts, missing_only, successions))
    if left:
        dispatcher.utter_message(text=agency_replies.left_out_note([directory().get(c).name for c in left]))
    return shown


def agency_slots(tracker: Tracker, codes: List[str]) -> List[Dict[Text, Any]]:
    """``agency``/``agency_code`` = the first agency answered for; ``agency_codes`` = all when several."""
    events: List[Dict[Text, Any]] = []
    if codes and codes[0] != tracker.get_slot("agency_code"):
        first = directory().get(codes[0])
        events += [SlotSet("agency", first.name), SlotSet("agency_code", first.code)]
    several = codes if len(codes) > 1 else None
    if several != (tracker.get_slot("agency_codes") or None):
        events.append(SlotSet("agency_codes", several))
    return events


def remembered_codes(tracker: Tracker) -> List[str]:
    """The agencies of the previous look-up when it named several (slot ``agency_codes``)."""
    codes = list(tracker.get_slot("agency_codes") or [])
    return codes if len(codes) > 1 and tracker.get_slot("agency_code") in (None, codes[0]) else []


class ActionDeadline(Action):
    """Due date of the plan or a quarterly report, with days left or overdue."""

    def name(self) -> Text:
        return "action_deadline"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        year = year_role_followup(tracker)  # "còn năm 2021?" after "năm 2020 là năm gì?" is no deadline
        if year is not None:
            return answer_year_role(dispatcher, year)
        today = local_today()
        query = read_query(tracker, today)
        named = named_in(message_names(tracker))
        for note in named.notes:
            dispatcher.utter_message(text=note)
        try:
            await answer_deadline(dispatcher, query, today)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
            return query.slots("deadline")
        if named.codes:  # the due dates are the same for every addressee: say so, naming each
            names = [directory().get(c).name for c in named.codes]
            dispatcher.utter_message(text=agency_replies.applies_to_all(names))
        return query.slots("deadline")


def question_before_agency_was_asked(tracker: Tracker) -> Optional[str]:
    """The text of the user's previous message when the agency form asked
    "which agency?" in reply to it (so the latest message only names the
    agency); ``None`` otherwise."""
    users_seen = 0
    asked = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return (event.get("text") or "") if asked else None
        elif users_seen == 1 and event.get("event") == "slot" and event.get("name") == "requested_slot" \
                and event.get("value") == "agency":
            asked = True
    return None


class ActionAgencyStatus(Action):
    """What the agency in slot ``agency`` has submitted, and what is overdue."""

    def name(self) -> Text:
        return "action_agency_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        from actions.directive import answer_other_questions  # (actions.directive imports this module)

        events = await self._status(dispatcher, tracker)
        # "..., mà hạn báo cáo quý 2 là khi nào?": the message's other question, after the status
        return events + await answer_other_questions(dispatcher, tracker)

    async def _status(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        today = local_today()
        request = question_before_agency_was_asked(tracker)
        if request is not None:
            # "đơn vị tôi còn thiếu gì?" -> "which agency?" -> "Bộ Tài chính": answer the question asked first
            query = read_query(tracker, today, text=request)
        else:
            # "còn UBND tỉnh Nghệ An?" right after a status answer keeps its period
            carry = tracker.get_intent_of_latest_message() == "inform_agency" and tracker.get_slot("last_lookup") == "status"
            query = read_query(tracker, today, previous_query(tracker) if carry else None)
            request = tracker.latest_message.get("text") or ""
        code = tracker.get_slot("agency_code")
        named = named_in(message_names(tracker))
        if not named.codes and not named.notes:
            named = Named(remembered_codes(tracker), [])
        if len(named.codes) > 1 or named.notes:
            # several agencies, or names that are not addressees (explained first)
            try:
                shown = await answer_several(dispatcher, named, query, today, asks_what_is_missing(request))
            except DatabaseUnavailable:
                dispatcher.utter_message(response="utter_db_unavailable")
                return query.slots("status")
            return query.slots("status") + agency_slots(tracker, shown)
        if not code:
            dispatcher.utter_message(response="utter_ask_agency")
            return query.slots("status")
        try:
            await answer_status(dispatcher, code, query, today, missing_only=asks_what_is_missing(request))
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
        return query.slots("status") + agency_slots(tracker, [code])


class ActionFollowupPeriod(Action):
    """"Còn quý 4 thì sao?": repeat the last look-up for another period."""

    def name(self) -> Text:
        return "action_followup_period"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        year = year_role_followup(tracker)  # "còn năm 2021?" after "năm 2020 được coi là năm gì?"
        if year is not None:
            return answer_year_role(dispatcher, year)
        today = local_today()
        # after a year-role answer there is no look-up to repeat: only what this message names counts
        previous = None if tracker.get_slot("last_lookup") == YEAR_ROLE else previous_query(tracker)
        query = read_query(tracker, today, previous)
        events: List[Dict[Text, Any]] = []
        several = named_in(message_names(tracker))
        if not several.codes and not several.notes and tracker.get_slot("last_lookup") == "status":
            several = Named(remembered_codes(tracker), [])
        if len(several.codes) > 1 or several.notes:
            # "còn quý 4 thì sao?" after a question about several agencies, or naming several
            try:
                shown = await answer_several(dispatcher, several, query, today)
            except DatabaseUnavailable:
                dispatcher.utter_message(response="utter_db_unavailable")
                return query.slots("status")
            if not shown:
                return query.slots("status")
            return query.slots("status") + agency_slots(tracker, shown)
        code = tracker.get_slot("agency_code")
        named = named_agency(tracker)  # "còn Bộ Tài chính thì sao?" switches the agency
        if named is not None:
            code = named.code
            events = [SlotSet("agency", named.name), SlotSet("agency_code", named.code)]
        if tracker.get_slot("agency_codes"):
            events.append(SlotSet("agency_codes", None))
        lookup = "status" if code and (named is not None or tracker.get_slot("last_lookup") == "status") else "deadline"
        try:
            if lookup == "status":
                await answer_status(dispatcher, code, query, today)
            else:
                await answer_deadline(dispatcher, query, today)
        except DatabaseUnavailable:
            dispatcher.utter_message(response="utter_db_unavailable")
        return events + query.slots(lookup)


def named_agency(tracker: Tracker) -> Optional[Agency]:
    """The addressee the gazetteer found in the latest message, if any."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "agency" and entity.get("agency_code"):
            return directory().get(entity["agency_code"])
    return None


def agency_buttons(agencies) -> List[Dict[Text, str]]:
    """One button per agency; its payload answers "which agency?" with the agency's code."""
    return [{"title": a.name, "payload": f'/inform_agency{{"agency":"{a.code}"}}'} for a in agencies]


def _may_be_a_name(tracker: Tracker) -> bool:
    """Whether a message answering "which agency?" may be taken as a name to look
    up. "thôi", "chào bot" or another question are not names: the form steps
    aside and their own rules answer (the user is never stuck in the form)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    return intent in ("inform_agency", "ask_agency_status", "nlu_fallback", "")


class ValidateAgencyForm(FormValidationAction):
    """Fills slot ``agency`` with a canonical addressee name (and ``agency_code``).

    The gazetteer's entity fills the slot (``from_entity``); when there is none,
    a linked official's own agency is taken for "đơn vị tôi" or a question that
    names no agency (:mod:`actions.identity`); otherwise :func:`extract_agency`
    guesses the phrase ("tỉnh Xyz") so that the user hears it is not an
    addressee instead of being asked again. Unknown or
    ambiguous names leave the slot empty, so the form asks again.
    """

    def name(self) -> Text:
        return "validate_agency_form"

    async def extract_agency(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        message = tracker.latest_message
        if any(e.get("entity") == "agency" for e in message.get("entities") or []):
            return {}
        text = message.get("text") or ""
        if text.startswith("/"):
            return {}
        answering = tracker.get_slot("requested_slot") == "agency" and tracker.active_loop_name == "agency_form"
        if not answering or _may_be_a_name(tracker):
            # "Công ty FPT", "UBND huyện Đông Anh", "tỉnh Hà Tây": validate_agency explains them
            reading = read_names(text, [], default_former_names())
            other = reading.former[:1] or reading.organisations[:1]
            if other:
                return {"agency": other[0].surface}
        phrase = agency_phrase(text)
        if phrase is None and not answering:
            phrase = question_subject(text)  # "VNPT đã nộp báo cáo chưa?"
        own = phrase is None and names_own_agency(text)
        # a linked official's "đơn vị tôi", or a question naming no agency, is about the linked agency
        if own or (phrase is None and not answering and not tracker.get_slot("agency")):
            try:
                link = await current_link(tracker)
            except DatabaseUnavailable:
                link = None
            if link is not None:
                return {"agency": link.agency_code}
            if own and not answering:
                # anyone else's "đơn vị tôi" is not the agency asked about earlier: ask which it is
                return {"agency": None, "agency_code": None}
        if phrase is None and answering and 0 < len(text.strip()) <= 80 and _may_be_a_name(tracker):
            phrase = text.strip()
        return {"agency": phrase} if phrase else {}

    async def validate_agency(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if isinstance(value, list):  # several agency entities: take the first
            value = value[0] if value else None
        if not value:
            return {"agency": None, "agency_code": None}
        agencies = directory()
        agency = agencies.get(str(value))  # a button sends the code
        if agency is None:
            reading = read_names(str(value), agencies.find_mentions(str(value)), default_former_names())
            if not reading.codes and reading.former:
                # a province gone before 2022: its successor; action_agency_status explains
                agency = agencies.get(reading.former[0].former.successors[0])
            elif not reading.codes and reading.organisations:
                # not an addressee: stop asking; action_agency_status says who the addressees are
                return {"agency": None, "agency_code": None, "requested_slot": None}
        resolution = None if agency else agencies.resolve(str(value))
        if resolution is not None and resolution.status == "found":
            agency = resolution.agency
        if agency is not None:
            return {"agency": agency.name, "agency_code": agency.code}
        if resolution.status == "ambiguous":
            dispatcher.utter_message(
                text=replies.ambiguous_agency_reply(str(value), resolution),
                buttons=agency_buttons(resolution.candidates[:6]),
            )
        else:
            dispatcher.utter_message(
                text=replies.unknown_agency_reply(str(value), resolution),
                buttons=agency_buttons(resolution.suggestions),
            )
        return {"agency": None, "agency_code": None}
