"""Replay every question file in ../shared/eval/ over the REST channel.

Format (see the top of sample_questions.yml): each case has ``ask``, ``ask_nfd``
or ``turns``; every ``expect`` regex must match the reply (texts and button
titles joined with newlines, NFC, case-insensitive) and no ``forbid`` may.
"""
from __future__ import annotations

import uuid
from typing import Dict

import pytest

from bench.evalset import EVAL_DIRS, check, load_cases, reply_text, turns_of

from .conftest import Assistant

CASES = load_cases(EVAL_DIRS[:1])


def test_eval_directory_has_cases() -> None:
    assert CASES, f"no question files in {EVAL_DIRS[0]}"


@pytest.mark.parametrize("case_id,case", CASES, ids=[c[0] for c in CASES])
def test_eval_case(assistant: Assistant, case_id: str, case: Dict) -> None:
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    for turn in turns_of(case):
        reply = reply_text(assistant.send(sender, turn["ask"]))
        problems = check(reply, turn)
        assert not problems, f"{case_id}: {turn['ask']!r} -> {reply!r}: {problems}"
