"""How close test messages are to the training examples (issue 11).

A held-out set only measures generalisation if its messages are not near
copies of training examples. For each test message this finds its nearest
training example by the Jaccard similarity of their character 3-gram sets
(text lower-cased, NFC, spaces collapsed, with a space added at both ends), and
reports the share at or above :data:`CLOSE` (0.8). The same figure for the
training examples against the *other* training examples (leave one out) says
how close a cross-validation test example is to what its folds train on.
No training, no Rasa: a second or two.

    .venv/bin/python -m bench.overlap        # every held-out set against data/nlu/*.yml
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence

CLOSE = 0.8
# nearest-neighbour similarity bands for accuracy by closeness: [low, high)
BANDS = ((0.0, 0.4), (0.4, 0.6), (0.6, 1.01))


def trigrams(text: str) -> FrozenSet[str]:
    """Character 3-grams of ``text`` (lower case, NFC, single spaces, padded with a space each side)."""
    folded = " " + re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).lower()).strip() + " "
    return frozenset(folded[i:i + 3] for i in range(len(folded) - 2))


def jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0.0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def nearest(tests: Sequence[str], train: Sequence[str], leave_one_out: bool = False) -> List[float]:
    """For each text of ``tests``, the highest Jaccard similarity (0..1) to a text of ``train``.
    ``leave_one_out``: ``tests`` is ``train`` and a text is not compared with itself."""
    grams = [trigrams(t) for t in train]
    out = []
    for i, text in enumerate(tests):
        own = trigrams(text)
        out.append(max((jaccard(own, g) for j, g in enumerate(grams) if not (leave_one_out and i == j)),
                       default=0.0))
    return out


def summary(similarities: Sequence[float]) -> Dict:
    """``{messages, share_close (0..1, similarity >= CLOSE), exact_copies (similarity 1.0),
    median (0..1)}`` of nearest-neighbour similarities."""
    ordered = sorted(similarities)
    n = len(ordered)
    return {"messages": n,
            "share_close": round(sum(s >= CLOSE for s in ordered) / n, 4) if n else 0.0,
            "exact_copies": sum(s >= 0.9999 for s in ordered),
            "median": round(ordered[n // 2], 4) if n else 0.0}


def by_closeness(similarities: Sequence[float], correct: Sequence[bool]) -> Dict[str, Dict]:
    """Intent accuracy by nearest-neighbour similarity band (:data:`BANDS`):
    ``{"0.0-0.4": {messages, accuracy (0..1, None when empty)}, ...}``."""
    out = {}
    for low, high in BANDS:
        hits = [ok for s, ok in zip(similarities, correct, strict=True) if low <= s < high]
        out[f"{low:.1f}-{min(high, 1.0):.1f}"] = {"messages": len(hits),
                                                  "accuracy": round(sum(hits) / len(hits), 4) if hits else None}
    return out


def closeness_of_predictions(predictions: Sequence[Sequence], train: Sequence[str]) -> Dict:
    """:func:`summary` of ``predictions`` (``[text, gold, predicted]`` rows, as
    :func:`bench.evalset.score_variants` returns them) against ``train`` (texts),
    plus ``accuracy_by_closeness`` (:func:`by_closeness`)."""
    sims = nearest([row[0] for row in predictions], train)
    return {**summary(sims), "accuracy_by_closeness": by_closeness(sims, [row[1] == row[2] for row in predictions])}


def overlap_report(train_files: Sequence[Path], test_files: Dict[str, Path],
                   compound: Optional[Path] = None) -> Dict:
    """Nearest-neighbour closeness of each file of ``test_files`` (``{name: Rasa NLU file}``)
    and of ``compound`` to the examples of ``train_files``, plus ``training_leave_one_out``.
    Returns ``{name: summary(...)}`` (see :func:`summary`), ``close_examples``:
    up to 10 close pairs per test set."""
    from bench.data import plain_examples
    from bench.evalset import load_compound

    train: List[str] = []
    for path in train_files:
        train += plain_examples(path)[0]
    report: Dict = {"training_leave_one_out": summary(nearest(train, train, leave_one_out=True))}
    close: Dict[str, List] = {}
    sets = {name: plain_examples(path)[0] for name, path in test_files.items()}
    if compound is not None:
        sets["compound"] = [c["text"] for c in load_compound(compound)]
    grams = [trigrams(t) for t in train]
    for name, texts in sets.items():
        sims = nearest(texts, train)
        report[name] = summary(sims)
        pairs = []
        for text, sim in zip(texts, sims, strict=True):
            if sim >= CLOSE:
                own = trigrams(text)
                best = max(range(len(train)), key=lambda j: jaccard(own, grams[j]))
                pairs.append([text, train[best], round(sim, 3)])
        close[name] = pairs[:10]
    report["close_examples"] = close
    return report


def main() -> int:
    """Print :func:`overlap_report` of every held-out set against ``data/nlu/*.yml`` as JSON. Returns 0."""
    from bench.data import nlu_source_files
    from bench.evalset import CHAT_SUBSETS, COMPOUND, HOLDOUT

    report = overlap_report(nlu_source_files(), {"holdout": HOLDOUT, **CHAT_SUBSETS}, COMPOUND)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
