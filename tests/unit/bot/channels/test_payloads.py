"""bot.channels.payloads: only the assistant's own /intent{json} payloads are
taken as intents (RasaHQ/rasa#5075); the rest is ordinary text."""
from __future__ import annotations

import pytest
import yaml

from actions.lookups import agency_buttons
from bot.channels.payloads import as_text, domain_payloads, guard, is_own, own_payloads, parse
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def responses():
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def test_every_button_of_the_domain_stays_an_intent(responses) -> None:
    payloads = [b["payload"].replace("{{", "{").replace("}}", "}")
                for variations in responses.values() for v in variations for b in v.get("buttons") or []
                if str(b.get("payload", "")).startswith("/")]
    assert payloads, "domain.yml has buttons"
    for payload in payloads:
        assert guard(payload, responses, "rest") == payload
    assert domain_payloads(responses)["ask_deadline"] == frozenset({"obligation"})


def test_payloads_the_actions_and_channels_build_stay_intents(responses) -> None:
    class Agency:
        code, name = "BYT", "Bộ Y tế"

    for button in agency_buttons([Agency()]):
        assert guard(button["payload"], responses, "socketio") == button["payload"]
    for payload in ("/affirm", "/deny", "/greet", "/ask_help", '/ask_deadline{"obligation":"plan"}'):
        assert guard(payload, responses, "rest") == payload
    assert guard("/restart", responses, "telegram") == "/restart"  # Telegram's /restart command


@pytest.mark.parametrize("typed, expected", [
    ("/session_start", "session_start"),
    ("/restart", "restart"),                                     # not from REST
    ("/nlu_fallback", "nlu_fallback"),
    ("/record_submission", "record_submission"),                 # an intent no button carries
    ('/inform_agency{"agency": {"code": "BYT"}}', 'inform_agency{"agency": {"code": "BYT"}}'),
    ('/inform_agency{"agency": "BYT", "sub_agency_code": "BYT"}', 'inform_agency{"agency": "BYT", "sub_agency_code": "BYT"}'),
    ('/inform_agency{"agency": 1}', 'inform_agency{"agency": 1}'),
    ('/ask_deadline{"obligation": "' + "x" * 101 + '"}', 'ask_deadline{"obligation": "' + "x" * 101 + '"}'),
    ("/ask_deadline{not json", "ask_deadline{not json"),
    ("//affirm", "affirm"),
    ("/", "?"),
])
def test_anything_else_starting_with_a_slash_is_ordinary_text(responses, typed, expected) -> None:
    assert guard(typed, responses, "rest") == expected


def test_built_in_intents_never_drop_a_form(responses) -> None:
    assert guard("/restart", responses, "telegram", form_active=True) == "restart"
    assert guard("/affirm", responses, "telegram", form_active=True) == "/affirm"  # not built in


def test_plain_text_is_untouched(responses) -> None:
    for text in ("hạn báo cáo quý 3", " có ", "Bộ Y tế / UBND", ""):
        assert guard(text, responses, "rest") == text


def test_helpers() -> None:
    assert parse('/inform_agency{"agency":"BYT"}') == ("inform_agency", {"agency": "BYT"})
    assert parse("/greet") == ("greet", None) and parse("greet") is None and parse("/x{bad") is None
    assert is_own("/greet", own_payloads({})) and not is_own("/restart", own_payloads({}, "rest"))
    assert as_text("  /session_start ") == "session_start"
