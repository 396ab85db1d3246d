"""Score trained Rasa NLU models on a test file, in-process (no server).

Run as a subprocess by :mod:`bench.run`, so that TensorFlow stays out of the
benchmark driver::

    python -m bench.nlu_eval --model ours=PATH --model ws=PATH --test FILE.yml \
        --variants diacritics,no_diacritics,caps,nfd --out scores.json

Each test example is scored as written and in every variant (the variants and
the exact-span agency F1 are those of ``tests/e2e/test_nlu_holdout.py``).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Dict, List

from sklearn.metrics import accuracy_score, f1_score

from tests.e2e.test_nlu_holdout import VARIANTS, entity_f1


def load_examples(path: Path) -> List[Dict]:
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
    return {
        "intent_accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "intent_macro_f1": round(float(f1_score(gold, predicted, average="macro", labels=sorted(set(gold)),
                                                zero_division=0)), 4),
    }


async def evaluate(model: str, examples: List[Dict], variants: List[str]) -> Dict[str, Dict]:
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
