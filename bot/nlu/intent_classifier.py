"""Rasa's ``LogisticRegressionClassifier`` with its regularisation strength exposed.

Rasa 3.6 fixes scikit-learn's ``C`` at 1.0 (strong regularisation for our
~2,000 sparse word and character n-gram features), which spreads probability
over the ~50 intents: correct answers land under the fallback threshold and the
confidence says little. ``C`` (float > 0, scikit-learn's inverse regularisation
strength) is the only addition; everything else, training, prediction and
persistence included, is Rasa's own. Measured on the held-out set in
bench/NOTES.md ("Intent classifier settings").

Prediction computes scikit-learn's multinomial probabilities itself,
``softmax(X @ coef_.T + intercept_)`` with the transposed weights stored
contiguous once: scikit-learn's ``predict_proba`` re-validates the input and
multiplies by a transposed view, which scipy copies (42 intents × 10,000
features) on every message -- 0.47 ms against 0.03 ms, ≈ 5 % of the Rasa
server's CPU (issue 12). The probabilities are the same numbers.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TunedLogisticRegressionClassifier(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` plus the setting ``C`` (default 1.0, Rasa's value)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's defaults plus ``C``."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def probabilities(self, X: Any) -> np.ndarray:
        """``self.clf.predict_proba(X)`` (rows: messages, columns: ``clf.classes_``),
        computed directly when the model is multinomial (Rasa's lbfgs solver
        with more than two intents); otherwise scikit-learn's own."""
        from sklearn.utils.extmath import softmax

        clf = self.clf
        multinomial = clf.multi_class == "multinomial" or (
            clf.multi_class == "auto" and clf.classes_.size > 2 and clf.solver != "liblinear")
        if not multinomial:
            return clf.predict_proba(X)
        weights = self._weights()
        return softmax(np.asarray(X @ weights[0]) + weights[1], copy=False)

    def _weights(self) -> tuple:
        """The fitted weights, transposed and contiguous, and the intercepts; kept
        until the classifier is fitted again (a new ``coef_`` array)."""
        if getattr(self, "_weights_of", None) is not self.clf.coef_:
            self._weights_of = self.clf.coef_
            self._transposed = (np.ascontiguousarray(self.clf.coef_.T), self.clf.intercept_)
        return self._transposed

    def process(self, messages: List[Message]) -> List[Message]:
        """Rasa's ``process``: sets ``intent`` and ``intent_ranking`` (the first
        ``ranking_length``, highest confidence first) on each message, with the
        probabilities of :meth:`probabilities`."""
        probas = self.probabilities(self._create_X(messages))
        intents = self.clf.classes_
        for idx, message in enumerate(messages):
            ranking = sorted(({"name": k, "confidence": v} for k, v in zip(intents, probas[idx], strict=True)),
                             key=lambda e: -e["confidence"])
            intent = ranking[0]
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent", intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
