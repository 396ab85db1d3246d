"""``python -m bot serve`` (what ``make run`` starts) runs the three processes
of a one-machine deployment; that it stops them all on Ctrl-C is checked when
the session's assistant is stopped (``conftest._interrupt``)."""
from __future__ import annotations

from .conftest import Assistant, serve_children


def test_serve_runs_the_action_server_the_scheduler_and_rasa(assistant: Assistant) -> None:
    children = serve_children(assistant)
    assert any("rasa_sdk" in c and "--actions actions" in c for c in children), children
    assert any(c.endswith("-m bot scheduler") for c in children), children
    assert any(" run " in f" {c} " and "credentials.yml" in c for c in children), children


def test_the_server_has_our_rasa_patches(assistant: Assistant) -> None:
    import requests

    answer = requests.get(f"{assistant.url}/webhooks/patches/", timeout=10)
    assert answer.status_code == 200 and {"action_guard", "reply_schema"} <= set(answer.json()["patches"])
