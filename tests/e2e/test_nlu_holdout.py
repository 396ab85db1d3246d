"""Held-out NLU evaluation of the trained model, through the running server.

``tests/data/nlu_holdout.yml`` holds paraphrases written apart from the
training data. Each is also sent without diacritics, in capitals and in
Unicode NFD. Intent macro-F1 must reach :data:`INTENT_F1_FLOOR` on every
subset and agency entity F1 (exact spans) :data:`ENTITY_F1_FLOOR`. The scores
go to ``results/nlu_holdout.json``.
"""
from __future__ import annotations

import json
from typing import Dict

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import accuracy_score, f1_score

from bench.evalset import HOLDOUT, VARIANTS, entity_f1
from bot.settings import PROJECT_ROOT as ROOT

from .conftest import Assistant

INTENT_F1_FLOOR = 0.90
ENTITY_F1_FLOOR = 0.95
FALLBACK = "nlu_fallback"


@pytest.fixture(scope="module")
def scores(assistant: Assistant) -> Dict[str, Dict]:
    examples = load_data(str(HOLDOUT)).intent_examples
    results: Dict[str, Dict] = {}
    for name, change in VARIANTS.items():
        gold_intents, predicted_intents, gold_spans, predicted_spans = [], [], [], []
        errors, entity_errors, ranked = [], [], []
        for example in examples:
            text = change(example.get("text"))
            # every variant keeps character positions of NFC text except NFD
            parsed = assistant.parse(text)
            top = next(r for r in parsed["intent_ranking"] if r["name"] != FALLBACK)
            ranked.append([example.get("intent"), top["name"], round(top["confidence"], 4)])
            gold_intents.append(example.get("intent"))
            predicted_intents.append(parsed["intent"]["name"])
            if parsed["intent"]["name"] != example.get("intent"):
                errors.append({"text": text, "gold": example.get("intent"), "predicted": parsed["intent"]["name"]})
            if name != "nfd":
                gold = {(e["start"], e["end"]) for e in example.get("entities", []) if e["entity"] == "agency"}
                found = {(e["start"], e["end"]) for e in parsed["entities"] if e["entity"] == "agency"}
                gold_spans.append(gold)
                predicted_spans.append(found)
                if gold != found:
                    entity_errors.append({"text": text, "gold": [text[a:b] for a, b in sorted(gold)],
                                          "predicted": [text[a:b] for a, b in sorted(found)]})
        results[name] = {
            "examples": len(examples),
            "intent_accuracy": round(accuracy_score(gold_intents, predicted_intents), 4),
            "intent_macro_f1": round(f1_score(gold_intents, predicted_intents, average="macro",
                                              labels=sorted(set(gold_intents)), zero_division=0), 4),
            "errors": errors,
            "entity_errors": entity_errors,
            # [gold, best intent other than nlu_fallback, its confidence]: scripts/tune_fallback.py
            "ranked": ranked,
        }
        if gold_spans:
            results[name]["agency_entity_f1"] = round(entity_f1(gold_spans, predicted_spans), 4)
    out = ROOT / "results" / "nlu_holdout.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return results


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_intent_f1_floor(scores: Dict[str, Dict], variant: str) -> None:
    result = scores[variant]
    assert result["intent_macro_f1"] >= INTENT_F1_FLOOR, (
        f"{variant}: intent macro-F1 {result['intent_macro_f1']} < {INTENT_F1_FLOOR}; errors: {result['errors'][:15]}"
    )


@pytest.mark.parametrize("variant", ["diacritics", "no_diacritics", "caps"])
def test_agency_entity_f1_floor(scores: Dict[str, Dict], variant: str) -> None:
    assert scores[variant]["agency_entity_f1"] >= ENTITY_F1_FLOOR, scores[variant]
