"""Held-out NLU evaluation of the trained model, through the running server.

``tests/data/nlu_holdout.yml`` holds paraphrases written apart from the
training data. Each is also sent without diacritics, in capitals and in
Unicode NFD. Intent macro-F1 must reach :data:`INTENT_F1_FLOOR` on every
subset and agency entity F1 (exact spans) :data:`ENTITY_F1_FLOOR`. The scores
go to ``results/nlu_holdout.json``.
"""
from __future__ import annotations

import asyncio
import json
from typing import Dict

import pytest

from bench.evalset import HOLDOUT, VARIANTS, load_holdout, score_variants
from bot.settings import PROJECT_ROOT as ROOT

from .conftest import Assistant

INTENT_F1_FLOOR = 0.90
ENTITY_F1_FLOOR = 0.95


@pytest.fixture(scope="module")
def scores(assistant: Assistant) -> Dict[str, Dict]:
    async def parse(text: str) -> Dict:
        return assistant.parse(text)  # over HTTP: /model/parse of the running server

    results = asyncio.run(score_variants(parse, load_holdout(HOLDOUT)))
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
