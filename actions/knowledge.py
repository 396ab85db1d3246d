"""Answers about the directive that depend on what exactly was asked.

The texts themselves are responses in ``domain.yml`` (facts from the source
article); these actions only choose which ones to send.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.parsing import mentioned_decisions, mentioned_years
from bot.domain.periods import parse_obligation_kind
from bot.domain.text import fold

YEAR_ROLE = "year_role"  # value of slot last_lookup after a question on how a year is seen


class _ChooseResponse(Action, ABC):
    """Send ``{prefix}{item}`` when the message names exactly one item, else ``overview``.

    Abstract, so that rasa-sdk does not register it as an action itself.
    """

    action_name: Text
    prefix: Text
    overview: Text

    def name(self) -> Text:
        return self.action_name

    @staticmethod
    @abstractmethod
    def mentioned(text: str) -> Sequence[Any]:
        """The items (decision numbers, years) named in ``text``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        items = self.mentioned(tracker.latest_message.get("text") or "")
        response = f"{self.prefix}{items[0]}" if len(items) == 1 else self.overview
        dispatcher.utter_message(response=response)
        return self.events(items)

    def events(self, items: Sequence[Any]) -> List[Dict[Text, Any]]:
        """Slot events after the answer (none by default)."""
        return []


_ASPECT = re.compile(r"\b(?P<a>muc tieu|chi tieu|nhiem vu|giai phap|noi dung chinh|noi dung|lo trinh|ket qua)\b")
_ASPECT_NAMES = {"muc tieu": "mục tiêu", "chi tieu": "chỉ tiêu", "nhiem vu": "nhiệm vụ", "giai phap": "giải pháp",
                 "noi dung chinh": "nội dung", "noi dung": "nội dung", "lo trinh": "lộ trình", "ket qua": "kết quả"}


def asked_aspect(text: str) -> Optional[str]:
    """What is asked of a decision that the article does not give ("mục tiêu của QĐ 749")."""
    m = _ASPECT.search(fold(text or ""))
    return _ASPECT_NAMES[m.group("a")] if m else None


class ActionAnswerLegalBasis(_ChooseResponse):
    """Both decisions the directive implements (749, 942), or only the one asked about.

    The article gives only their numbers, dates and titles: a question on their
    goals, targets or tasks first hears that the article does not say them.
    """

    action_name = "action_answer_legal_basis"
    mentioned = staticmethod(mentioned_decisions)
    prefix = "utter_decision_"
    overview = "utter_legal_basis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        decisions = mentioned_decisions(text)
        aspect = asked_aspect(text)
        if aspect and decisions:
            from actions.directive_replies import aspect_note

            dispatcher.utter_message(text=aspect_note(aspect, "/".join(decisions)))
        return await super().run(dispatcher, tracker, domain)


class ActionAnswerYearRole(_ChooseResponse):
    """How the directive characterises 2020, 2021 or 2022 (all three if unclear)."""

    action_name = "action_answer_year_role"
    mentioned = staticmethod(mentioned_years)
    prefix = "utter_year_"
    overview = "utter_years_overview"

    def events(self, items: Sequence[Any]) -> List[Dict[Text, Any]]:
        """A later "còn năm 2021?" asks about a year again (:func:`year_role_followup`)."""
        return [SlotSet("last_lookup", YEAR_ROLE)]


_ANY_YEAR = re.compile(r"(?<![\d/])(19\d\d|20\d\d)(?![\d/])")
_RELATIVE = re.compile(r"\bnam\s+(?P<w>sau|tiep theo|ke tiep|tiep|ke|truoc|lien truoc|truoc do|sau do)\b")


def _previous_year_asked(tracker: Tracker) -> Optional[int]:
    """The one year named in the user's message before the latest, if any."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    for event in reversed(users[:-1]):
        years = mentioned_years(event.get("text") or "")
        if years:
            return years[0] if len(years) == 1 else None
    return None


def year_role_followup(tracker: Tracker) -> Optional[int]:
    """The year a follow-up such as "còn năm 2021?" or "thế năm sau?" asks about,
    right after a question on how a year is seen; ``None`` when the message is
    not such a follow-up (it names a plan, a report or a quarter, or no year)."""
    if tracker.get_slot("last_lookup") != YEAR_ROLE:
        return None
    text = tracker.latest_message.get("text") or ""
    if parse_obligation_kind(text) is not None:
        return None
    folded = fold(text)
    years = [int(y) for y in _ANY_YEAR.findall(folded)]
    if years:
        return years[0]
    m = _RELATIVE.search(folded)
    base = _previous_year_asked(tracker) if m else None
    if m and base:
        return base - 1 if m.group("w").startswith("truoc") or m.group("w").startswith("lien truoc") else base + 1
    return None


def answer_year_role(dispatcher: CollectingDispatcher, year: int) -> List[Dict[Text, Any]]:
    """How the article characterises ``year`` (it speaks of 2020, 2021 and 2022 only)."""
    if year in (2020, 2021, 2022):
        dispatcher.utter_message(response=f"utter_year_{year}")
    else:
        dispatcher.utter_message(
            text=f"Bài viết nguồn về Văn bản 797/BTTTT-THH chỉ nêu cách nhìn nhận các năm 2020, 2021 và 2022; "
                 f"bài viết không nói gì về năm {year}."
        )
        dispatcher.utter_message(response="utter_years_overview")
    return [SlotSet("last_lookup", YEAR_ROLE)]
