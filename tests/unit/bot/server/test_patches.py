"""The run-time patches of Rasa (bot.server.patches): the action guard and the
cached check of action-server replies."""
from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

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


async def _run_remote(url: str, tracker=None, endpoint=None):
    """Run ``action_deadline`` against ``url``, through ``endpoint`` if given
    (Rasa's server has one ``EndpointConfig`` for all its calls)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    domain = Domain.from_yaml("version: '3.1'\nactions:\n- action_deadline\n")
    action = RemoteAction("action_deadline", endpoint or EndpointConfig(url))
    tracker = tracker or DialogueStateTracker("s", domain.slots)
    return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain)


@pytest.mark.parametrize("mode", ["down", "slow", "error", "garbage", "malformed"])
async def test_action_guard_apologises(monkeypatch, mode):
    monkeypatch.setenv("ACTION_TIMEOUT_S", "1")

    async def handler(request):
        if mode == "slow":
            await asyncio.sleep(1.5)
        if mode == "error":
            return web.Response(status=500, text="boom")
        if mode == "malformed":  # JSON, but not an action-server reply: Rasa's check rejects it
            return web.json_response({"events": [{"event": "no_such_event"}], "responses": []})
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


@pytest.fixture()
def full_checks(monkeypatch):
    """Counts the calls of ``jsonschema.validate`` (Rasa's full check, which
    re-checks the schema itself every time); returns the list of calls."""
    import jsonschema

    calls = []
    original = jsonschema.validate

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(jsonschema, "validate", counting)
    return calls


def test_reply_schema_is_installed_by_the_credentials_entry():
    assert "reply_schema" in install_patches()


def test_a_valid_reply_passes_without_rasas_full_check(full_checks):
    from rasa.core.actions.action import RemoteAction

    reply = {"events": [{"event": "slot", "name": "agency", "value": "Bộ Y tế", "timestamp": None},
                        {"event": "active_loop", "name": None},
                        {"event": "bot", "text": "Bộ Y tế đã nộp", "data": {}, "metadata": {}}],
             "responses": [{"text": "Bộ Y tế đã nộp báo cáo quý 2"}]}
    assert RemoteAction("action_agency_status", None)._validate_action_result(reply) is True
    assert full_checks == []  # the validator built once answered; `const` inside `oneOf` was read right


@pytest.mark.parametrize("reply", [
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"events": "not a list"},
    {"responses": [{"text": "x"}, "not an object"]},
])
def test_a_malformed_reply_fails_with_rasas_error(full_checks, reply):
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_agency_status", None)._validate_action_result(reply)
    assert full_checks == [1]


async def test_calls_to_the_action_server_reuse_one_connection():
    peers = []

    async def handler(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": [{"text": "hạn là 15/09"}]})

    runner, url = await _action_server(handler)
    try:
        endpoint = EndpointConfig(url)
        answers = [await _run_remote(url, endpoint=endpoint) for _ in range(3)]
    finally:
        await runner.cleanup()
    assert [[e.text for e in events] for events in answers] == [["hạn là 15/09"]] * 3
    assert len(peers) == 3 and len(set(peers)) == 1, peers  # Rasa alone opened one connection per call


async def test_a_restarted_action_server_is_reached_again():
    """A kept connection to a server that went away is not used again: no apology."""
    async def handler(request):
        return web.json_response({"events": [], "responses": [{"text": "đã nộp"}]})

    app = web.Application()
    app.router.add_post("/webhook", handler)
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhook"
    endpoint = EndpointConfig(url)
    answers = []
    for _ in range(2):
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            answers.append([e.text for e in await _run_remote(url, endpoint=endpoint)])
        finally:
            await runner.cleanup()
    assert answers == [["đã nộp"], ["đã nộp"]]


async def test_an_idle_connection_is_dropped_before_the_action_server_drops_it():
    """rasa_sdk's Sanic closes a connection idle for 5 s; ours go sooner."""
    from bot.server.patches import KEEPALIVE_S

    peers = []

    async def handler(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    runner, url = await _action_server(handler)
    try:
        endpoint = EndpointConfig(url)
        await _run_remote(url, endpoint=endpoint)
        await asyncio.sleep(KEEPALIVE_S + 0.5)
        await _run_remote(url, endpoint=endpoint)
    finally:
        await runner.cleanup()
    assert KEEPALIVE_S < 5 and len(set(peers)) == 2, peers
