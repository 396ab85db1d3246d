"""Replies of our real action server pass the patched check of action-server
replies (bot.server.patches ``reply_schema``) without Rasa's full
``jsonschema.validate``: a validator of the wrong draft would send every reply
to the slow path, or reject it."""
from __future__ import annotations

import requests

from bot.server.patches import install_patches
from bot.settings import PROJECT_ROOT
from tests.channels.conftest import API_TOKEN, ChannelAssistant
from tests.unit.bot.server.test_patches import full_checks  # noqa: F401  (fixture)

SENDER = "reply-schema-1"


async def test_a_real_reply_passes_without_rasas_full_check(channel_assistant: ChannelAssistant,
                                                            full_checks) -> None:  # noqa: F811
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    a = channel_assistant
    assert "reply_schema" in install_patches()
    answer = requests.post(f"{a.url}/webhooks/rest/webhook", timeout=60,
                           json={"sender": SENDER, "message": "Bộ Y tế đã nộp báo cáo quý 2 chưa"})
    assert answer.status_code == 200 and answer.json(), answer.text
    # The conversation as the server stored it; the look-up asked again of the real action server, in-process.
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    stored = requests.get(f"{a.url}/conversations/{SENDER}/tracker", params={"token": API_TOKEN}, timeout=30).json()
    tracker = DialogueStateTracker.from_dict(SENDER, stored["events"], domain.slots)
    action_url = a.extra["launcher"].processes["actions"].health.replace("/health", "/webhook")
    events = await RemoteAction("action_agency_status", EndpointConfig(action_url)).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
    texts = [e.text for e in events if isinstance(e, BotUttered)]
    assert any("Bộ Y tế" in (t or "") for t in texts), texts
    assert full_checks == []
