"""Scoring trained Rasa NLU models on a test file, in a subprocess.

Driver side (imported by :mod:`bench.run` and :mod:`bench.cross_validation`):
:func:`score_rasa_models` runs this module as a subprocess, so that TensorFlow
stays out of the benchmark driver, and :func:`nlu_summary` turns its scores
into the ``nlu.<pipeline>`` entry of ``results.json``. Subprocess side::

    python -m bench.nlu_eval --model ours=PATH --model ws=PATH --test FILE.yml \
        --variants diacritics,no_diacritics,caps,nfd [--subset telex_vni=FILE.yml ...] \
        [--compound COMPOUND.yml] --out scores.json

Each test example is scored as written and in every variant of
:data:`bench.evalset.VARIANTS`, each ``--subset`` file as written and the
compound messages by :func:`bench.evalset.score_holdout_sets`, the same loop
as the held-out test of ``tests/e2e``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from bench.data import NEW_SUBSETS, SUBSETS
from bench.evalset import load_compound, load_holdout, score_holdout_sets
from bench.procs import BIN, run_timed


# ----------------------------------------------------------------- driver side
def score_rasa_models(models: Mapping[str, str], test: Optional[Path], work: Path, env: Dict[str, str],
                      variants: Sequence[str], tag: str, chat_sets: Optional[Mapping[str, Path]] = None,
                      compound: Optional[Path] = None) -> Dict:
    """Score every model of ``models`` (``{name: "PATH"}``, or
    ``{name: "PATH::TEST"}`` for a model with its own test file) on ``test``
    in each of ``variants``, on each file of ``chat_sets`` (``{subset: path}``,
    as written) and on the ``compound`` file, in one ``python -m
    bench.nlu_eval`` subprocess. Writes ``work/scores_<tag>.json``; log
    ``work/logs/nlu_eval_<tag>.log``.

    Returns ``{name: {variant or subset: {examples, intent_accuracy,
    intent_macro_f1, parse_ms_mean (ms), errors, confident_wrong,
    agency_entity_f1 (not for nfd)}}}`` (``compound``: see
    :func:`bench.evalset.compound_scores`) plus ``_eval_wall_s`` (s, the whole
    subprocess).

    Raises:
        RuntimeError: the subprocess failed.
    """
    out = work / f"scores_{tag}.json"
    args: List[object] = [BIN / "python", "-m", "bench.nlu_eval", "--out", out, "--variants", ",".join(variants)]
    if test is not None:
        args += ["--test", test]
    for name, path in (chat_sets or {}).items():
        args += ["--subset", f"{name}={path}"]
    if compound is not None:
        args += ["--compound", compound]
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
    :data:`bench.data.SUBSETS` and of :data:`bench.data.NEW_SUBSETS` that were
    scored (``compound``: the share of messages whose every part is
    recognised), ``intent_macro_f1_nfd``, ``entity_f1`` and
    ``entity_f1_by_subset`` (``with_entities``), ``confident_wrong``
    (``{subset: count}`` over the out-of-scope and not-in-source examples),
    ``confident_wrong_total``, ``confident_wrong_sample`` (up to 10),
    ``examples`` (main held-out set), ``examples_by_subset``,
    ``parse_ms_mean`` (ms) and up to 8 ``errors_sample`` per subset."""
    subsets = [s for s in SUBSETS + NEW_SUBSETS if s in scores]
    entry = {
        "intent_macro_f1": {s: scores[s]["intent_macro_f1"] for s in subsets},
        "intent_accuracy": {s: scores[s]["intent_accuracy"] for s in subsets},
    }
    if "nfd" in scores:
        entry["intent_macro_f1_nfd"] = scores["nfd"]["intent_macro_f1"]
    if with_entities:
        entry["entity_f1"] = scores["diacritics"]["agency_entity_f1"]
        entry["entity_f1_by_subset"] = {s: scores[s]["agency_entity_f1"] for s in subsets}
    wrong = {s: scores[s]["confident_wrong"] for s in subsets if "confident_wrong" in scores[s]}
    entry["confident_wrong"] = {s: len(w) for s, w in wrong.items()}
    entry["confident_wrong_total"] = sum(entry["confident_wrong"].values())
    entry["confident_wrong_sample"] = [w for ws in wrong.values() for w in ws][:10]
    entry["examples"] = scores["diacritics"]["examples"]
    entry["examples_by_subset"] = {s: scores[s]["examples"] for s in subsets}
    entry["parse_ms_mean"] = scores["diacritics"].get("parse_ms_mean")
    entry["errors_sample"] = {s: scores[s].get("errors", [])[:8] for s in subsets}
    return entry


# ------------------------------------------------------------- subprocess side
async def evaluate(model: str, examples: List[Dict], variants: Sequence[str],
                   chat_sets: Optional[Dict[str, List[Dict]]] = None,
                   compound: Optional[List[Dict]] = None) -> Dict[str, Dict]:
    """Load ``model`` (a ``.tar.gz``) and score ``examples``, ``chat_sets`` and
    ``compound`` with :func:`bench.evalset.score_holdout_sets`; at most 25
    errors per variant or subset are kept."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    results = await score_holdout_sets(agent.parse_message, examples, variants, chat_sets, compound)
    for scores in results.values():
        scores["errors"] = scores["errors"][:25]
        scores.pop("entity_errors", None)
        scores.pop("ranked", None)
    return results


def main() -> None:
    """Command line of the subprocess (see the module docstring)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", action="append", required=True,
                        help="NAME=PATH, or NAME=PATH::TEST to score this model on its own test file")
    parser.add_argument("--test", help="test file for every --model without its own")
    parser.add_argument("--variants", default="diacritics,no_diacritics,caps,nfd")
    parser.add_argument("--subset", action="append", default=[],
                        help="NAME=FILE: a held-out subset scored as written (every model without its own test)")
    parser.add_argument("--compound", help="compound messages file (bench.evalset.load_compound)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    variants = args.variants.split(",")
    chat_sets = {n: load_holdout(Path(f)) for n, f in (item.split("=", 1) for item in args.subset)}
    compound = load_compound(Path(args.compound)) if args.compound else None
    out = {}
    for item in args.model:
        name, path = item.split("=", 1)
        path, _, test = path.partition("::")
        examples = load_holdout(Path(test or args.test))
        out[name] = asyncio.run(evaluate(path, examples, variants, None if test else chat_sets,
                                         None if test else compound))
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
