"""k-fold cross-validation of our NLU pipeline, with and without diacritics.

The folds split the hand-written examples (stratified by intent, fixed seed).
Each fold trains on the other folds plus *their* diacritic-free copies (as
``make`` does for the whole set), so no copy of a test sentence is ever
trained on, and is tested on its own examples as written, without diacritics
and in capitals.

Besides the mean of the folds' macro-F1 (each fold has only one to three test
examples of the small intents, so a fold's macro-F1 is noisy), the result
holds the macro-F1 of the pooled predictions of every fold, the intents with
the lowest pooled F1, and how close each test example is to its fold's
training part (:mod:`bench.overlap`: nearest-neighbour character-3-gram
Jaccard, and accuracy by closeness band), so that it can be set beside the
held-out figures of the same kind (``bench/NOTES.md``, issue 11). Used by the benchmark (``python -m bench.run``, full mode)
and on its own::

    .venv/bin/python -m bench.cross_validation [--folds 5]

which trains ``config.yml`` on ``data/nlu/*.yml`` in
``results/cross-validation-work/`` (fresh Rasa cache; ``models/`` is never
touched) and writes ``results/cross_validation.json``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bench.data import SUBSETS, nlu_source_files, plain_examples
from bench.evalset import intent_scores
from bench.nlu_eval import score_rasa_models
from bench.overlap import closeness_of_predictions
from bench.procs import ROOT, bench_env
from bench.train import train_nlu_only
from bot.domain.text import strip_diacritics
from bot.nlu.augment import read_intents, variants, write_intents

SEED = 797


def cross_validation(work: Path, sources: Sequence[Path], config: Path, folds: int, env: Dict[str, str]) -> Dict:
    """``folds``-fold stratified cross-validation of ``config`` on the intent
    examples of ``sources`` (hand-written Rasa NLU files, no generated copies).

    Each fold's data, model and log go under ``work/cv/fold<k>/``; the scores
    to ``work/scores_cv.json``. Rasa runs in subprocesses with ``env``.

    Returns ``folds``, ``intent_macro_f1_mean`` and ``intent_macro_f1_std``
    (``{subset: value}`` over :data:`bench.data.SUBSETS`),
    ``intent_macro_f1_pooled`` (``{subset: value}``, over the predictions of
    every fold together), ``lowest_intents`` (up to 8 ``[intent, pooled F1,
    examples]``, as written), ``closeness`` (:func:`bench.overlap.closeness_of_predictions`
    of each test example against its fold's training part, as written),
    ``entity_f1_mean`` (agency, exact spans, as written), ``per_fold``
    (``fold``, ``train_wall_s`` in s, ``test_examples``, ``intent_macro_f1``,
    ``entity_f1``) and ``wall_s`` (s, training and scoring).

    Raises:
        ValueError: ``folds`` < 2, or more than the examples of every intent
            (scikit-learn's ``StratifiedKFold``).
        RuntimeError: a training or scoring subprocess failed.
    """
    from sklearn.model_selection import StratifiedKFold

    intents = read_intents(sources)
    pairs = [(intent, example) for intent, examples in intents.items() for example in examples]
    labels = [intent for intent, _ in pairs]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    per_fold: List[Dict] = []
    models: Dict[str, str] = {}
    train_texts: Dict[int, List[str]] = {}
    started = time.perf_counter()
    for k, (train_idx, test_idx) in enumerate(splitter.split(pairs, labels)):
        fold = work / "cv" / f"fold{k}"
        train: Dict[str, List[str]] = {}
        test: Dict[str, List[str]] = {}
        for i in train_idx:
            train.setdefault(pairs[i][0], []).append(pairs[i][1])
        for i in test_idx:
            test.setdefault(pairs[i][0], []).append(pairs[i][1])
        write_intents(train, fold / "nlu" / "src" / "nlu.yml", f"CV fold {k}: training part")
        write_intents(variants(train, strip_diacritics), fold / "nlu" / "generated" / "no_diacritics.yml",
                      f"CV fold {k}: diacritic-free copies of the training part")
        write_intents(test, fold / "test.yml", f"CV fold {k}: test part")
        train_texts[k] = plain_examples(fold / "nlu" / "src" / "nlu.yml")[0]
        trained = train_nlu_only(f"fold{k}", fold, fold / "nlu", config, env)
        models[f"fold{k}"] = f"{trained['model']}::{fold / 'test.yml'}"
        per_fold.append({"fold": k, "train_wall_s": trained["wall_s"], "test_examples": len(test_idx)})
    scores = score_rasa_models(models, None, work, env, SUBSETS, "cv")
    pooled: Dict[str, List] = {v: [] for v in SUBSETS}
    closeness_rows: List[Dict] = []
    for entry in per_fold:
        s = scores[f"fold{entry['fold']}"]
        entry["intent_macro_f1"] = {v: s[v]["intent_macro_f1"] for v in SUBSETS}
        entry["entity_f1"] = s["diacritics"]["agency_entity_f1"]
        for v in SUBSETS:
            pooled[v] += s[v]["predictions"]
        closeness_rows.append(closeness_of_predictions(s["diacritics"]["predictions"], train_texts[entry["fold"]]))
    return {
        "folds": folds,
        "intent_macro_f1_mean": {v: _mean([f["intent_macro_f1"][v] for f in per_fold]) for v in SUBSETS},
        "intent_macro_f1_std": {v: _std([f["intent_macro_f1"][v] for f in per_fold]) for v in SUBSETS},
        "intent_macro_f1_pooled": {v: intent_scores([r[1] for r in rows], [r[2] for r in rows])["intent_macro_f1"]
                                   for v, rows in pooled.items()},
        "lowest_intents": lowest_intents(pooled["diacritics"]),
        "closeness": merge_closeness(closeness_rows),
        "entity_f1_mean": _mean([f["entity_f1"] for f in per_fold]),
        "per_fold": per_fold,
        "wall_s": round(time.perf_counter() - started, 1),
    }


def lowest_intents(rows: Sequence[Sequence], n: int = 8) -> List[List]:
    """The ``n`` intents with the lowest F1 over ``rows`` (``[text, gold, predicted]``):
    ``[[intent, F1 (0..1), gold examples], ...]``, lowest first."""
    from sklearn.metrics import precision_recall_fscore_support

    gold = [r[1] for r in rows]
    labels = sorted(set(gold))
    _, _, f1, support = precision_recall_fscore_support(gold, [r[2] for r in rows], labels=labels, zero_division=0)
    ranked = sorted(zip(f1, labels, support, strict=True))[:n]
    return [[label, round(float(f), 4), int(count)] for f, label, count in ranked]


def merge_closeness(per_fold: Sequence[Dict]) -> Dict:
    """One closeness report from the folds' :func:`bench.overlap.closeness_of_predictions`:
    message-weighted ``share_close``, the folds' medians' mean (``median``) and
    accuracy by band over every fold."""
    total = sum(f["messages"] for f in per_fold)
    bands: Dict[str, Dict] = {}
    for report in per_fold:
        for band, b in report["accuracy_by_closeness"].items():
            acc = bands.setdefault(band, {"messages": 0, "correct": 0.0})
            acc["messages"] += b["messages"]
            acc["correct"] += (b["accuracy"] or 0.0) * b["messages"]
    return {
        "messages": total,
        "share_close": round(sum(f["share_close"] * f["messages"] for f in per_fold) / max(1, total), 4),
        "median": _mean([f["median"] for f in per_fold]),
        "accuracy_by_closeness": {band: {"messages": b["messages"],
                                         "accuracy": round(b["correct"] / b["messages"], 4) if b["messages"] else None}
                                  for band, b in bands.items()},
    }


def _mean(xs: Sequence[float]) -> float:
    return round(sum(xs) / len(xs), 4)


def _std(xs: Sequence[float]) -> float:
    """Population standard deviation, rounded to 4 digits."""
    mean = sum(xs) / len(xs)
    return round((sum((x - mean) ** 2 for x in xs) / len(xs)) ** 0.5, 4)


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m bench.cross_validation``: see the module docstring. Returns the exit code (0)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--config", default=str(ROOT / "config.yml"), help="pipeline to validate (default config.yml)")
    parser.add_argument("--work", default=str(ROOT / "results" / "cross-validation-work"),
                        help="scratch folder for the folds' data, models and logs (emptied first)")
    parser.add_argument("--out", default=str(ROOT / "results" / "cross_validation.json"))
    args = parser.parse_args(argv)
    work = Path(args.work).resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    env = bench_env(RASA_CACHE_DIRECTORY=str(work / "rasa-cache"))
    result = cross_validation(work, nlu_source_files(), Path(args.config).resolve(), args.folds, env)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "per_fold"}, ensure_ascii=False, indent=2))
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
