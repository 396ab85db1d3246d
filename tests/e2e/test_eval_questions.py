"""Replay every question file in ../shared/eval/ over the REST channel.

Format (see the top of sample_questions.yml): each case has ``ask``, ``ask_nfd``
or ``turns``; every ``expect`` regex must match the reply (texts and button
titles joined with newlines, NFC, case-insensitive) and no ``forbid`` may.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from .conftest import Assistant, reply_text

EVAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval"


def load_cases() -> List[Tuple[str, Dict]]:
    cases = []
    for path in sorted(EVAL_DIR.glob("*.yml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            cases.append((f"{path.stem}:{case['id']}", case))
    return cases


def turns_of(case: Dict) -> List[Dict]:
    if "turns" in case:
        return case["turns"]
    if "ask_nfd" in case:
        return [{**case, "ask": unicodedata.normalize("NFD", case["ask_nfd"])}]
    return [case]


def check(reply: str, turn: Dict) -> List[str]:
    text = unicodedata.normalize("NFC", reply)
    problems = [f"missing /{p}/" for p in turn.get("expect", []) if not re.search(p, text, re.I)]
    problems += [f"forbidden /{p}/" for p in turn.get("forbid", []) if re.search(p, text, re.I)]
    return problems


def test_eval_directory_has_cases() -> None:
    assert load_cases(), f"no question files in {EVAL_DIR}"


@pytest.mark.parametrize("case_id,case", load_cases(), ids=[c[0] for c in load_cases()])
def test_eval_case(assistant: Assistant, case_id: str, case: Dict) -> None:
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    for turn in turns_of(case):
        reply = reply_text(assistant.send(sender, turn["ask"]))
        problems = check(reply, turn)
        assert not problems, f"{case_id}: {turn['ask']!r} -> {reply!r}: {problems}"
