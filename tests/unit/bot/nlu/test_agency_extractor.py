"""bot.nlu.agency_extractor: names inside other names are not addressees; chat typing keeps raw offsets."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.domain.organisations import load_former_names
from bot.nlu.agency_extractor import AgencyEntityExtractor
from bot.settings import DATA_DIR


@pytest.fixture(scope="module")
def extractor(agency_directory):
    former = load_former_names(DATA_DIR / "former_names.yml", [a.code for a in agency_directory.agencies])
    return AgencyEntityExtractor(AgencyEntityExtractor.get_default_config(), None, None, agency_directory, former)


@pytest.mark.parametrize("text, codes", [
    ("Bộ Y tế và UBND tỉnh Nam Định đã nộp báo cáo quý 1 chưa?", ["BYT", "NAMDINH"]),
    ("Sở Y tế Nghệ An đã gửi báo cáo quý 2 chưa?", ["NGHEAN"]),       # the province it reports through
    ("tỉnh Hà Nam Ninh nay thuộc đâu", []),                            # a former province, not Hà Nam
    ("tỉnh Quảng Nam - Đà Nẵng nộp chưa", []),
    ("huyện Quảng Ninh nộp báo cáo chưa", []),                         # a district named like a province
    ("Công ty Điện lực Hà Nội đã nộp chưa", []),                       # part of a company's name
])
def test_process_keeps_only_addressees_named_in_their_own_right(extractor, text, codes):
    message = Message(data={"text": text})
    extractor.process([message])
    assert [e["agency_code"] for e in message.get("entities", [])] == codes



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
