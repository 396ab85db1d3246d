"""Rasa entity extractor for the addressees of Văn bản 797 (a gazetteer).

The list of agencies and their aliases (``data/agencies.yml``) is copied into
the trained model, so the model is self-contained; its content is part of the
component's fingerprint, so editing the file retrains the component.
Matching is diacritic-, case- and Unicode-form-insensitive and is done by
:class:`bot.domain.agencies.AgencyDirectory` (spaCy ``PhraseMatcher`` on folded text).
"""
from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain.agencies import AgencyDirectory, load_agencies, load_short_forms, load_successions
from bot.domain.organisations import FormerName, load_former_names, read_names
from bot.domain.phrases import agency_phrase
from bot.settings import load_settings

logger = logging.getLogger(__name__)

AGENCIES_FILE = "agencies.yml"
SUCCESSION_FILE = "succession.yml"
FORMER_NAMES_FILE = "former_names.yml"  # provinces gone before 2022 (bot.domain.organisations)


def _data_dir(config: Dict[Text, Any]) -> Path:
    return Path(config.get("data_dir") or load_settings().data_dir)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class AgencyEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds ``agency`` entities whose ``value`` is the canonical agency name.

    Each entity also carries ``agency_code`` (the id in ``data/agencies.yml``);
    an ambiguous short form ("tỉnh bd") carries ``agency_candidates`` instead,
    with the typed words as its value.
    Entities of the same type found by an earlier extractor (DIETClassifier)
    that overlap a gazetteer match are replaced by it; others are kept only if
    they read like an agency (:func:`bot.domain.phrases.agency_phrase`), so an unknown
    name ("tỉnh Xyz") still reaches the actions, which say it is not an
    addressee and suggest the closest ones, while stray words are dropped.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``entity``: type to emit; ``data_dir``: folder of agencies.yml (default: settings)."""
        return {"entity": "agency", "data_dir": None}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """Hash of the agency files, so that editing them retrains this component."""
        digest = hashlib.sha256()
        for name in (AGENCIES_FILE, SUCCESSION_FILE, FORMER_NAMES_FILE):
            path = _data_dir(config) / name
            if path.exists():
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        directory: Optional[AgencyDirectory] = None,
        former_names: Optional[List[FormerName]] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._directory = directory
        self._former_names = former_names or []

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "AgencyEntityExtractor":
        """Creates an untrained extractor (the files are read in :meth:`train`)."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Copies the agency files into the model and builds the matcher."""
        source = _data_dir(self._config)
        with self._model_storage.write_to(self._resource) as folder:
            for name in (AGENCIES_FILE, SUCCESSION_FILE, FORMER_NAMES_FILE):
                if (source / name).exists():
                    shutil.copy2(source / name, Path(folder) / name)
        self._directory = self._directory_from(source)
        self._former_names = self._former_names_from(source, self._directory)
        return self._resource

    @staticmethod
    def _former_names_from(folder: Path, directory: AgencyDirectory) -> List[FormerName]:
        path = folder / FORMER_NAMES_FILE
        return load_former_names(path, [a.code for a in directory.agencies]) if path.exists() else []

    @staticmethod
    def _directory_from(folder: Path) -> AgencyDirectory:
        successions = folder / SUCCESSION_FILE
        directory = AgencyDirectory(
            load_agencies(folder / AGENCIES_FILE),
            load_successions(successions) if successions.exists() else (),
            load_short_forms(folder / AGENCIES_FILE),
        )
        directory.find_mentions("khởi động")  # build the spaCy matcher now
        return directory

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "AgencyEntityExtractor":
        """Loads the agency files stored in the model."""
        with model_storage.read_from(resource) as folder:
            directory = cls._directory_from(Path(folder))
            former_names = cls._former_names_from(Path(folder), directory)
        return cls(config, model_storage, resource, directory, former_names)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to do: training examples keep their annotations."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds agency entities to each message (see class docstring)."""
        for message in messages:
            text = message.get(TEXT)
            if not text or self._directory is None:
                continue
            found = [
                {
                    ENTITY_ATTRIBUTE_TYPE: self._config["entity"],
                    ENTITY_ATTRIBUTE_START: m.start,
                    ENTITY_ATTRIBUTE_END: m.end,
                    ENTITY_ATTRIBUTE_VALUE: m.name,
                    "agency_code": m.code,
                    "confidence_entity": 1.0,
                }
                # names inside another name ("huyện Quảng Ninh", "Hà Nam Ninh") are not addressees
                for m in read_names(text, self._directory.find_mentions(text), self._former_names).addressees
            ]
            # An ambiguous short form ("tỉnh bd"): the raw words, no code, so the
            # action resolves them and asks which agency (listing the candidates).
            found += [
                {
                    ENTITY_ATTRIBUTE_TYPE: self._config["entity"],
                    ENTITY_ATTRIBUTE_START: m.start,
                    ENTITY_ATTRIBUTE_END: m.end,
                    ENTITY_ATTRIBUTE_VALUE: m.surface,
                    "agency_candidates": list(m.codes),
                    "confidence_entity": 1.0,
                }
                for m in self._directory.find_short_forms(text)
            ]
            entities = message.get(ENTITIES, [])
            kept = [e for e in entities if self._keep(e, text, found)]
            if found or len(kept) != len(entities):
                message.set(ENTITIES, kept + self.add_extractor_name(found), add_to_output=True)
        return messages

    def _keep(self, entity: Dict[Text, Any], text: str, found: List[Dict[Text, Any]]) -> bool:
        """Keep another extractor's agency entity only if the gazetteer has no
        better one there and it reads like an agency ("tỉnh Xyz", not "dong")."""
        if entity.get(ENTITY_ATTRIBUTE_TYPE) != self._config["entity"]:
            return True
        if any(_overlaps(entity, f) for f in found):
            return False
        surface = text[entity[ENTITY_ATTRIBUTE_START] : entity[ENTITY_ATTRIBUTE_END]]
        return agency_phrase(surface) is not None


def _overlaps(a: Dict[Text, Any], b: Dict[Text, Any]) -> bool:
    return a[ENTITY_ATTRIBUTE_START] < b[ENTITY_ATTRIBUTE_END] and b[ENTITY_ATTRIBUTE_START] < a[ENTITY_ATTRIBUTE_END]
