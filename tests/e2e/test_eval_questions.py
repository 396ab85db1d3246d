"""Replay every question file in ../shared/eval/ and ../shared/eval-chat/ over the REST channel.

Format (see the top of sample_questions.yml): each case has ``ask``, ``ask_nfd``
or ``turns``; every ``expect`` regex must match the reply (texts and button
titles joined with newlines, NFC, case-insensitive) and no ``forbid`` may.
Case ids are ``folder/file:id`` (``eval-chat/chat_typing:teen-date``), unique
across both folders (:func:`bench.evalset.load_cases` refuses duplicates).
``SHARED_DIR`` points at the shared folder when it is not ``../shared``.
"""
from __future__ import annotations

import uuid
from typing import Dict

import pytest

from bench.evalset import EVAL_DIRS, load_cases, replay, reply_text

from .conftest import Assistant

CASES = load_cases(EVAL_DIRS)


@pytest.mark.parametrize("folder", EVAL_DIRS, ids=[d.name for d in EVAL_DIRS])
def test_eval_folder_has_cases(folder) -> None:
    assert any(case_id.startswith(f"{folder.name}/") for case_id, _ in CASES), (
        f"no question files in {folder} (set SHARED_DIR if ../shared is elsewhere)")


@pytest.mark.parametrize("case_id,case", CASES, ids=[c[0] for c in CASES])
def test_eval_case(assistant: Assistant, case_id: str, case: Dict) -> None:
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    failure = replay(case, lambda message: reply_text(assistant.send(sender, message)))
    assert failure is None, f"{case_id}: {failure}"
