"""5-fold cross-validation of our NLU pipeline, with and without diacritics.

Folds split the hand-written examples of data/nlu/*.yml (stratified by
intent). Each fold trains on the other folds plus their diacritic-free copies
(as `make` does) and is tested on its own examples and their diacritic-free
copies, so no copy of a test sentence is ever trained on. Writes
results/cross_validation.json.

    .venv/bin/python scripts/cross_validate.py [--folds 5]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import f1_score

from bot.domain.text import strip_diacritics
from bot.nlu.augment import read_intents, variants, write_intents

ROOT = Path(__file__).resolve().parent.parent


def folds_of(intents: Dict[str, List[str]], k: int, seed: int = 797) -> List[Dict[str, List[str]]]:
    folds: List[Dict[str, List[str]]] = [defaultdict(list) for _ in range(k)]
    rng = random.Random(seed)
    for intent, examples in intents.items():
        shuffled = examples[:]
        rng.shuffle(shuffled)
        for i, example in enumerate(shuffled):
            folds[i % k][intent].append(example)
    return folds


def merge(parts: List[Dict[str, List[str]]]) -> Dict[str, List[str]]:
    merged: Dict[str, List[str]] = defaultdict(list)
    for part in parts:
        for intent, examples in part.items():
            merged[intent].extend(examples)
    return merged


async def score(agent: Agent, path: Path) -> Dict[str, float]:
    gold_intents, predicted, gold_spans, found_spans = [], [], [], []
    for message in load_data(str(path)).intent_examples:
        parsed = await agent.parse_message(message.get("text"))
        gold_intents.append(message.get("intent"))
        predicted.append(parsed["intent"]["name"])
        gold_spans.append({(e["start"], e["end"]) for e in message.get("entities", []) if e["entity"] == "agency"})
        found_spans.append({(e["start"], e["end"]) for e in parsed["entities"] if e["entity"] == "agency"})
    tp = sum(len(g & f) for g, f in zip(gold_spans, found_spans))
    n_gold, n_found = sum(map(len, gold_spans)), sum(map(len, found_spans))
    precision = tp / n_found if n_found else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return {
        "intent_macro_f1": f1_score(gold_intents, predicted, average="macro", labels=sorted(set(gold_intents)), zero_division=0),
        "intent_accuracy": sum(g == p for g, p in zip(gold_intents, predicted)) / len(gold_intents),
        "entity_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    intents = read_intents(sorted((ROOT / "data" / "nlu").glob("*.yml")))
    folds = folds_of(intents, args.folds)
    per_fold = []
    for i, test in enumerate(folds):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            train = merge([f for j, f in enumerate(folds) if j != i])
            write_intents(train, work / "train" / "nlu.yml", "train fold")
            write_intents(variants(train, strip_diacritics), work / "train" / "plain.yml", "train fold, no diacritics")
            write_intents(test, work / "test.yml", "test fold")
            write_intents(variants(test, strip_diacritics), work / "test_plain.yml", "test fold, no diacritics")
            model = train_nlu(str(ROOT / "config.yml"), str(work / "train"), str(work / "models"), domain=str(ROOT / "domain.yml"))
            agent = Agent.load(model)
            result = {
                "diacritics": asyncio.run(score(agent, work / "test.yml")),
                "no_diacritics": asyncio.run(score(agent, work / "test_plain.yml")),
            }
            per_fold.append(result)
            print(f"fold {i + 1}/{args.folds}: {json.dumps(result)}", flush=True)
    summary = {
        subset: {metric: round(sum(f[subset][metric] for f in per_fold) / len(per_fold), 4)
                 for metric in per_fold[0][subset]}
        for subset in per_fold[0]
    }
    out = ROOT / "results" / "cross_validation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"folds": args.folds, "mean": summary, "per_fold": per_fold}, indent=2), encoding="utf-8")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
