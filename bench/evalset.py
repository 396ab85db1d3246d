"""The question sets both the tests and the benchmark replay, and how a reply is checked.

- The acceptance files ``../shared/eval/*.yml`` (and ``../shared/eval-chat/*.yml``):
  :func:`load_cases`, :func:`turns_of`, :func:`check`, :func:`replay`.
- The held-out NLU set ``tests/data/nlu_holdout.yml`` and its variants
  (:data:`VARIANTS`: as written, without diacritics, in capitals, in NFD), with
  :func:`entity_f1` over exact spans; the chat subsets of issue 11
  (:data:`CHAT_SUBSETS`: Telex/VNI residue, chat abbreviations, scored as
  written) and the compound messages (:data:`COMPOUND`, :func:`load_compound`,
  :func:`compound_scores`); confident wrong answers on the out-of-scope and
  not-in-source questions (:data:`CONFIDENT_WRONG_GOLD`,
  :func:`fallback_threshold`).
- :func:`reply_text`: what a REST reply shows a person (texts and button titles).
- :func:`score_variants` and :func:`score_holdout_sets`: the one scoring loop
  of the held-out sets, whatever parses (the running server's
  ``/model/parse`` in tests/e2e, a model loaded in-process in the benchmark).
"""
from __future__ import annotations

import os
import re
import time
import unicodedata
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Set, Tuple

import yaml

from bot.domain.text import strip_diacritics
from bot.settings import PROJECT_ROOT

# ``../shared`` beside the project; ``SHARED_DIR`` points elsewhere (e.g. from a
# git worktree, whose parent folder has no ``shared/``).
SHARED = Path(os.environ.get("SHARED_DIR") or PROJECT_ROOT.parent / "shared")
EVAL_DIRS = (SHARED / "eval", SHARED / "eval-chat")
HOLDOUT = PROJECT_ROOT / "tests" / "data" / "nlu_holdout.yml"
# Held-out subsets of issue 11, each a Rasa NLU file scored as written only.
CHAT_SUBSETS: Dict[str, Path] = {
    "telex_vni": PROJECT_ROOT / "tests" / "data" / "nlu_holdout_telex_vni.yml",
    "chat_abbrev": PROJECT_ROOT / "tests" / "data" / "nlu_holdout_chat_abbrev.yml",
}
# Compound messages (two questions, or several agencies, in one message); format at its top.
COMPOUND = PROJECT_ROOT / "tests" / "data" / "nlu_compound.yml"
# Gold intents on which any other intent, given with confidence at or above the
# fallback threshold, is a confident wrong answer.
CONFIDENT_WRONG_GOLD = ("out_of_scope", "ask_not_in_source")
# Intents whose answer checks the article itself before saying anything
# (bot.nlu.directive_questions): for a not-in-source question they say that the
# article does not cover it, so they are no confident wrong answer.
SOURCE_CHECKED = ("ask_source_topic", "check_directive_claim")
VARIANTS: Dict[str, Callable[[str], str]] = {
    "diacritics": lambda t: t,
    "no_diacritics": strip_diacritics,
    "caps": str.upper,
    "nfd": lambda t: unicodedata.normalize("NFD", t),
}
Span = Tuple[int, int]
FALLBACK = "nlu_fallback"


def load_cases(dirs=(SHARED / "eval",)) -> List[Tuple[str, Dict]]:
    """``[(folder/file:id, case), ...]`` of every question file in ``dirs``
    (missing folders are skipped), e.g. ``eval-chat/chat_typing:teen-date``.

    A case has ``ask``, ``ask_nfd`` or ``turns``, and ``expect``/``forbid``
    regexes (the format is described at the top of ``sample_questions.yml``).

    Raises:
        ValueError: two cases have the same id (within a file, or two files of
            the same name in folders of the same name).
    """
    cases = []
    for folder in dirs:
        for path in sorted(Path(folder).glob("*.yml")):
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
                cases.append((f"{Path(folder).name}/{path.stem}:{case['id']}", case))
    ids = [case_id for case_id, _ in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate case ids: {duplicates}")
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


_ANNOTATED_AGENCY = re.compile(r"\[([^\]]+)\]\(agency\)")


def strip_annotations(annotated: str) -> Tuple[str, Set[Span]]:
    """``("[Bộ Y tế](agency) nộp chưa")`` -> ``("Bộ Y tế nộp chưa", {(0, 7)})``: the
    message without its ``[text](agency)`` marks and the character spans
    (start, end) of the marked texts in it."""
    text, spans, last = [], set(), 0
    length = 0
    for match in _ANNOTATED_AGENCY.finditer(annotated):
        before = annotated[last:match.start()]
        text.append(before)
        length += len(before)
        spans.add((length, length + len(match.group(1))))
        text.append(match.group(1))
        length += len(match.group(1))
        last = match.end()
    text.append(annotated[last:])
    return "".join(text), spans


def load_compound(path: Path = COMPOUND) -> List[Dict]:
    """The cases of the compound file (format at its top): ``[{text, parts: [intent, ...],
    agency: {(start, end), ...}}]``, ``text`` without its annotations."""
    cases = []
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
        text, spans = strip_annotations(case["text"])
        cases.append({"text": text, "parts": list(case["parts"]), "agency": spans})
    return cases


def facts_of(parsed: Dict[str, Any]) -> Set[str]:
    """The intents a parse result answers: its ``intent`` plus its ``directive_facts``
    (strings, or dicts with an ``intent`` key), if any."""
    found = {(parsed.get("intent") or {}).get("name")}
    for fact in parsed.get("directive_facts") or []:
        found.add(fact.get("intent") if isinstance(fact, dict) else fact)
    return {f for f in found if f}


async def compound_scores(parse: Callable[[str], Awaitable[Dict[str, Any]]], cases: List[Dict]) -> Dict:
    """Score compound messages (:func:`load_compound`) with ``parse`` (as in :func:`score_variants`).

    A message is recognised when every gold agency span is among the parsed
    ``agency`` entities (extra ones are not held against it here; they count
    in ``agency_entity_f1``) and every gold part is in :func:`facts_of`.
    Returns ``{examples, all_parts_share (0..1: recognised / examples),
    intent_macro_f1 and intent_accuracy (both = all_parts_share, so the
    subset sits beside the others), agency_entity_f1 (exact spans),
    parse_ms_mean (ms), errors: [{text, parts, found, agencies_missed}]}``.
    """
    recognised, errors, gold_s, pred_s = 0, [], [], []
    started = time.perf_counter()
    for case in cases:
        parsed = await parse(case["text"])
        found_spans = {(e["start"], e["end"]) for e in parsed.get("entities", []) if e["entity"] == "agency"}
        found = facts_of(parsed)
        missed = case["agency"] - found_spans
        gold_s.append(case["agency"])
        pred_s.append(found_spans)
        if not missed and set(case["parts"]) <= found:
            recognised += 1
        else:
            errors.append({"text": case["text"], "parts": case["parts"], "found": sorted(found),
                           "agencies_missed": [case["text"][a:b] for a, b in sorted(missed)]})
    share = round(recognised / len(cases), 4) if cases else 0.0
    return {"examples": len(cases), "all_parts_share": share, "intent_macro_f1": share, "intent_accuracy": share,
            "agency_entity_f1": round(entity_f1(gold_s, pred_s), 4),
            "parse_ms_mean": round(1000 * (time.perf_counter() - started) / max(1, len(cases)), 2),
            "errors": errors}


def fallback_threshold(config: Path = PROJECT_ROOT / "config.yml") -> float:
    """The ``threshold`` of the ``FallbackClassifier`` in ``config`` (0..1).

    Raises:
        ValueError: the pipeline has no FallbackClassifier with a threshold.
    """
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    for component in pipeline:
        if component["name"] == "FallbackClassifier" and "threshold" in component:
            return float(component["threshold"])
    raise ValueError(f"no FallbackClassifier threshold in {config}")


def is_confident_wrong(gold: str, predicted: Optional[str], confidence: float, threshold: float) -> bool:
    """A confident wrong answer: ``gold`` is one of :data:`CONFIDENT_WRONG_GOLD`
    and ``predicted`` is another intent (not the fallback, and for a not-in-source
    question not one of :data:`SOURCE_CHECKED`) with ``confidence`` >= ``threshold``."""
    if gold == "ask_not_in_source" and predicted in SOURCE_CHECKED:
        return False
    return (gold in CONFIDENT_WRONG_GOLD and predicted not in (gold, FALLBACK, None)
            and confidence >= threshold)


def intent_scores(gold: List[str], predicted: List[Optional[str]]) -> Dict[str, float]:
    """``intent_accuracy`` and ``intent_macro_f1`` (macro over the gold labels), rounded to 4 digits."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "intent_accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "intent_macro_f1": round(float(f1_score(gold, predicted, average="macro", labels=sorted(set(gold)),
                                                zero_division=0)), 4),
    }


async def score_variants(parse: Callable[[str], Awaitable[Dict[str, Any]]], examples: List[Dict],
                         variants: Iterable[str] = tuple(VARIANTS),
                         threshold: Optional[float] = None) -> Dict[str, Dict]:
    """Parse every example of :func:`load_holdout` in each variant of :data:`VARIANTS`.

    ``parse(text)`` returns Rasa's parse result (``intent``, ``intent_ranking``,
    ``entities``). Returns ``{variant: {examples, intent_accuracy,
    intent_macro_f1, parse_ms_mean (ms per message), errors, entity_errors,
    ranked, confident_wrong, predictions, agency_entity_f1}}``: ``errors``
    lists wrong intents, ``predictions`` holds ``[text, gold, predicted]`` per
    example, ``confident_wrong`` the wrong answers to out-of-scope and
    not-in-source examples (:func:`is_confident_wrong`; ``threshold`` defaults
    to :func:`fallback_threshold` of ``config.yml``), ``ranked``
    holds ``[gold, best intent other than the fallback, its confidence]`` per
    example (``scripts/tune_fallback.py`` reads it); ``agency_entity_f1``
    (exact spans) is left out for ``nfd``, whose character positions differ.
    """
    if threshold is None:
        threshold = fallback_threshold()
    results: Dict[str, Dict] = {}
    for name in variants:
        change = VARIANTS[name]
        gold_i: List[str] = []
        pred_i: List[Optional[str]] = []
        gold_s: List[Set[Span]] = []
        pred_s: List[Set[Span]] = []
        errors, entity_errors, ranked, confident_wrong, predictions = [], [], [], [], []
        started = time.perf_counter()
        for example in examples:
            text = change(example["text"])
            parsed = await parse(text)
            predicted = (parsed.get("intent") or {}).get("name")
            gold_i.append(example["intent"])
            pred_i.append(predicted)
            predictions.append([text, example["intent"], predicted])
            if predicted != example["intent"]:
                errors.append({"text": text, "gold": example["intent"], "predicted": predicted})
                confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
                if is_confident_wrong(example["intent"], predicted, confidence, threshold):
                    confident_wrong.append({"text": text, "gold": example["intent"], "predicted": predicted,
                                            "confidence": round(confidence, 4)})
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
            "confident_wrong": confident_wrong,
            "predictions": predictions,
        }
        if gold_s:
            results[name]["agency_entity_f1"] = round(entity_f1(gold_s, pred_s), 4)
    return results


async def score_holdout_sets(parse: Callable[[str], Awaitable[Dict[str, Any]]], holdout: List[Dict],
                             variants: Iterable[str] = tuple(VARIANTS),
                             chat_subsets: Optional[Dict[str, List[Dict]]] = None,
                             compound: Optional[List[Dict]] = None,
                             threshold: Optional[float] = None) -> Dict[str, Dict]:
    """Every held-out score of one parser: ``holdout`` (:func:`load_holdout`) in
    each of ``variants`` (:func:`score_variants`), each of ``chat_subsets``
    (``{name: examples}``, scored as written, keyed by name) and the
    ``compound`` cases (:func:`compound_scores`, key ``compound``).

    Returns ``{variant or subset name: scores}``.
    """
    results = await score_variants(parse, holdout, variants, threshold)
    for name, examples in (chat_subsets or {}).items():
        results[name] = (await score_variants(parse, examples, ["diacritics"], threshold))["diacritics"]
    if compound is not None:
        results["compound"] = await compound_scores(parse, compound)
    return results
