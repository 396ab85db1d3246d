"""Scoring trained Rasa NLU models on a test file, in a subprocess.

Driver side (imported by :mod:`bench.run` and :mod:`bench.cross_validation`):
:func:`score_rasa_models` runs this module as a subprocess, so that TensorFlow
stays out of the benchmark driver, and :func:`nlu_summary` turns its scores
into the ``nlu.<pipeline>`` entry of ``results.json``. Subprocess side::

    python -m bench.nlu_eval --model ours=PATH --model ws=PATH --test FILE.yml \
        --variants diacritics,no_diacritics,caps,nfd --out scores.json

Each test example is scored as written and in every variant of
:data:`bench.evalset.VARIANTS` by :func:`bench.evalset.score_variants`, the
same loop as the held-out test of ``tests/e2e``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from bench.data import SUBSETS
from bench.evalset import load_holdout, score_variants
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
async def evaluate(model: str, examples: List[Dict], variants: Sequence[str]) -> Dict[str, Dict]:
    """Load ``model`` (a ``.tar.gz``) and score ``examples`` with
    :func:`bench.evalset.score_variants`; at most 25 errors per variant are kept."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    results = await score_variants(agent.parse_message, examples, variants)
    for scores in results.values():
        scores["errors"] = scores["errors"][:25]
        del scores["entity_errors"], scores["ranked"]
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
        examples = load_holdout(Path(test or args.test))
        out[name] = asyncio.run(evaluate(path, examples, variants))
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
