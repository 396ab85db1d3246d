"""Training the pipelines the benchmark compares, timed.

- :func:`train_ours`: diacritic-free copies (``bot.nlu.augment``) plus a full
  ``rasa train`` (NLU and dialogue) of our configuration.
- :func:`train_nlu_only`: ``rasa train nlu`` of any configuration (the
  whitespace baseline, the cross-validation folds).
- :func:`tfidf_logreg`: the scikit-learn baseline (intents only), trained and
  scored on the held-out set in this process.

Rasa runs in subprocesses (:func:`bench.procs.run_timed`), so its wall time
and the peak RSS of its process tree are measured, and TensorFlow stays out of
the benchmark driver.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Dict, Mapping, Optional

from bench.data import REPORTED, SUBSETS, plain_examples
from bench.evalset import VARIANTS, fallback_threshold, is_confident_wrong, load_compound
from bench.procs import BIN, MB, ROOT, run_timed


def train_ours(work: Path, nlu: Path, config: Path, env: Dict[str, str]) -> Dict:
    """Augment ``nlu/src`` into ``nlu/generated/no_diacritics.yml``, then
    ``rasa train --force`` on ``nlu`` plus ``data/rules`` and ``data/stories``
    into ``work/models/ours.tar.gz``. Logs go to ``work/logs/``.

    Returns ``wall_s``, ``augment_wall_s``, ``rasa_train_wall_s`` (s),
    ``peak_rss_mb`` (MB, the larger of the two steps), ``model_mb`` (MB),
    ``model`` (path, str) and ``misaligned_entity_warnings`` (count in the log).

    Raises:
        RuntimeError: a step exited non-zero (see :func:`bench.procs.run_timed`).
    """
    augment = run_timed([BIN / "python", "-m", "bot.nlu.augment", "train", nlu / "src",
                         nlu / "generated" / "no_diacritics.yml"], work / "logs" / "augment.log", env)
    train = run_timed([BIN / "rasa", "train", "--force", "--config", config, "--domain", ROOT / "domain.yml",
                       "--data", nlu, ROOT / "data" / "rules", ROOT / "data" / "stories",
                       "--out", work / "models", "--fixed-model-name", "ours"],
                      work / "logs" / "train_ours.log", env)
    model = work / "models" / "ours.tar.gz"
    return {
        "wall_s": round(augment.wall_s + train.wall_s, 2),
        "augment_wall_s": augment.wall_s,
        "rasa_train_wall_s": train.wall_s,
        "peak_rss_mb": max(augment.peak_rss_mb, train.peak_rss_mb),
        "model_mb": round(model.stat().st_size / MB, 2),
        "model": str(model),
        "misaligned_entity_warnings": train.log.read_text(errors="replace").count("Misaligned entity annotation"),
    }


def train_nlu_only(name: str, work: Path, nlu: Path, config: Path, env: Dict[str, str]) -> Dict:
    """``rasa train nlu`` of ``config`` on ``nlu`` (file or folder) into
    ``work/models/<name>.tar.gz``; log ``work/logs/train_<name>.log``.

    Returns ``wall_s`` (s), ``peak_rss_mb`` (MB), ``model_mb`` (MB), ``model``
    (path, str) and ``scope`` ("NLU only").

    Raises:
        RuntimeError: training exited non-zero.
    """
    out = work / "models"
    train = run_timed([BIN / "rasa", "train", "nlu", "--config", config, "--nlu", nlu,
                       "--out", out, "--fixed-model-name", name], work / "logs" / f"train_{name}.log", env)
    model = out / f"{name}.tar.gz"
    return {"wall_s": train.wall_s, "peak_rss_mb": train.peak_rss_mb,
            "model_mb": round(model.stat().st_size / MB, 2), "model": str(model), "scope": "NLU only"}


def tfidf_logreg(nlu: Path, holdout: Path, chat_sets: Optional[Mapping[str, Path]] = None,
                 compound: Optional[Path] = None, threshold: Optional[float] = None) -> Dict:
    """scikit-learn baseline, intents only: TF-IDF word 1-2-grams and char_wb
    2-5-grams, logistic regression, trained on every example under ``nlu``
    (hand-written and generated) and scored on ``holdout`` in each of
    :data:`bench.data.SUBSETS` and NFD, on each file of ``chat_sets``
    (``{subset: path}``, as written) and on the ``compound`` file (a message is
    recognised when its only part is the predicted intent: one intent per
    message, agencies not scored).

    A prediction whose probability is at or above ``threshold`` (default: the
    FallbackClassifier threshold of ``config.yml``) is an answer; a wrong one
    on an out-of-scope or not-in-source example is a confident wrong answer
    (:func:`bench.evalset.is_confident_wrong`).

    Returns ``train_wall_s`` (s), ``training_examples`` and ``by_subset``:
    ``{subset: {examples, intent_accuracy, intent_macro_f1, confident_wrong
    (list; not for compound)}}``.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from bench.evalset import intent_scores

    texts, labels = plain_examples(nlu)
    started = time.perf_counter()
    model = make_pipeline(
        make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        LogisticRegression(C=20, max_iter=3000),
    )
    model.fit(texts, labels)
    train_s = time.perf_counter() - started
    if threshold is None:
        threshold = fallback_threshold()

    def scored(texts_: list, labels_: list) -> Dict:
        probabilities = model.predict_proba(texts_)
        predicted = [str(model.classes_[row.argmax()]) for row in probabilities]
        wrong = [{"text": t, "gold": g, "predicted": p, "confidence": round(float(row.max()), 4)}
                 for t, g, p, row in zip(texts_, labels_, predicted, probabilities, strict=True)
                 if is_confident_wrong(g, p, float(row.max()), threshold)]
        return {"examples": len(texts_), **intent_scores(labels_, predicted), "confident_wrong": wrong}

    test_texts, test_labels = plain_examples(holdout)
    by_subset = {}
    for name in SUBSETS + ["nfd"]:
        by_subset[name] = scored([VARIANTS[name](t) for t in test_texts], test_labels)
    for name, path in (chat_sets or {}).items():
        by_subset[name] = scored(*plain_examples(path))
    if compound is not None:
        cases = load_compound(compound)
        predicted = model.predict([c["text"] for c in cases])
        share = round(sum(set(c["parts"]) <= {p} for c, p in zip(cases, predicted, strict=True)) / max(1, len(cases)), 4)
        by_subset["compound"] = {"examples": len(cases), "intent_macro_f1": share, "intent_accuracy": share}
    return {"train_wall_s": round(train_s, 2), "training_examples": len(texts), "by_subset": by_subset}


def tfidf_summary(tfidf: Dict) -> Dict:
    """The ``nlu.tfidf_logreg`` entry of results.json from :func:`tfidf_logreg`'s
    output: as :func:`bench.nlu_eval.nlu_summary` without the entity figures."""
    by = tfidf["by_subset"]
    subsets = [s for s in REPORTED if s in by]
    wrong = {s: by[s]["confident_wrong"] for s in subsets if "confident_wrong" in by[s]}
    return {
        "intent_macro_f1": {s: by[s]["intent_macro_f1"] for s in subsets},
        "intent_accuracy": {s: by[s]["intent_accuracy"] for s in subsets},
        "intent_macro_f1_nfd": by["nfd"]["intent_macro_f1"],
        "confident_wrong": {s: len(w) for s, w in wrong.items()},
        "confident_wrong_total": sum(len(w) for w in wrong.values()),
        "confident_wrong_sample": [w for ws in wrong.values() for w in ws][:10],
        "examples_by_subset": {s: by[s]["examples"] for s in subsets},
        "examples": by["diacritics"]["examples"],
        "train_wall_s": tfidf["train_wall_s"],
    }
