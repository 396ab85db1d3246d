"""Rasa's ``LogisticRegressionClassifier`` with its regularisation strength exposed.

Rasa 3.6 fixes scikit-learn's ``C`` at 1.0 (strong regularisation for our
~2,000 sparse word and character n-gram features), which spreads probability
over the ~50 intents: correct answers land under the fallback threshold and the
confidence says little. ``C`` (float > 0, scikit-learn's inverse regularisation
strength) is the only addition; everything else, training, prediction and
persistence included, is Rasa's own. Measured on the held-out set in
bench/NOTES.md ("Intent classifier settings").
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier


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
