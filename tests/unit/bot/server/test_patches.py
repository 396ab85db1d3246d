"""The run-time patches of Rasa (bot.server.patches): the action guard."""
from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from bot.server.launcher import free_port
from bot.server.patches import ACTION_APOLOGY, install_patches


@pytest.fixture(autouse=True)
def patched():
    """Rasa with our patches, as every server loading credentials.yml has it."""
    install_patches()

async def _action_server(handler):
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/webhook"


async def _run_remote(url: str, tracker=None):
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    domain = Domain.from_yaml("version: '3.1'\nactions:\n- action_deadline\n")
    action = RemoteAction("action_deadline", EndpointConfig(url))
    tracker = tracker or DialogueStateTracker("s", domain.slots)
    return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain)


@pytest.mark.parametrize("mode", ["down", "slow", "error", "garbage"])
async def test_action_guard_apologises(monkeypatch, mode):
    monkeypatch.setenv("ACTION_TIMEOUT_S", "1")

    async def handler(request):
        if mode == "slow":
            await asyncio.sleep(1.5)
        if mode == "error":
            return web.Response(status=500, text="boom")
        return web.Response(text="not json")

    runner, url = await _action_server(handler)
    if mode == "down":
        await runner.cleanup()
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        events = await _run_remote(url)
    finally:
        if mode != "down":
            await asyncio.sleep(0.6 if mode == "slow" else 0)  # let the slow handler finish
            await runner.cleanup()
    assert loop.time() - started < 3
    assert [e.text for e in events] == [ACTION_APOLOGY]


async def test_action_guard_passes_answers_through():
    async def handler(request):
        return web.json_response({"events": [], "responses": [{"text": "hạn là 15/09"}]})

    runner, url = await _action_server(handler)
    try:
        events = await _run_remote(url)
    finally:
        await runner.cleanup()
    assert [e.text for e in events] == ["hạn là 15/09"]


async def test_action_guard_apologises_once_per_message(monkeypatch):
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    calls = []

    async def handler(request):
        calls.append(1)
        return web.Response(status=500)

    runner, url = await _action_server(handler)
    try:
        tracker = DialogueStateTracker("s", [])
        tracker.update(UserUttered("Bộ Y tế nộp chưa"))
        first = await _run_remote(url, tracker)
        for event in first:
            tracker.update(event)
        second = await _run_remote(url, tracker)       # same message: skipped, no second apology
        tracker.update(UserUttered("thử lại"))
        third = await _run_remote(url, tracker)        # next message: tried again
    finally:
        await runner.cleanup()
    assert [e.text for e in first] == [ACTION_APOLOGY] and second == []
    assert [e.text for e in third] == [ACTION_APOLOGY]
    assert len(calls) == 2


def test_importing_our_modules_patches_nothing_the_credentials_entry_does():
    """Patches come from one explicit place: the RasaPatches entry of credentials.yml."""
    import subprocess
    import sys

    from bot.settings import PROJECT_ROOT

    code = (
        "import bot.channels.rest, bot.channels.telegram, bot.channels.zalo, bot.channels.webchat, bot.server.lock_store\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "print(getattr(RemoteAction.run, '_guarded', False))\n"
        "import rasa.core.run\n"
        "channels = rasa.core.run.create_http_input_channels(None, 'credentials.yml')\n"
        "print(getattr(RemoteAction.run, '_guarded', False), 'patches' in {c.name() for c in channels})\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
                         timeout=300)
    assert out.stdout.split() == ["False", "True", "True"]
