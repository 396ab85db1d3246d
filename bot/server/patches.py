"""Every change this project makes to Rasa 3.6's own code at run time, in one place.

Rasa offers no hook for these; each patch says what it fixes and why, and is
idempotent. They are installed by :func:`install_patches`, called from one
explicit place every Rasa server loads: the ``bot.server.patches.RasaPatches``
entry of ``credentials.yml`` (and of ``deploy/credentials.cluster.yml``), so a
plain ``rasa run --credentials credentials.yml`` -- as in the Helm notes -- has
them too. ``GET /webhooks/patches/`` lists what is installed (tests check it).
Fixes that subclass a Rasa class instead of patching it (the socket.io
channel's ``enter_room``, the Redis lock store) live with the subclass.

Patches:

``action_guard``
    Rasa waits up to 5 minutes for the action server and, when a custom
    action fails, logs the error and sends the user nothing.
    ``RemoteAction.run`` is wrapped so that an action that does not answer
    within ``ACTION_TIMEOUT_S`` seconds (:attr:`bot.settings.Settings.action_timeout_s`),
    cannot be reached or fails is answered with :data:`ACTION_APOLOGY`
    instead, once per message.

``payload_guard``
    Rasa reads every message starting with ``/`` as an intent with entities
    (RasaHQ/rasa#5075), whoever typed it: ``/session_start`` or ``/restart``
    silently dropped a form in progress, ``/inform_agency{...}`` carried any
    JSON. ``MessageProcessor._handle_message_with_tracker`` -- the one step
    every channel's message passes through before it is parsed and logged --
    is wrapped so that only the assistant's own payloads stay intents; any
    other ``/...`` text is read as ordinary text (:mod:`bot.channels.payloads`).

``reply_schema``
    Rasa checks every action-server reply with ``jsonschema.validate``, which
    first re-checks the whole events schema against its meta-schema: more than
    half of the Rasa server's CPU per message (RasaHQ/rasa#11717).
    ``RemoteAction._validate_action_result`` is wrapped so that a reply is
    checked by validators built once, with the draft ``validate`` itself
    picks, each event against the one branch of the events' ``oneOf`` its
    name selects (trying all 23 was still 6 % of the CPU); a reply they reject
    goes to Rasa's own check, which raises Rasa's error as before.

``action_session``
    Rasa opens a new HTTP session, and a new connection, for every call to the
    action server. ``EndpointConfig.session`` is replaced so that each endpoint
    keeps one session per event loop, whose idle connections are reused for
    :data:`KEEPALIVE_S` seconds -- less than the 5 s after which the action
    server (Sanic) closes them, so a request never goes out on a connection the
    server is closing.
``graph_plan``
    For every message and every prediction Rasa's graph runner recomputes,
    from the model's graph schema, which nodes the targets need (a recursion
    with no memory: 3.6 % of the Rasa server's CPU) and hands the result to
    dask's scheduler, whose bookkeeping cost as much again for a dozen nodes
    run one after another. ``DaskGraphRunner.run`` is replaced so that each
    list of targets gets its node order once, and the nodes are then called
    in that order, with the same inputs and outputs.

``event_types``
    Rasa finds the class of every stored event it reads by walking all
    subclasses of ``Event`` (3 % of the CPU). ``Event.resolve_by_type``
    remembers the name -> class map, and walks again only for a name it does
    not know.

``handoff_relay``
    While a conversation is handed off to a person, its messages must reach
    the staff, not the NLU, whatever the channel. ``MessageProcessor.handle_message``
    -- the one entry of every channel's message, called under the
    conversation's lock -- is wrapped so that :mod:`bot.channels.handoff`
    sees each message first (relay, or end the hand-off) and posts the thread
    of a hand-off the turn opened.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import InputChannel
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import load_settings

logger = logging.getLogger(__name__)

ACTION_APOLOGY = (
    "Xin lỗi anh/chị, hệ thống tra cứu đang tạm thời gián đoạn nên tôi chưa trả lời "
    "được câu hỏi này. Anh/chị vui lòng thử lại sau ít phút; các câu hỏi về nội dung "
    "Văn bản 797/BTTTT-THH vẫn được trả lời bình thường."
)

# Seconds an idle connection to the action server is kept; rasa_sdk's Sanic closes it after 5.
KEEPALIVE_S = 2.0

_installed: Dict[str, str] = {}


def installed() -> Dict[str, str]:
    """The patches installed in this process: name -> what it fixes."""
    return dict(_installed)


def install_action_guard() -> None:
    """Bound every call to the action server and turn failures into an apology.

    Wraps ``RemoteAction.run`` (idempotent): the call gets ``ACTION_TIMEOUT_S``
    seconds; on a timeout, a refused connection, a 5xx or any other error the
    action's events are dropped (nothing half-applied) and the user gets
    :data:`ACTION_APOLOGY`, once per message: further custom actions of the
    same message are skipped at once. A rejection (HTTP 400 from a form's
    validation) is left to Rasa, as before.
    """
    if getattr(RemoteAction.run, "_guarded", False):
        return
    original = RemoteAction.run

    def failed_this_turn(tracker: Any) -> bool:
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                return False
            if isinstance(event, BotUttered) and (event.metadata or {}).get("action_failed"):
                return True
        return False

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        if failed_this_turn(tracker):
            # An earlier action of this message already failed (e.g. the form's
            # validation): fail fast, and apologise once, not once per action.
            logger.warning("custom action '%s' skipped: the action server already failed", self.name())
            return []
        timeout = load_settings().action_timeout_s
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), timeout)
        except ActionExecutionRejection:
            raise
        except asyncio.TimeoutError:
            logger.error("custom action '%s' timed out after %.1f s; apologising", self.name(), timeout)
        except Exception as error:  # noqa: BLE001
            logger.error("custom action '%s' failed (%s); apologising", self.name(), type(error).__name__)
        return [BotUttered(text=ACTION_APOLOGY, metadata={"action_failed": self.name()})]

    run._guarded = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[assignment]


def install_payload_guard() -> None:
    """Take only the assistant's own ``/intent{json}`` payloads as intents.

    Wraps ``MessageProcessor._handle_message_with_tracker`` (idempotent): before
    the message is parsed, its text goes through
    :func:`bot.channels.payloads.guard` with the domain's responses, the input
    channel and whether a form is active; a payload the assistant never emits,
    or a built-in intent (``/restart``, ``/session_start``...) during a form,
    becomes ordinary text. A message that already carries parse data (Rasa's
    token-protected HTTP API) is left alone.
    """
    from rasa.core.processor import MessageProcessor

    from bot.channels.payloads import guard

    if getattr(MessageProcessor._handle_message_with_tracker, "_guarded", False):
        return
    original = MessageProcessor._handle_message_with_tracker

    async def handle(self: MessageProcessor, message: Any, tracker: Any) -> None:
        if not message.parse_data and isinstance(message.text, str):
            text = guard(message.text, self.domain.responses, message.input_channel or "",
                         form_active=bool(tracker.active_loop_name))
            if text != message.text:
                logger.info("a typed '/...' message that the assistant did not emit is read as text")
                message.text = text
        await original(self, message, tracker)

    handle._guarded = True  # type: ignore[attr-defined]
    MessageProcessor._handle_message_with_tracker = handle  # type: ignore[assignment]


def install_reply_schema() -> None:
    """Check action-server replies with validators built once, not one per reply.

    Wraps ``RemoteAction._validate_action_result`` (idempotent). Input: the
    reply's JSON (a dict). Output: ``True`` when it matches
    ``RemoteAction.action_response_format_spec()``. A reply that does not is
    handed to Rasa's own check, which raises ``jsonschema.ValidationError``
    with Rasa's message (the action guard then apologises). The validator class
    is ``validator_for(schema)``, the one ``jsonschema.validate`` uses
    (Draft 2020-12 in jsonschema 4.17: the events schema has ``const`` inside
    ``oneOf``, which an older draft would not read the same way).

    Each event is checked against the one ``oneOf`` branch its ``event`` name
    selects, not against all 23: the branches differ by a ``const`` on that
    required name, so "exactly one branch matches" and "the named branch
    matches" are the same test. (:func:`_reply_validators`.)
    """
    if getattr(RemoteAction._validate_action_result, "_cached", False):
        return
    original = RemoteAction._validate_action_result
    is_valid = _reply_validators(RemoteAction.action_response_format_spec())

    def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if is_valid(result):
            return True
        return original(self, result)  # raises Rasa's error, with its message

    validate_action_result._cached = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]


def _reply_validators(schema: Dict[Text, Any]) -> Callable[[Any], bool]:
    """A function telling whether a reply matches ``schema`` (Rasa's reply schema).

    The reply is checked against the schema with its event items left open,
    and each event against the item schema without ``oneOf`` plus the branch
    whose ``event`` const is the event's name (an unknown name is invalid).
    If the schema is not shaped so (another Rasa version), the whole schema's
    validator is used. Raises ``jsonschema.SchemaError`` if the schema itself
    is invalid (checked once, here).
    """
    import copy

    from jsonschema.validators import validator_for

    cls = validator_for(schema)
    cls.check_schema(schema)
    whole = cls(schema)
    try:
        item = schema["properties"]["events"]["items"]
        branches = {branch["properties"]["event"]["const"]: cls(branch) for branch in item["oneOf"]}
        if "event" not in item.get("required", ()) or len(branches) != len(item["oneOf"]):
            raise KeyError("event")
    except (KeyError, TypeError):
        return whole.is_valid
    common = cls({key: value for key, value in item.items() if key != "oneOf"})
    shell_schema = copy.deepcopy(schema)
    shell_schema["properties"]["events"]["items"] = {}
    shell = cls(shell_schema)

    def is_valid(reply: Any) -> bool:
        if not shell.is_valid(reply):
            return False
        for event in reply.get("events") or ():
            branch = branches.get(event.get("event")) if isinstance(event, dict) else None
            if branch is None or not common.is_valid(event) or not branch.is_valid(event):
                return False
        return True

    return is_valid


class _KeptSession:
    """``async with`` on an aiohttp session that stays open afterwards."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        return None


def install_action_session() -> None:
    """Reuse one HTTP session, and its connections, for every call to the action server.

    Replaces ``EndpointConfig.session`` (idempotent), which ``EndpointConfig.request``
    enters with ``async with`` and so closed after each call. Now each endpoint
    keeps one ``aiohttp.ClientSession`` per running event loop (a session
    belongs to one loop), with Rasa's headers, basic auth and total timeout
    (``DEFAULT_REQUEST_TIMEOUT`` s), keeping idle connections :data:`KEEPALIVE_S`
    seconds. A closed session is replaced. Must be called in a coroutine (it
    reads the running loop); raises ``RuntimeError`` otherwise, as aiohttp would.
    """
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig.session, "_kept", False):
        return

    def session(self: EndpointConfig) -> _KeptSession:
        loop = asyncio.get_running_loop()
        kept = self.__dict__.setdefault("_kept_sessions", weakref.WeakKeyDictionary())
        current = kept.get(loop)
        if current is None or current.closed:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) \
                if self.basic_auth else None
            current = kept[loop] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S), headers=self.headers, auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))
        return _KeptSession(current)

    session._kept = True  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[assignment]


def install_handoff_relay() -> None:
    """Let the hand-off relay take every message of a handed-off conversation.

    Wraps ``MessageProcessor.handle_message`` (idempotent): when
    :meth:`bot.channels.handoff.Relay.before_turn` takes the message (relayed
    to the staff, or the hand-off ended) Rasa does not handle it and a REST
    caller gets what was sent to it; otherwise Rasa handles it and
    :meth:`~bot.channels.handoff.Relay.after_turn` posts a thread the turn opened.
    With ``HANDOFF_TELEGRAM_CHAT_ID`` unset both return at once.
    """
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor

    from bot.channels.handoff import relay

    if getattr(MessageProcessor.handle_message, "_guarded", False):
        return
    original = MessageProcessor.handle_message

    async def handle_message(self: MessageProcessor, message: Any) -> Optional[List[Dict[Text, Any]]]:
        if await relay().before_turn(message):
            output = message.output_channel
            return output.messages if isinstance(output, CollectingOutputChannel) else None
        result = await original(self, message)
        await relay().after_turn(message)
        return result

    handle_message._guarded = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = handle_message  # type: ignore[assignment]


def install_graph_plan() -> None:
    """Plan each graph run once per list of targets, and run the nodes in that order.

    Replaces ``DaskGraphRunner.run(inputs, targets)`` (idempotent). Input: the
    placeholder values (``{"__message__": [...]}``...) and the target node
    names (default: the schema's targets). Output, as before: ``{target:
    output}``. The nodes the targets need are found once per runner and list
    of targets, ordered so that each comes after what it needs, and called
    one by one with their dependencies' ``(name, output)`` pairs, as dask
    called them. A node's error propagates unchanged, except ``RuntimeError``,
    raised as ``GraphRunError`` as Rasa does.
    """
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    if getattr(DaskGraphRunner.run, "_planned", False):
        return

    def plan(self: DaskGraphRunner, targets: tuple) -> List[Any]:
        plans = self.__dict__.setdefault("_plans", {})
        if targets not in plans:
            nodes = self._graph_schema.nodes
            order: List[Any] = []
            done: set = set()

            def visit(name: Text) -> None:
                if name in done or name not in nodes:
                    return  # placeholders (inputs) are not nodes
                done.add(name)
                for need in nodes[name].needs.values():
                    visit(need)
                order.append((name, self._instantiated_nodes[name], tuple(nodes[name].needs.values())))

            for target in targets:
                visit(target)
            plans[targets] = order
        return plans[targets]

    def run(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        results: Dict[Text, Any] = {name: (name, value) for name, value in (inputs or {}).items()}
        try:
            for name, node, needs in plan(self, run_targets):
                results[name] = node(*(results.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)

    run._planned = True  # type: ignore[attr-defined]
    DaskGraphRunner.run = run  # type: ignore[assignment]


def install_event_types() -> None:
    """Find an event's class from a map of names, not by walking ``Event``'s subclasses.

    Wraps ``Event.resolve_by_type(type_name, default=None)`` (idempotent):
    the class of a known ``type_name`` comes from a map built from Rasa's own
    answer; a name not in the map (a subclass imported later, ``"topic"``, an
    unknown name) goes to Rasa's walk, which answers or raises
    ``ValueError`` as before, and the map is rebuilt.
    """
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    if getattr(Event.resolve_by_type, "_mapped", False):
        return
    original = Event.resolve_by_type
    classes: Dict[Text, Any] = {}

    def remember() -> None:
        classes.clear()
        for cls in reversed(all_subclasses(Event)):  # the first match wins, as in Rasa's loop
            classes[cls.type_name] = cls

    def resolve_by_type(type_name: Text, default: Optional[Any] = None) -> Optional[Any]:
        found = classes.get(type_name)
        if found is not None:
            return found
        remember()
        return original(type_name, default)

    resolve_by_type._mapped = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


PATCHES: Dict[str, Callable[[], None]] = {
    "action_guard": install_action_guard,
    "payload_guard": install_payload_guard,
    "reply_schema": install_reply_schema,
    "action_session": install_action_session,
    "graph_plan": install_graph_plan,
    "event_types": install_event_types,
    "handoff_relay": install_handoff_relay,
}


def install_patches() -> Dict[str, str]:
    """Install every patch in :data:`PATCHES` (idempotent); returns :func:`installed`."""
    for name, install in PATCHES.items():
        if name not in _installed:
            install()
            _installed[name] = (install.__doc__ or "").strip().splitlines()[0]
            logger.debug("Rasa patch installed: %s", name)
    return installed()


class RasaPatches(InputChannel):
    """The ``credentials.yml`` entry that installs :func:`install_patches` when
    Rasa builds its channels, before it serves a message. It handles no
    messages; ``GET /webhooks/patches/`` lists the installed patches."""

    @classmethod
    def name(cls) -> Text:
        return "patches"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RasaPatches":
        install_patches()
        return cls()

    def blueprint(self, on_new_message: Callable[[Any], Awaitable[Any]]) -> Blueprint:
        patches = Blueprint("rasa_patches", __name__)

        @patches.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"patches": sorted(installed())})

        return patches
