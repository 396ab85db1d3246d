"""The run-time patches of Rasa (bot.server.patches): the action guard, the
cached check of action-server replies, the kept action-server session, the
planned graph runs and the map of event types."""
from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from rasa.engine.graph import GraphComponent
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


class _Step(GraphComponent):
    """A graph component that records its calls and joins its inputs' outputs."""

    calls: list = []

    @classmethod
    def create(cls, config, model_storage, resource, execution_context):
        return cls(config["tag"])

    def __init__(self, tag):
        self.tag = tag

    def run(self, **inputs):
        _Step.calls.append(self.tag)
        if self.tag == "broken":
            raise RuntimeError("a node failed")
        return self.tag + "(" + ",".join(str(inputs[k]) for k in sorted(inputs)) + ")"


def _runner(tmp_path, broken=False):
    """A diamond graph: a <- b, a <- c, (b, c) <- d, plus e that nobody asks for."""
    from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    def node(tag, needs):
        return SchemaNode(needs=needs, uses=_Step, constructor_name="create", fn="run",
                          config={"tag": "broken" if broken and tag == "c" else tag})

    schema = GraphSchema({"a": node("a", {"x": "__x__"}), "b": node("b", {"i": "a"}), "c": node("c", {"i": "a"}),
                          "d": node("d", {"i": "b", "j": "c"}), "e": node("e", {"i": "a"})})
    return DaskGraphRunner.create(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "m"))


def test_graph_plan_runs_each_needed_node_once_with_rasas_results(tmp_path):
    from rasa.engine.graph import GraphNode

    assert "graph_plan" in install_patches()
    runner = _runner(tmp_path)
    _Step.calls = []
    out = runner.run(inputs={"__x__": 1}, targets=["d"])
    assert out == {"d": "d(b(a(1)),c(a(1)))"}
    assert sorted(_Step.calls) == ["a", "b", "c", "d"] and _Step.calls[0] == "a" and _Step.calls[-1] == "d"
    _Step.calls = []
    assert runner.run(inputs={"__x__": 2}, targets=["d", "e"]) == {"d": "d(b(a(2)),c(a(2)))", "e": "e(a(2))"}
    assert _Step.calls.count("a") == 1 and len(_Step.calls) == 5
    assert runner.run(inputs={"__x__": 3}, targets=["d"]) == {"d": "d(b(a(3)),c(a(3)))"}
    assert len(runner._plans) == 2  # one plan per list of targets, reused
    assert isinstance(runner._instantiated_nodes["a"], GraphNode)


def test_graph_plan_raises_rasas_errors(tmp_path):
    """A failing node surfaces as Rasa's GraphComponentException naming the node, as under dask."""
    from rasa.engine.exceptions import GraphComponentException

    _Step.calls = []
    with pytest.raises(GraphComponentException, match=r"node c\.") as raised:
        _runner(tmp_path, broken=True).run(inputs={"__x__": 1}, targets=["d"])
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert "d" not in _Step.calls  # nothing after the failed node runs


def test_event_types_are_read_back_as_rasa_reads_them():
    from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered

    assert "event_types" in install_patches()
    for event in (UserUttered("xin chào"), SlotSet("agency", "Bộ Y tế"), ActionExecuted("action_listen"),
                  SessionStarted()):
        assert Event.from_parameters(event.as_dict()) == event
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")

    class LaterEvent(SlotSet):  # a subclass imported after the map was built
        type_name = "later_event_for_test"

    assert Event.resolve_by_type("later_event_for_test") is LaterEvent


def _rasa_says_valid(reply) -> bool:
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    try:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError:
        return False


@pytest.mark.parametrize("reply", [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "agency", "value": None}]},
    {"events": [{"event": "slot", "name": "agency", "value": "x", "timestamp": "yesterday"}]},
    {"events": [{"event": "slot", "name": "agency", "value": "x", "metadata": []}]},
    {"events": [{"name": "agency"}]},
    {"events": [{"event": "active_loop", "name": "agency_form"}, {"event": "reminder", "intent": 3}]},
    {"events": [{"event": "user", "text": "chào", "parse_data": {"intent": {"name": "greet", "confidence": "x"}}}]},
    {"events": [{"event": "bot", "text": None}, "slot"]},
    {"events": [{"event": "followup", "name": "action_x"}, {"event": "restart"}, {"event": "session_started"}]},
    {"events": [{"event": 5}]},
    {"responses": [{"text": "x"}], "events": None},
])
def test_each_event_checked_against_its_branch_agrees_with_rasas_full_check(reply):
    from rasa.core.actions.action import RemoteAction

    from bot.server.patches import _reply_validators

    assert _reply_validators(RemoteAction.action_response_format_spec())(reply) is _rasa_says_valid(reply)
