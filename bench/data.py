"""The benchmark's inputs: training data, held-out set and pipeline configurations.

Everything is written into the run's work folder; ``data/``, ``config.yml``
and ``tests/data/`` are only read.

- :func:`prepare_training_data`: the hand-written examples of ``data/nlu/*.yml``
  (all, or the first few per intent in smoke mode) in ``<work>/nlu/src``.
- :func:`prepare_holdout`: ``tests/data/nlu_holdout.yml`` (or its smoke subset).
- :func:`prepare_chat_sets`: the chat subsets and compound messages of issue 11
  (or their smoke subsets).
- :func:`pipeline_configs`: our ``config.yml`` and the stock whitespace baseline.
- :func:`plain_examples`: texts without annotations, and their intents (for
  the scikit-learn baseline).
"""
from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from bench.evalset import CHAT_SUBSETS, COMPOUND, HOLDOUT
from bot.nlu.augment import read_intents, write_intents
from bot.settings import PROJECT_ROOT

# Held-out subsets every pipeline is compared on (bench.evalset.VARIANTS adds
# "nfd", which is reported apart: it changes character positions).
SUBSETS = ["diacritics", "no_diacritics", "caps"]
# Subsets of issue 11, each its own file, scored as written: Telex/VNI residue,
# chat abbreviations (bench.evalset.CHAT_SUBSETS), compound messages
# (bench.evalset.COMPOUND; its "intent_macro_f1" is the share of messages whose
# every part is recognised).
CHAT_SETS = ["telex_vni", "chat_abbrev"]
NEW_SUBSETS = CHAT_SETS + ["compound"]
REPORTED = SUBSETS + NEW_SUBSETS
# compound messages kept in smoke mode
SMOKE_COMPOUND = 6

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def nlu_source_files() -> List[Path]:
    """The hand-written training files ``data/nlu/*.yml``, sorted (not the generated copies)."""
    return sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml"))


def prepare_training_data(work: Path, per_intent: Optional[int]) -> Path:
    """Copy the hand-written training examples into ``work/nlu/src`` (only the
    first ``per_intent`` of each intent when given: smoke mode).

    Returns ``work/nlu``, the folder to train on. The diacritic-free copies
    (``work/nlu/generated``) are made later, as part of our pipeline's timed
    training (:func:`bench.train.train_ours`).
    """
    src = work / "nlu" / "src"
    src.mkdir(parents=True, exist_ok=True)
    if per_intent is None:
        for path in nlu_source_files():
            shutil.copy(path, src / path.name)
    else:
        intents = {i: ex[:per_intent] for i, ex in read_intents(nlu_source_files()).items()}
        write_intents(intents, src / "nlu.yml", f"bench smoke subset: {per_intent} examples per intent")
    return work / "nlu"


def prepare_holdout(work: Path, per_intent: Optional[int]) -> Path:
    """The held-out file to score on: :data:`bench.evalset.HOLDOUT` itself, or
    (``per_intent`` given) its first ``per_intent`` examples of each intent
    written to ``work/holdout.yml``."""
    if per_intent is None:
        return HOLDOUT
    intents = {i: ex[:per_intent] for i, ex in read_intents([HOLDOUT]).items()}
    out = work / "holdout.yml"
    write_intents(intents, out, f"bench smoke subset of {HOLDOUT.name}")
    return out


def prepare_chat_sets(work: Path, per_intent: Optional[int]) -> Tuple[Dict[str, Path], Path]:
    """The files of :data:`CHAT_SETS` and the compound file to score on:
    ``({name: path}, compound path)``. The committed files themselves, or
    (``per_intent`` given: smoke mode) their first ``per_intent`` examples per
    intent and first :data:`SMOKE_COMPOUND` compound cases, written under ``work``."""
    if per_intent is None:
        return dict(CHAT_SUBSETS), COMPOUND
    chat = {}
    for name, path in CHAT_SUBSETS.items():
        intents = {i: ex[:per_intent] for i, ex in read_intents([path]).items()}
        chat[name] = work / f"holdout_{name}.yml"
        write_intents(intents, chat[name], f"bench smoke subset of {path.name}")
    compound = yaml.safe_load(COMPOUND.read_text(encoding="utf-8"))
    compound["cases"] = compound["cases"][:SMOKE_COMPOUND]
    out = work / "compound.yml"
    out.write_text(yaml.safe_dump(compound, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return chat, out


def pipeline_configs(work: Path, epochs: Optional[int]) -> Dict[str, Path]:
    """Write ``work/config_ours.yml`` and ``work/config_whitespace_baseline.yml``.

    ``ours`` is ``config.yml`` (with DIETClassifier's ``epochs`` replaced when
    ``epochs`` is given). The baseline keeps only stock Rasa components: our
    tokenizer becomes ``WhitespaceTokenizer``, the same featurizers and
    FallbackClassifier settings, Rasa's own ``LogisticRegressionClassifier``
    (:func:`stock_component`), no gazetteer or other component of ours.

    Returns ``{"ours": path, "whitespace_baseline": path}``.
    """
    ours = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    if epochs is not None:
        for component in ours["pipeline"]:
            if component["name"] == "DIETClassifier":
                component["epochs"] = epochs
    baseline = copy.deepcopy(ours)
    baseline["pipeline"] = [stock_component(c) for c in ours["pipeline"]
                            if c["name"].endswith(("Tokenizer", "LogisticRegressionClassifier"))
                            or "." not in c["name"]]
    out = {}
    for name, config in (("ours", ours), ("whitespace_baseline", baseline)):
        path = work / f"config_{name}.yml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        out[name] = path
    return out


def stock_component(component: Dict) -> Dict:
    """The stock Rasa stand-in for one ``config.yml`` component: our tokenizer
    becomes ``WhitespaceTokenizer``; our subclass of Rasa's
    ``LogisticRegressionClassifier`` becomes Rasa's own, without the settings
    Rasa's does not have (``C``); a stock component is returned as it is."""
    name = component["name"]
    if "." not in name:
        return component
    if name.endswith("Tokenizer"):
        return {"name": "WhitespaceTokenizer"}
    stock = {k: v for k, v in component.items() if k != "C"}
    stock["name"] = "LogisticRegressionClassifier"
    return stock


def pipelines_of(configs: Dict[str, Path]) -> Dict[str, List[Dict]]:
    """``{name: pipeline}``: the ``pipeline`` list of each configuration file (recorded in results.json)."""
    return {name: yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"] for name, path in configs.items()}


def plain_examples(source: Path) -> Tuple[List[str], List[str]]:
    """``(texts, intents)`` of every intent example in ``source`` (a YAML file,
    or a folder searched recursively for ``*.yml``), with entity annotations
    ``[text](entity)`` / ``[text]{...}`` reduced to their text."""
    files: Iterable[Path] = [source] if source.is_file() else sorted(source.rglob("*.yml"))
    texts, labels = [], []
    for intent, examples in read_intents(files).items():
        for example in examples:
            texts.append(_ANNOTATION.sub(r"\1", example))
            labels.append(intent)
    return texts, labels
