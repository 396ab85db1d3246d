"""Which ``/intent{json}`` messages are the assistant's own (RasaHQ/rasa#5075).

Rasa reads any message starting with ``/`` as an intent with entities
(its ``RegexInterpreter``), whoever typed it: a user could send
``/session_start`` or ``/restart`` and silently drop a form in progress, or
``/inform_agency{"agency": {...}}`` with values no button ever carries.
:func:`guard` lets through only payloads the assistant itself emits:

- the buttons of ``domain.yml``'s responses (:func:`domain_payloads`);
- the payloads the custom actions and the channels build
  (:data:`CODE_PAYLOADS`): the agency buttons (``/inform_agency{"agency":
  "<code>"}``, ``actions.lookups.agency_buttons``), the confirmation buttons
  (``/affirm``, ``/deny``), the widget's init payload and Zalo's follow
  greeting (``/greet``), Telegram's ``/help`` (``/ask_help``) and, from
  Telegram only, ``/restart``;

each with only the entity names its emitter uses and string values (at most
:data:`MAX_VALUE_CHARS` characters). Anything else starting with ``/`` is
ordinary text: the leading slashes are removed, so the NLU reads it.

Rasa's built-in intents (:data:`BUILT_IN`: ``restart``, ``session_start``,
``back``, ...) are never taken from a user while a form is active: they too
become ordinary text, so a form in progress is never dropped silently.

Installed as the ``payload_guard`` patch (:mod:`bot.server.patches`), the one
place every channel's messages pass through. No Rasa import here.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, FrozenSet, Iterable, Mapping, Optional, Tuple

MAX_VALUE_CHARS = 100
# Rasa's default intents (rasa.shared.core.constants.DEFAULT_INTENTS)
BUILT_IN = frozenset({"restart", "back", "out_of_scope", "session_start", "nlu_fallback"})
_PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z_][\w-]*)(?P<entities>\{.*\})?", re.DOTALL)

# intent -> entity names, of the payloads built in code (not in domain.yml's buttons)
CODE_PAYLOADS: Dict[str, FrozenSet[str]] = {
    "inform_agency": frozenset({"agency"}),    # actions.lookups.agency_buttons
    "affirm": frozenset(),                     # actions.officials: "Có, ghi nhận"
    "deny": frozenset(),                       # actions.officials: "Không, hủy"
    "greet": frozenset(),                      # web/index.html initPayload, Zalo "follow"
    "ask_help": frozenset(),                   # Telegram /help
}
# payloads only a channel's own commands produce: channel -> intents
CHANNEL_COMMANDS: Dict[str, FrozenSet[str]] = {"telegram": frozenset({"restart"})}  # Telegram /restart


def parse(text: str) -> Optional[Tuple[str, Optional[Any]]]:
    """``(intent, entities)`` of ``/intent`` or ``/intent{json}`` (``entities``:
    the decoded JSON, ``None`` without it); ``None`` when ``text`` is not of
    that form or its JSON is malformed. Never raises."""
    match = _PAYLOAD.fullmatch(text.strip())
    if not match:
        return None
    raw = match.group("entities")
    if raw is None:
        return match.group("intent"), None
    try:
        return match.group("intent"), json.loads(raw)
    except ValueError:
        return None


def domain_payloads(responses: Mapping[str, Any]) -> Dict[str, FrozenSet[str]]:
    """intent -> entity names of every button payload in ``responses`` (the
    domain's ``responses`` section: name -> list of variations). Doubled braces
    (``{{``, Rasa's template escape) are read as single ones. Never raises."""
    found: Dict[str, set] = {}
    for variations in (responses or {}).values():
        for variation in variations or []:
            for button in (variation or {}).get("buttons") or []:
                payload = str((button or {}).get("payload") or "").replace("{{", "{").replace("}}", "}")
                parsed = parse(payload) if payload.startswith("/") else None
                if parsed:
                    intent, entities = parsed
                    found.setdefault(intent, set()).update(entities if isinstance(entities, dict) else ())
    return {intent: frozenset(names) for intent, names in found.items()}


def own_payloads(responses: Mapping[str, Any], channel: str = "") -> Dict[str, FrozenSet[str]]:
    """intent -> entity names the assistant emits on ``channel``: the domain's
    buttons, :data:`CODE_PAYLOADS` and the channel's commands."""
    allowed: Dict[str, FrozenSet[str]] = dict(CODE_PAYLOADS)
    for intent, names in domain_payloads(responses).items():
        allowed[intent] = allowed.get(intent, frozenset()) | names
    for intent in CHANNEL_COMMANDS.get(channel, ()):
        allowed.setdefault(intent, frozenset())
    return allowed


def is_own(text: str, allowed: Mapping[str, Iterable[str]]) -> bool:
    """True when ``text`` is ``/intent`` or ``/intent{json}`` with ``intent`` in
    ``allowed`` and, if given, a JSON object of ``allowed[intent]`` names to
    strings of at most :data:`MAX_VALUE_CHARS` printable characters."""
    parsed = parse(text)
    if parsed is None:
        return False
    intent, entities = parsed
    if intent not in allowed:
        return False
    if entities is None:
        return True
    if not isinstance(entities, dict) or not set(entities) <= set(allowed[intent]):
        return False
    return all(isinstance(v, str) and 0 < len(v) <= MAX_VALUE_CHARS and v.isprintable() for v in entities.values())


def as_text(text: str) -> str:
    """``text`` with its leading slashes removed, so Rasa's NLU reads it
    (``"/session_start"`` -> ``"session_start"``); never empty (``"/"`` -> ``"?"``)."""
    return text.strip().lstrip("/").strip() or "?"


def guard(text: str, responses: Mapping[str, Any], channel: str = "", form_active: bool = False) -> str:
    """The text Rasa should read for a user message ``text`` on ``channel``.

    Input: the message, the domain's ``responses`` (its buttons), the input
    channel's name, and whether a form is active in the conversation. Output:
    ``text`` unchanged when it does not start with ``/``, or when it is one of
    the assistant's own payloads (:func:`own_payloads`) and not a built-in
    intent during a form; otherwise :func:`as_text`. Never raises.
    """
    if not isinstance(text, str) or not text.lstrip().startswith("/"):
        return text
    if is_own(text, own_payloads(responses, channel)):
        intent = parse(text)[0]  # type: ignore[index]
        if not (form_active and intent in BUILT_IN):
            return text
    return as_text(text)
