"""bot.nlu.agency_extractor: names inside other names are not addressees."""
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
