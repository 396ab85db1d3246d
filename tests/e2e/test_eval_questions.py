"""Replay every question file in ../shared/eval/ over the REST channel.

Format (see the top of sample_questions.yml): each case has ``ask``, ``ask_nfd``
or ``turns``; every ``expect`` regex must match the reply (texts and button
titles joined with newlines, NFC, case-insensitive) and no ``forbid`` may.
"""
from __future__ import annotations

import uuid
from typing import Dict

import pytest

from bench.evalset import EVAL_DIRS, load_cases, replay, reply_text

from .conftest import Assistant

CASES = load_cases(EVAL_DIRS[:1])


def test_eval_directory_has_cases() -> None:
    assert CASES, f"no question files in {EVAL_DIRS[0]}"


@pytest.mark.parametrize("case_id,case", CASES, ids=[c[0] for c in CASES])
def test_eval_case(assistant: Assistant, case_id: str, case: Dict) -> None:
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    failure = replay(case, lambda message: reply_text(assistant.send(sender, message)))
    assert failure is None, f"{case_id}: {failure}"
