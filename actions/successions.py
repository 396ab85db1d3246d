"""What an agency is now: "Tỉnh Bình Dương bây giờ thuộc đâu?", "Bộ Thông tin và
Truyền thông nay là bộ nào?", "tỉnh Hà Tây nay thuộc tỉnh nào?".

Answers come from operator data, never from the directive: ``data/succession.yml``
(what became of the 2022 addressees) and ``data/former_names.yml`` (provinces
gone before 2022); every answer says so and names the legal act and its date.
Wording is in :mod:`actions.agency_replies`.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import agency_replies
from actions.lookups import agency_slots, message_names
from actions.services import directory
from bot.domain.phrases import agency_phrase


class ActionAgencyNow(Action):
    """Says what became of each agency or former province the message names
    (at most five), or of the agency asked about last; without any, lists the
    changes recorded after 2022."""

    def name(self) -> Text:
        return "action_agency_now"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        agencies = directory()
        reading = message_names(tracker)
        for former in reading.former:
            successors = [agencies.get(c) for c in former.former.successors]
            lines = [agency_replies.former_note(former.surface, former.former, successors)]
            # what became of those 2022 addressees later
            lines += [agency_replies.succession_sentence(a, agencies.succession_of(a.code))
                      for a in successors if agencies.succession_of(a.code)]
            dispatcher.utter_message(text="\n".join(lines))
        for org in reading.organisations:
            dispatcher.utter_message(text=agency_replies.organisation_note(org))
        codes = reading.codes
        if not codes and not reading.former and not reading.organisations:
            text = tracker.latest_message.get("text") or ""
            phrase = agency_phrase(text)
            resolution = agencies.resolve(phrase) if phrase else None
            if resolution is not None and resolution.note:  # a body created after 2022
                dispatcher.utter_message(text=f"{resolution.note} ({agency_replies.OPERATOR_DATA}.)")
                return []
            if resolution is not None and resolution.status == "found":
                codes = [resolution.agency.code]
            elif tracker.get_slot("agency_code") and agencies.get(tracker.get_slot("agency_code")):
                codes = [tracker.get_slot("agency_code")]  # "tỉnh này bây giờ thuộc đâu?"
            else:
                dispatcher.utter_message(text=agency_replies.changes_overview(
                    agencies.successions, lambda code: agencies.get(code).name))
                return []
        shown = codes[:agency_replies.MAX_AGENCIES]
        for code in shown:
            agency = agencies.get(code)
            absorbed = [(agencies.get(s.predecessor), s) for s in agencies.absorbed_by(code)]
            dispatcher.utter_message(text=agency_replies.agency_now_reply(agency, agencies.succession_of(code), absorbed))
        if codes[agency_replies.MAX_AGENCIES:]:
            dispatcher.utter_message(text=agency_replies.left_out_note(
                [agencies.get(c).name for c in codes[agency_replies.MAX_AGENCIES:]]))
        return agency_slots(tracker, shown) if shown else []
