"""Choose the FallbackClassifier threshold from held-out predictions.

Reads ``results/nlu_holdout.json`` (written by tests/e2e/test_nlu_holdout.py),
where each example has its gold intent and the model's best intent other than
``nlu_fallback`` with its confidence. For each threshold, a prediction below it
becomes the polite fallback. A fallback counts as right for an out-of-scope
question and as a needless fallback otherwise. A confident wrong answer is the
error we most want to avoid, so it costs :data:`WRONG_COST` needless fallbacks;
the threshold with the lowest cost wins, ties going to the higher threshold.
Prints a table and the best threshold.

    .venv/bin/python scripts/tune_fallback.py [results/nlu_holdout.json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

WRONG_COST = 2


def score(rows, threshold):
    right = wrong_confident = fallback_miss = 0
    for gold, best, confidence in rows:
        if confidence < threshold:
            if gold == "out_of_scope":
                right += 1
            else:
                fallback_miss += 1
        elif best == gold:
            right += 1
        else:
            wrong_confident += 1
    return right / len(rows), wrong_confident, fallback_miss


def main(path: str = "results/nlu_holdout.json") -> None:
    results = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = [row for variant in results.values() for row in variant.get("ranked", [])]  # compound has none
    print(f"{len(rows)} held-out predictions (all variants)")
    print("threshold  accuracy  confident-wrong  needless-fallback  cost")
    best = None
    for step in range(20, 91, 5):
        t = step / 100
        accuracy, wrong, needless = score(rows, t)
        cost = WRONG_COST * wrong + needless
        print(f"{t:9.2f}  {accuracy:8.4f}  {wrong:15d}  {needless:17d}  {cost:4d}")
        if best is None or cost <= best[1]:
            best = (t, cost, accuracy)
    print(f"best threshold: {best[0]:.2f} (cost {best[1]}, accuracy {best[2]:.4f})")


if __name__ == "__main__":
    main(*sys.argv[1:])
