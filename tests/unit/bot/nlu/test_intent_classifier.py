"""bot.nlu.intent_classifier: Rasa's logistic regression with ``C`` set from config.yml.

Real Rasa parts: whitespace tokens, Rasa's CountVectorsFeaturizer, a model
storage on disk; the classifier is trained, persisted and loaded again.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import TunedLogisticRegressionClassifier

EXAMPLES = {
    "greet": ["xin chào", "chào bạn", "chào ad", "xin chào bot"],
    "goodbye": ["tạm biệt", "tạm biệt bạn", "hẹn gặp lại", "chào nhé tôi đi"],
    "ask_deadline": ["hạn nộp báo cáo", "hạn báo cáo quý 3", "bao giờ hết hạn nộp", "hạn nộp kế hoạch"],
}


def featurised(tmp_path: Path, texts: Dict[str, List[str]]):
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    context = ExecutionContext(graph_schema=None, model_id="m", node_name="cvf")  # type: ignore[arg-type]
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message(data={"text": t, "intent": i}) for i, ts in texts.items() for t in ts]
    data = TrainingData(messages)
    tokenizer.process_training_data(data)
    featurizer = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config()}, storage,
                                               Resource("cvf"), context)
    featurizer.train(data)
    featurizer.process_training_data(data)

    def featurise(text: str) -> Message:
        message = Message(data={"text": text})
        tokenizer.process([message])
        featurizer.process([message])
        return message

    return storage, data, featurise


def trained(storage, data, C: float, name: str) -> TunedLogisticRegressionClassifier:
    context = ExecutionContext(graph_schema=None, model_id="m", node_name=name)  # type: ignore[arg-type]
    config = {**TunedLogisticRegressionClassifier.get_default_config(), "C": C, "random_state": 797}
    classifier = TunedLogisticRegressionClassifier.create(config, storage, Resource(name), context)
    classifier.train(data)
    return classifier


def test_default_c_is_rasas_value() -> None:
    assert TunedLogisticRegressionClassifier.get_default_config()["C"] == 1.0


def test_c_reaches_scikit_learn_and_sharpens_confidence(tmp_path: Path) -> None:
    storage, data, featurise = featurised(tmp_path, EXAMPLES)
    soft, sharp = trained(storage, data, 0.1, "soft"), trained(storage, data, 10.0, "sharp")
    assert soft.clf.C == 0.1 and sharp.clf.C == 10.0
    confidences = []
    for classifier in (soft, sharp):
        message = featurise("hạn nộp báo cáo quý 3")
        classifier.process([message])
        assert message.get("intent")["name"] == "ask_deadline"
        confidences.append(message.get("intent")["confidence"])
    assert confidences[0] < confidences[1]


def test_persisted_model_loads_with_the_same_predictions(tmp_path: Path) -> None:
    storage, data, featurise = featurised(tmp_path, EXAMPLES)
    classifier = trained(storage, data, 3.0, "clf")
    context = ExecutionContext(graph_schema=None, model_id="m", node_name="clf")  # type: ignore[arg-type]
    loaded = TunedLogisticRegressionClassifier.load(classifier.config, storage, Resource("clf"), context)
    for text in ("chào bạn nhé", "tạm biệt nhé", "hạn nộp báo cáo quý 2"):
        a, b = featurise(text), featurise(text)
        classifier.process([a])
        loaded.process([b])
        assert a.get("intent") == b.get("intent")
    assert loaded.clf.C == pytest.approx(3.0)


def test_probabilities_and_rankings_are_scikit_learns(tmp_path: Path) -> None:
    """The direct softmax gives scikit-learn's probabilities, and the messages get
    the intent and ranking Rasa's own ``process`` gives them."""
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    examples = {**EXAMPLES, "thanks": ["cảm ơn", "cảm ơn bạn", "cám ơn nhiều", "thank you"]}
    storage, data, featurise = featurised(tmp_path, examples)
    classifier = trained(storage, data, 3.0, "clf")
    texts = ["chào bạn nhé", "tạm biệt nhé", "hạn nộp báo cáo quý 2", "cảm ơn ad", "xyz"]
    X = classifier._create_X([featurise(t) for t in texts])
    assert np.allclose(classifier.probabilities(X), classifier.clf.predict_proba(X), rtol=0, atol=1e-12)
    for text in texts:
        ours, rasas = featurise(text), featurise(text)
        classifier.process([ours])
        LogisticRegressionClassifier.process(classifier, [rasas])
        assert ours.get("intent")["name"] == rasas.get("intent")["name"]
        assert [r["name"] for r in ours.get("intent_ranking")] == [r["name"] for r in rasas.get("intent_ranking")]
        assert np.allclose([r["confidence"] for r in ours.get("intent_ranking")],
                           [r["confidence"] for r in rasas.get("intent_ranking")], rtol=0, atol=1e-12)
