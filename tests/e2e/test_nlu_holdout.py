"""Held-out NLU evaluation of the trained model, through the running server.

``tests/data/nlu_holdout.yml`` holds paraphrases written apart from the
training data. Each is also sent without diacritics, in capitals and in
Unicode NFD. The chat subsets of issue 11 (``nlu_holdout_telex_vni.yml``,
``nlu_holdout_chat_abbrev.yml``) are sent as written, and the compound
messages (``nlu_compound.yml``) are scored by the share whose every part is
recognised. The floors are :data:`bench.targets.REGRESSION_FLOOR` and its
neighbours: intent macro-F1 on every variant and subset, agency entity F1
(exact spans) on every subset, and a cap on confident wrong answers to
out-of-scope and not-in-source questions. They guard against regressions;
issue 11's goals (same module) are reported by ``make bench``. The scores go to
``results/nlu_holdout.json``.
"""
from __future__ import annotations

import asyncio
import json
from typing import Dict

import pytest

from bench.data import NEW_SUBSETS, SUBSETS
from bench.evalset import CHAT_SUBSETS, HOLDOUT, VARIANTS, load_compound, load_holdout, score_holdout_sets
from bench.targets import AGENCY_F1_FLOOR, CONFIDENT_WRONG_FLOOR, REGRESSION_FLOOR
from bot.settings import PROJECT_ROOT as ROOT

from .conftest import Assistant


@pytest.fixture(scope="module")
def scores(assistant: Assistant) -> Dict[str, Dict]:
    async def parse(text: str) -> Dict:
        return assistant.parse(text)  # over HTTP: /model/parse of the running server

    chat = {name: load_holdout(path) for name, path in CHAT_SUBSETS.items()}
    results = asyncio.run(score_holdout_sets(parse, load_holdout(HOLDOUT), VARIANTS, chat, load_compound()))
    out = ROOT / "results" / "nlu_holdout.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return results


@pytest.mark.parametrize("subset", list(VARIANTS) + NEW_SUBSETS)
def test_intent_f1_floor(scores: Dict[str, Dict], subset: str) -> None:
    result, floor = scores[subset], REGRESSION_FLOOR[subset]
    assert result["intent_macro_f1"] >= floor, (
        f"{subset}: intent macro-F1 {result['intent_macro_f1']} < {floor}; errors: {result['errors'][:15]}"
    )


@pytest.mark.parametrize("subset", SUBSETS + NEW_SUBSETS)
def test_agency_entity_f1_floor(scores: Dict[str, Dict], subset: str) -> None:
    result = scores[subset]
    assert result["agency_entity_f1"] >= AGENCY_F1_FLOOR, (subset, result["agency_entity_f1"],
                                                     result.get("entity_errors", result["errors"])[:15])


def test_no_confident_wrong_answers(scores: Dict[str, Dict]) -> None:
    wrong = [w for result in scores.values() for w in result.get("confident_wrong", [])]
    assert len(wrong) <= CONFIDENT_WRONG_FLOOR, wrong[:20]
