"""bot.domain.organisations: organisations that are not addressees, former provinces."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from bot.domain.organisations import load_former_names, question_subject, read_names, starts_with_organisation
from bot.settings import DATA_DIR


@pytest.fixture(scope="module")
def former(agency_directory):
    return load_former_names(DATA_DIR / "former_names.yml", [a.code for a in agency_directory.agencies])


def _read(directory, former, text):
    return read_names(text, directory.find_mentions(text), former)


@pytest.mark.parametrize("text, surface, kind", [
    ("Công ty FPT đã nộp báo cáo chưa?", "Công ty FPT", "company"),
    ("Tập đoàn Viettel nộp bc chưa", "Tập đoàn Viettel", "company"),
    ("tổng công ty Đường sắt đã gửi kế hoạch chưa", "tổng công ty Đường sắt", "company"),
    ("ngân hàng Vietcombank nộp chưa", "ngân hàng Vietcombank", "bank"),
    ("Trường Đại học Bách khoa đã nộp kế hoạch chưa", "Trường Đại học Bách khoa", "school"),
    ("bệnh viện Bạch Mai nộp báo cáo quý 1 chưa", "bệnh viện Bạch Mai", "hospital"),
    ("UBND huyện Đông Anh đã nộp báo cáo chưa", "UBND huyện Đông Anh", "district"),
    ("quận Ba Đình nộp báo cáo quý 3 chưa", "quận Ba Đình", "district"),
    ("thị xã Sơn Tây đã gửi báo cáo quý 2 chưa", "thị xã Sơn Tây", "district"),
    ("UBND xã Tân Lập đã gửi kế hoạch chưa", "UBND xã Tân Lập", "commune"),
    ("Ủy ban nhân dân phường Bến Nghé nộp chưa", "Ủy ban nhân dân phường Bến Nghé", "commune"),
    ("Cục Thuế tỉnh Nghệ An nộp chưa", "Cục Thuế tỉnh Nghệ An", "central_unit"),
    ("ubnd huyen Dong Anh nop bc chua", "ubnd huyen Dong Anh", "district"),
])
def test_organisations_are_found_by_their_kind_word(agency_directory, former, text, surface, kind):
    reading = _read(agency_directory, former, text)
    assert [(o.surface, o.kind, o.parent) for o in reading.organisations] == [(surface, kind, None)]
    assert reading.codes == []  # "Nghệ An" inside "Cục Thuế tỉnh Nghệ An" is part of its name
    assert text[reading.organisations[0].start:reading.organisations[0].end] == surface


@pytest.mark.parametrize("text, surface, kind, parent", [
    ("Sở Y tế Nghệ An đã gửi báo cáo quý 2 chưa?", "Sở Y tế", "department", "NGHEAN"),
    ("sở y te nghe an nop bc chua", "sở y te", "department", "NGHEAN"),
    ("Sở Tài chính Hà Nội nộp kế hoạch chưa", "Sở Tài chính", "department", "HANOI"),
    ("UBND huyện Gia Lâm, Hà Nội đã nộp chưa", "UBND huyện Gia Lâm", "district", "HANOI"),
    ("quận 1 TP.HCM nộp chưa", "quận 1", "district", "HOCHIMINH"),
    ("Sở TT&TT Cần Thơ đã nộp chưa", "Sở TT&TT", "department", "CANTHO"),
    ("Cục Tin học hóa Bộ TT&TT nộp chưa", "Cục Tin học hóa", "central_unit", "BTTTT"),
])
def test_a_unit_followed_by_its_addressee_has_it_as_parent(agency_directory, former, text, surface, kind, parent):
    reading = _read(agency_directory, former, text)
    assert [(o.surface, o.kind, o.parent.code) for o in reading.organisations] == [(surface, kind, parent)]
    assert reading.codes == [parent]  # and the parent is answered for


def test_a_district_named_like_a_province_is_not_the_province(agency_directory, former):
    reading = _read(agency_directory, former, "huyện Quảng Ninh nộp chưa")
    assert reading.codes == [] and reading.organisations[0].surface == "huyện Quảng Ninh"


@pytest.mark.parametrize("text, codes", [
    ("Bộ Y tế và UBND tỉnh Nam Định đã nộp báo cáo quý 1 chưa?", ["BYT", "NAMDINH"]),
    ("Bộ Lao động - Thương binh và Xã hội nộp chưa", ["BLDTBXH"]),
    ("Thông tấn xã Việt Nam đã nộp chưa", ["TTXVN"]),
    ("Ngân hàng Nhà nước đã nộp chưa", ["NHNN"]),
    ("trường hợp Bộ Y tế chưa nộp thì sao", ["BYT"]),
    ("cơ sở y tế của Bộ Y tế", ["BYT"]),
    ("co quan Bo Y te da nop chua", ["BYT"]),
    ("địa phương nào chưa nộp, mạng xã hội có nói không", []),
    ("Quảng Nam, Đà Nẵng đã nộp chưa", ["QUANGNAM", "DANANG"]),
])
def test_ordinary_words_are_not_organisations(agency_directory, former, text, codes):
    reading = _read(agency_directory, former, text)
    assert reading.organisations == () and reading.former == ()
    assert reading.codes == codes


@pytest.mark.parametrize("text, name, successors", [
    ("Hà Tây bây giờ thuộc đâu", "Hà Tây", ("HANOI",)),
    ("ha tay nay thuoc dau", "Hà Tây", ("HANOI",)),
    ("tỉnh Hà Nam Ninh nộp chưa", "Hà Nam Ninh", ("NAMDINH", "HANAM", "NINHBINH")),
    ("tỉnh Quảng Nam - Đà Nẵng", "Quảng Nam - Đà Nẵng", ("QUANGNAM", "DANANG")),
    ("tỉnh Cửu Long nay là tỉnh nào", "Cửu Long", ("VINHLONG", "TRAVINH")),
    ("tỉnh Sông Bé đã nộp chưa", "Sông Bé", ("BINHDUONG", "BINHPHUOC")),
])
def test_former_provinces_hide_the_addressees_inside_their_names(agency_directory, former, text, name, successors):
    reading = _read(agency_directory, former, text)
    assert [(f.former.name, f.former.successors) for f in reading.former] == [(name, successors)]
    assert reading.codes == []  # not "did you mean Hà Nam?"


@pytest.mark.parametrize("text", ["các tỉnh đồng bằng sông Cửu Long", "Cửu Long", "anh Minh Hải hỏi"])
def test_former_names_that_are_ordinary_words_need_tinh(agency_directory, former, text):
    assert _read(agency_directory, former, text).former == ()


def test_spans_index_the_raw_message_in_nfd(agency_directory, former):
    text = unicodedata.normalize("NFD", "Sở Y tế Nghệ An và tỉnh Hà Tây đã nộp chưa")
    reading = _read(agency_directory, former, text)
    org, old = reading.organisations[0], reading.former[0]
    assert text[org.start:org.end] == org.surface and unicodedata.normalize("NFC", org.surface) == "Sở Y tế"
    assert unicodedata.normalize("NFC", text[old.start:old.end]) == "tỉnh Hà Tây"


def test_former_names_file_has_acts_and_known_successors(former):
    by_name = {f.name: f for f in former}
    assert by_name["Hà Tây"].change == "merge" and by_name["Hà Tây"].effective == date(2008, 8, 1)
    assert "15/2008/QH12" in by_name["Hà Tây"].act
    assert all(f.act and f.successors for f in former)


def test_unknown_successor_is_rejected(tmp_path):
    path = tmp_path / "former_names.yml"
    path.write_text("former_names:\n  - {name: X, successors: [NOPE], change: merge, act: A}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="former name #1"):
        load_former_names(path, ["HANOI"])


@pytest.mark.parametrize("text, subject", [
    ("VNPT đã nộp báo cáo chưa?", "VNPT"),
    ("EVN gửi kế hoạch chưa vậy", "EVN"),
    ("Viettel nop bc chua", "Viettel"),
    ("đơn vị tôi đã nộp chưa", None),
    ("Cho hỏi đã nộp chưa", None),
    ("Hôm nay ai đã nộp", None),
    ("Đã nộp chưa", None),
])
def test_question_subject(text, subject):
    assert question_subject(text) == subject


@pytest.mark.parametrize("text, expected", [
    ("Bộ Tài chính", True), ("Công ty FPT", True), ("tp hcm", True), ("cong ty fpt", True),
    ("huyện Gia Lâm", True), ("doanh nghiệp", False), ("chữ ký số", False), ("xã hội số", False), ("an ninh mạng", False),
])
def test_starts_with_organisation(text, expected):
    assert starts_with_organisation(text) is expected
