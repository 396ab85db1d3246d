"""The agency gazetteer component on chat typing: raw offsets, ambiguous short forms."""
from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.agency_extractor import AgencyEntityExtractor


def _entities(agency_directory, text):
    extractor = AgencyEntityExtractor(AgencyEntityExtractor.get_default_config(), None, None, agency_directory)
    (message,) = extractor.process([Message(data={"text": text})])
    return message.get("entities", [])


def test_telex_agency_has_its_canonical_name_and_raw_offsets(agency_directory):
    text = "Booj Taif chinhs ddax noopj keesh hoachj chuwa"
    (entity,) = _entities(agency_directory, text)
    assert entity["value"] == "Bộ Tài chính" and entity["agency_code"] == "BTC"
    assert text[entity["start"] : entity["end"]] == "Booj Taif chinhs"


def test_ambiguous_short_form_is_an_entity_without_a_code(agency_directory):
    text = "tỉnh bd nộp kế hoạch chưa"
    (entity,) = _entities(agency_directory, text)
    assert entity["value"] == "tỉnh bd" and "agency_code" not in entity
    assert set(entity["agency_candidates"]) == {"BINHDUONG", "BINHDINH"}
    assert agency_directory.resolve(entity["value"]).status == "ambiguous"
