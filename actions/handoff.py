"""Hand-off to a person (intent ``request_human``, data/nlu/handoff.yml): the
assistant explains, asks "có/không", and on "có" opens a hand-off.

- :class:`ActionOfferHandoff`: asked for a person. With ``HANDOFF_TELEGRAM_CHAT_ID``
  unset it says where to call or write instead (``HANDOFF_CONTACT_TEXT``);
  otherwise it asks for confirmation (slot ``handoff_offered``).
- :class:`ActionOfferHandoffIfStuck`: runs after the fallback and after "the
  article does not say"; at the second such answer in a row it makes the same
  offer (out-of-scope small talk does not count). Silent when hand-offs are off.
- :class:`ActionOpenHandoff` ("có"): writes the hand-off with a summary for
  the staff (channel, masked id, agency of a linked account, the last
  messages) and tells the user when staff answer (``HANDOFF_HOURS``). The Rasa
  server posts it to the staff group and relays from then on
  (:mod:`bot.channels.handoff`).
- :class:`ActionDeclineHandoff` ("không").

An offer left unanswered keeps ``handoff_offered`` set; a "có" or "không"
typed later answers what else is pending (``action_save_submission`` /
``action_cancel_submission``), never the stale offer.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff_replies as say
from actions.identity import current_link, who
from actions.services import DatabaseUnavailable, run_handoffs
from bot.channels.config import short_id
from bot.domain.dates import local_time_text
from bot.domain.office_hours import OfficeHours
from bot.settings import load_settings

logger = logging.getLogger(__name__)

OFFERED = "handoff_offered"
UNANSWERED_INTENTS = ("nlu_fallback", "ask_not_in_source")
SUMMARY_MESSAGES = 6  # the last messages either way that staff see
SUMMARY_CHARS = 300  # of each
OFFER_ACTIONS = ("action_offer_handoff", "action_offer_handoff_if_stuck")


def unanswered_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back from the current
    one, the assistant could not answer (intent ``nlu_fallback`` or
    ``ask_not_in_source``)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") not in UNANSWERED_INTENTS:
            break
        count += 1
    return count


def recent_messages(tracker: Tracker, limit: int = SUMMARY_MESSAGES) -> List[str]:
    """The last ``limit`` texts of the conversation, oldest first, each marked
    ``Người dùng:`` or ``Trợ lý:`` and cut at :data:`SUMMARY_CHARS`."""
    lines: List[str] = []
    for event in reversed(tracker.events):
        if event.get("event") in ("user", "bot") and (event.get("text") or "").strip():
            who_wrote = "Người dùng" if event["event"] == "user" else "Trợ lý"
            text = " ".join(event["text"].split())
            lines.append(f"{who_wrote}: {text[:SUMMARY_CHARS]}")
            if len(lines) == limit:
                break
    return list(reversed(lines))


def answers_the_offer(tracker: Tracker) -> bool:
    """Whether the current message answers an offer made just before it (the
    assistant's last action before this message was an offer). A "có" typed
    after other questions answers something else, not a stale offer."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") in OFFER_ACTIONS
    return False


def offer(dispatcher: CollectingDispatcher, text: str) -> List[Dict[Text, Any]]:
    """Asks whether to hand off (buttons ``/affirm``, ``/deny``)."""
    dispatcher.utter_message(text=text, buttons=say.OFFER_BUTTONS)
    return [SlotSet(OFFERED, True)]


class ActionOfferHandoff(Action):
    def name(self) -> Text:
        return "action_offer_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = load_settings()
        if not settings.handoff_telegram_chat_id:
            dispatcher.utter_message(text=settings.handoff_contact_text)
            return [SlotSet(OFFERED, False)]
        return offer(dispatcher, say.OFFER)


class ActionOfferHandoffIfStuck(Action):
    def name(self) -> Text:
        return "action_offer_handoff_if_stuck"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if not load_settings().handoff_telegram_chat_id or unanswered_in_a_row(tracker) != 2:
            return []
        return offer(dispatcher, say.STUCK_OFFER)


class ActionDeclineHandoff(Action):
    def name(self) -> Text:
        return "action_decline_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if not answers_the_offer(tracker):  # a stale offer: "không" is for what is pending
            return [SlotSet(OFFERED, False), FollowupAction("action_cancel_submission")]
        dispatcher.utter_message(text=say.DECLINED)
        return [SlotSet(OFFERED, False)]


class ActionOpenHandoff(Action):
    def name(self) -> Text:
        return "action_open_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        settings = load_settings()
        if not answers_the_offer(tracker):  # a stale offer: "có" is for what is pending
            return [SlotSet(OFFERED, False), FollowupAction("action_save_submission")]
        if not settings.handoff_telegram_chat_id:
            dispatcher.utter_message(text=settings.handoff_contact_text)
            return [SlotSet(OFFERED, False)]
        channel, user_id = who(tracker)
        try:
            link = await current_link(tracker)
            summary = self.summary(tracker, channel, user_id, link.agency_name if link else None)
            await run_handoffs(lambda store: store.open(tracker.sender_id, channel, user_id,
                                                        settings.handoff_telegram_chat_id, summary))
        except DatabaseUnavailable:
            dispatcher.utter_message(text=say.NOT_OPENED)
            return [SlotSet(OFFERED, False)]
        hours = OfficeHours.parse(settings.handoff_hours)
        opened = say.OPENED_IN_HOURS if hours.is_open(datetime.now(timezone.utc)) else say.OPENED_OUT_OF_HOURS
        dispatcher.utter_message(text=opened.format(hours=hours.describe()) + say.OPENED_TAIL)
        return [SlotSet(OFFERED, False)]

    @staticmethod
    def summary(tracker: Tracker, channel: str, user_id: str, agency: Optional[str]) -> str:
        """What the staff group is shown: channel, masked id, agency, time, last messages."""
        lines = [f"Kênh: {say.CHANNELS.get(channel, channel)} · Người dùng: {short_id(user_id)}",
                 f"Đơn vị: {agency or 'chưa liên kết tài khoản'}",
                 f"Lúc: {local_time_text(datetime.now(timezone.utc))}",
                 "Tin nhắn gần đây:"]
        return "\n".join(lines + recent_messages(tracker))
