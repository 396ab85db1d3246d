"""Scoring trained Rasa NLU models on a test file, in a subprocess.

Driver side (imported by :mod:`bench.run` and :mod:`bench.cross_validation`):
:func:`score_rasa_models` runs this module as a subprocess, so that TensorFlow
stays out of the benchmark driver, and :func:`nlu_summary` turns its scores
into the ``nlu.<pipeline>`` entry of ``results.json``. Subprocess side::

    python -m bench.nlu_eval --model ours=PATH --model ws=PATH --test FILE.yml \
        --variants diacritics,no_diacritics,caps,nfd --out scores.json

Each test example is scored as written and in every variant of
:data:`bench.evalset.VARIANTS`, with the exact-span agency F1 of
:func:`bench.evalset.entity_f1` (as the held-out test of ``tests/e2e`` does).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from sklearn.metrics import accuracy_score, f1_score

from bench.data import SUBSETS
from bench.evalset import VARIANTS, entity_f1
from bench.procs import BIN, run_timed


# ----------------------------------------------------------------- driver side
def score_rasa_models(models: Mapping[str, str], test: Optional[Path], work: Path, env: Dict[str, str],
                      variants: Sequence[str], tag: str) -> Dict:
    """Score every model of ``models`` (``{name: "PATH"}``, or
    ``{name: "PATH::TEST"}`` for a model with its own test file) on ``test``
    in each of ``variants``, in one ``python -m bench.nlu_eval`` subprocess.
    Writes ``work/scores_<tag>.json``; log ``work/logs/nlu_eval_<tag>.log``.

    Returns ``{name: {variant: {examples, intent_accuracy, intent_macro_f1,
    parse_ms_mean (ms), errors, agency_entity_f1 (not for nfd)}}}`` plus
    ``_eval_wall_s`` (s, the whole subprocess).

    Raises:
        RuntimeError: the subprocess failed.
    """
    out = work / f"scores_{tag}.json"
    args: List[object] = [BIN / "python", "-m", "bench.nlu_eval", "--out", out, "--variants", ",".join(variants)]
    if test is not None:
        args += ["--test", test]
    for name, model in models.items():
        args += ["--model", f"{name}={model}"]
    timed = run_timed(args, work / "logs" / f"nlu_eval_{tag}.log", env)
    scores = json.loads(out.read_text(encoding="utf-8"))
    scores["_eval_wall_s"] = timed.wall_s
    return scores


def nlu_summary(scores: Dict, with_entities: bool) -> Dict:
    """The ``nlu.<pipeline>`` entry of results.json from one model's scores
    (``{variant: ...}`` as :func:`score_rasa_models` returns per model):
    ``intent_macro_f1`` and ``intent_accuracy`` per subset of
    :data:`bench.data.SUBSETS`, ``intent_macro_f1_nfd``, ``entity_f1`` and
    ``entity_f1_by_subset`` (``with_entities``), ``examples``,
    ``parse_ms_mean`` (ms) and up to 8 ``errors_sample`` per subset."""
    entry = {
        "intent_macro_f1": {s: scores[s]["intent_macro_f1"] for s in SUBSETS},
        "intent_accuracy": {s: scores[s]["intent_accuracy"] for s in SUBSETS},
    }
    if "nfd" in scores:
        entry["intent_macro_f1_nfd"] = scores["nfd"]["intent_macro_f1"]
    if with_entities:
        entry["entity_f1"] = scores["diacritics"]["agency_entity_f1"]
        entry["entity_f1_by_subset"] = {s: scores[s]["agency_entity_f1"] for s in SUBSETS}
    entry["examples"] = scores["diacritics"]["examples"]
    entry["parse_ms_mean"] = scores["diacritics"].get("parse_ms_mean")
    entry["errors_sample"] = {s: scores[s].get("errors", [])[:8] for s in SUBSETS}
    return entry


# ------------------------------------------------------------- subprocess side
def load_examples(path: Path) -> List[Dict]:
    """The intent examples of a Rasa NLU file: ``[{text, intent, agency: {(start, end), ...}}]``."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [
        {
            "text": e.get("text"),
            "intent": e.get("intent"),
            "agency": {(x["start"], x["end"]) for x in e.get("entities", []) if x["entity"] == "agency"},
        }
        for e in load_data(str(path)).intent_examples
    ]


def score(gold: List[str], predicted: List[str]) -> Dict[str, float]:
    """``intent_accuracy`` and ``intent_macro_f1`` (macro over the gold labels), rounded to 4 digits."""
    return {
        "intent_accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "intent_macro_f1": round(float(f1_score(gold, predicted, average="macro", labels=sorted(set(gold)),
                                                zero_division=0)), 4),
    }


async def evaluate(model: str, examples: List[Dict], variants: Sequence[str]) -> Dict[str, Dict]:
    """Load ``model`` (a ``.tar.gz``) and parse every example in each variant.

    Returns ``{variant: {examples, intent_accuracy, intent_macro_f1,
    parse_ms_mean (ms per message), errors (up to 25), agency_entity_f1}}``;
    no ``agency_entity_f1`` for ``nfd``, whose character positions differ.
    """
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    results: Dict[str, Dict] = {}
    for name in variants:
        change = VARIANTS[name]
        gold_i, pred_i, gold_s, pred_s, errors = [], [], [], [], []
        started = time.perf_counter()
        for example in examples:
            text = change(example["text"])
            parsed = await agent.parse_message(text)
            predicted = parsed["intent"]["name"] if parsed.get("intent") else None
            gold_i.append(example["intent"])
            pred_i.append(predicted)
            if predicted != example["intent"]:
                errors.append({"text": text, "gold": example["intent"], "predicted": predicted})
            if name != "nfd":  # NFD changes character positions
                gold_s.append(example["agency"])
                pred_s.append({(e["start"], e["end"]) for e in parsed.get("entities", []) if e["entity"] == "agency"})
        results[name] = {
            "examples": len(examples),
            **score(gold_i, pred_i),
            "parse_ms_mean": round(1000 * (time.perf_counter() - started) / max(1, len(examples)), 2),
            "errors": errors[:25],
        }
        if gold_s:
            results[name]["agency_entity_f1"] = round(entity_f1(gold_s, pred_s), 4)
    return results


def main() -> None:
    """Command line of the subprocess (see the module docstring)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", action="append", required=True,
                        help="NAME=PATH, or NAME=PATH::TEST to score this model on its own test file")
    parser.add_argument("--test", help="test file for every --model without its own")
    parser.add_argument("--variants", default="diacritics,no_diacritics,caps,nfd")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    variants = args.variants.split(",")
    out = {}
    for item in args.model:
        name, path = item.split("=", 1)
        path, _, test = path.partition("::")
        examples = load_examples(Path(test or args.test))
        out[name] = asyncio.run(evaluate(path, examples, variants))
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
