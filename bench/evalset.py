"""The question sets both the tests and the benchmark replay, and how a reply is checked.

- The acceptance files ``../shared/eval/*.yml`` (and ``../shared/eval-chat/*.yml``):
  :func:`load_cases`, :func:`turns_of`, :func:`check`, :func:`replay`.
- The held-out NLU set ``tests/data/nlu_holdout.yml`` and its variants
  (:data:`VARIANTS`: as written, without diacritics, in capitals, in NFD), with
  :func:`entity_f1` over exact spans.
- :func:`reply_text`: what a REST reply shows a person (texts and button titles).
- :func:`score_variants`: the one scoring loop of a held-out set, whatever
  parses (the running server's ``/model/parse`` in tests/e2e, a model loaded
  in-process in the benchmark).
"""
from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Set, Tuple

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
FALLBACK = "nlu_fallback"


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


def load_holdout(path: Path = HOLDOUT) -> List[Dict]:
    """The intent examples of a Rasa NLU file: ``[{text, intent, agency: {(start, end), ...}}]``."""
    from rasa.shared.nlu.training_data.loading import load_data  # Rasa only where it is needed

    return [
        {
            "text": e.get("text"),
            "intent": e.get("intent"),
            "agency": {(x["start"], x["end"]) for x in e.get("entities", []) if x["entity"] == "agency"},
        }
        for e in load_data(str(path)).intent_examples
    ]


def intent_scores(gold: List[str], predicted: List[Optional[str]]) -> Dict[str, float]:
    """``intent_accuracy`` and ``intent_macro_f1`` (macro over the gold labels), rounded to 4 digits."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "intent_accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "intent_macro_f1": round(float(f1_score(gold, predicted, average="macro", labels=sorted(set(gold)),
                                                zero_division=0)), 4),
    }


async def score_variants(parse: Callable[[str], Awaitable[Dict[str, Any]]], examples: List[Dict],
                         variants: Iterable[str] = tuple(VARIANTS)) -> Dict[str, Dict]:
    """Parse every example of :func:`load_holdout` in each variant of :data:`VARIANTS`.

    ``parse(text)`` returns Rasa's parse result (``intent``, ``intent_ranking``,
    ``entities``). Returns ``{variant: {examples, intent_accuracy,
    intent_macro_f1, parse_ms_mean (ms per message), errors, entity_errors,
    ranked, agency_entity_f1}}``: ``errors`` lists wrong intents, ``ranked``
    holds ``[gold, best intent other than the fallback, its confidence]`` per
    example (``scripts/tune_fallback.py`` reads it); ``agency_entity_f1``
    (exact spans) is left out for ``nfd``, whose character positions differ.
    """
    results: Dict[str, Dict] = {}
    for name in variants:
        change = VARIANTS[name]
        gold_i: List[str] = []
        pred_i: List[Optional[str]] = []
        gold_s: List[Set[Span]] = []
        pred_s: List[Set[Span]] = []
        errors, entity_errors, ranked = [], [], []
        started = time.perf_counter()
        for example in examples:
            text = change(example["text"])
            parsed = await parse(text)
            predicted = (parsed.get("intent") or {}).get("name")
            gold_i.append(example["intent"])
            pred_i.append(predicted)
            if predicted != example["intent"]:
                errors.append({"text": text, "gold": example["intent"], "predicted": predicted})
            top = next((r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK), None)
            if top is not None:
                ranked.append([example["intent"], top["name"], round(top["confidence"], 4)])
            if name != "nfd":
                found = {(e["start"], e["end"]) for e in parsed.get("entities", []) if e["entity"] == "agency"}
                gold_s.append(example["agency"])
                pred_s.append(found)
                if found != example["agency"]:
                    entity_errors.append({"text": text, "gold": [text[a:b] for a, b in sorted(example["agency"])],
                                          "predicted": [text[a:b] for a, b in sorted(found)]})
        results[name] = {
            "examples": len(examples),
            **intent_scores(gold_i, pred_i),
            "parse_ms_mean": round(1000 * (time.perf_counter() - started) / max(1, len(examples)), 2),
            "errors": errors,
            "entity_errors": entity_errors,
            "ranked": ranked,
        }
        if gold_s:
            results[name]["agency_entity_f1"] = round(entity_f1(gold_s, pred_s), 4)
    return results
