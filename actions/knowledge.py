"""Answers about the directive that depend on what exactly was asked.

The texts themselves are responses in ``domain.yml`` (facts from the source
article); these actions only choose which ones to send.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.parsing import mentioned_decisions, mentioned_years


class ActionAnswerLegalBasis(Action):
    """Both decisions the directive implements, or only the one asked about."""

    def name(self) -> Text:
        return "action_answer_legal_basis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        decisions = mentioned_decisions(tracker.latest_message.get("text") or "")
        if len(decisions) == 1:
            dispatcher.utter_message(response=f"utter_decision_{decisions[0]}")
        else:
            dispatcher.utter_message(response="utter_legal_basis")
        return []


class ActionAnswerYearRole(Action):
    """How the directive characterises 2020, 2021 or 2022 (all three if unclear)."""

    def name(self) -> Text:
        return "action_answer_year_role"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        years = mentioned_years(tracker.latest_message.get("text") or "")
        if len(years) == 1:
            dispatcher.utter_message(response=f"utter_year_{years[0]}")
        else:
            dispatcher.utter_message(response="utter_years_overview")
        return []
