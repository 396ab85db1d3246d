"""The question sets both the tests and the benchmark replay, and how a reply is checked.

- The acceptance files ``../shared/eval/*.yml`` (and ``../shared/eval-chat/*.yml``):
  :func:`load_cases`, :func:`turns_of`, :func:`check`, :func:`replay`.
- The held-out NLU set ``tests/data/nlu_holdout.yml`` and its variants
  (:data:`VARIANTS`: as written, without diacritics, in capitals, in NFD), with
  :func:`entity_f1` over exact spans.
- :func:`reply_text`: what a REST reply shows a person (texts and button titles).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set, Tuple

import yaml

from bot.domain.text import strip_diacritics
from bot.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"
EVAL_DIRS = (SHARED / "eval", SHARED / "eval-chat")
HOLDOUT = PROJECT_ROOT / "tests" / "data" / "nlu_holdout.yml"
VARIANTS: Dict[str, Callable[[str], str]] = {
    "diacritics": lambda t: t,
    "no_diacritics": strip_diacritics,
    "caps": str.upper,
    "nfd": lambda t: unicodedata.normalize("NFD", t),
}
Span = Tuple[int, int]


def load_cases(dirs=(SHARED / "eval",)) -> List[Tuple[str, Dict]]:
    """``[(file:id, case), ...]`` of every question file in ``dirs`` (missing folders are skipped).

    A case has ``ask``, ``ask_nfd`` or ``turns``, and ``expect``/``forbid``
    regexes (the format is described at the top of ``sample_questions.yml``).
    """
    cases = []
    for folder in dirs:
        for path in sorted(Path(folder).glob("*.yml")):
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
                cases.append((f"{path.stem}:{case['id']}", case))
    return cases


def turns_of(case: Dict) -> List[Dict]:
    """The messages of a case, in order, each with its ``ask``, ``expect`` and ``forbid``."""
    if "turns" in case:
        return case["turns"]
    if "ask_nfd" in case:
        return [{**case, "ask": unicodedata.normalize("NFD", case["ask_nfd"])}]
    return [case]


def check(reply: str, turn: Dict) -> List[str]:
    """What is wrong with ``reply`` for ``turn`` (empty when it passes): every
    ``expect`` must match and no ``forbid`` may (NFC, case-insensitive)."""
    text = unicodedata.normalize("NFC", reply)
    problems = [f"missing /{p}/" for p in turn.get("expect", []) if not re.search(p, text, re.I)]
    problems += [f"forbidden /{p}/" for p in turn.get("forbid", []) if re.search(p, text, re.I)]
    return problems


def replay(case: Dict, ask: Callable[[str], str]) -> Optional[Dict]:
    """Replay one case, a turn at a time, through ``ask(message) -> reply text``
    (one conversation: the caller keeps one sender id).

    Returns ``None`` when every turn passes, else the first failing turn as
    ``{"ask", "reply", "problems"}`` (:func:`check`). ``ask`` may raise (HTTP
    errors, timeouts); nothing is caught here.
    """
    for turn in turns_of(case):
        reply = ask(turn["ask"])
        problems = check(reply, turn)
        if problems:
            return {"ask": turn["ask"], "reply": reply, "problems": problems}
    return None


def reply_text(messages: List[Dict]) -> str:
    """All texts and button titles of a REST reply, joined with newlines."""
    parts: List[str] = []
    for message in messages:
        if message.get("text"):
            parts.append(message["text"])
        parts.extend(button.get("title", "") for button in message.get("buttons") or [])
    return "\n".join(parts)


def entity_f1(gold: List[Set[Span]], predicted: List[Set[Span]]) -> float:
    """F1 of exact entity spans over a set of messages (1.0 when neither side has any)."""
    tp = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    n_gold = sum(map(len, gold))
    n_pred = sum(map(len, predicted))
    if n_gold == 0 and n_pred == 0:
        return 1.0
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
