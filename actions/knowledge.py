"""Answers about the directive that depend on what exactly was asked.

The texts themselves are responses in ``domain.yml`` (facts from the source
article); these actions only choose which ones to send.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.parsing import mentioned_decisions, mentioned_years


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
        return []


class ActionAnswerLegalBasis(_ChooseResponse):
    """Both decisions the directive implements (749, 942), or only the one asked about."""

    action_name = "action_answer_legal_basis"
    mentioned = staticmethod(mentioned_decisions)
    prefix = "utter_decision_"
    overview = "utter_legal_basis"


class ActionAnswerYearRole(_ChooseResponse):
    """How the directive characterises 2020, 2021 or 2022 (all three if unclear)."""

    action_name = "action_answer_year_role"
    mentioned = staticmethod(mentioned_years)
    prefix = "utter_year_"
    overview = "utter_years_overview"
