"""bot.domain.agencies: loading, mention finding and resolution."""
from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date

import pytest

from bot.domain.agencies import Agency, AgencyDirectory, load_agencies, load_successions
from bot.settings import DATA_DIR


def _codes(directory, text):
    return [m.code for m in directory.find_mentions(text)]


def test_counts():
    agencies = load_agencies(DATA_DIR / "agencies.yml")
    kinds = Counter(a.kind for a in agencies)
    assert len(agencies) == 93
    assert kinds["province"] + kinds["city"] == 63
    assert kinds == {"ministry": 18, "ministerial_agency": 4, "government_agency": 8, "province": 58, "city": 5}
    assert len({a.code for a in agencies}) == 93
    assert all(a.code.isascii() for a in agencies)


def test_successions_reference_known_agencies(agency_directory):
    successions = load_successions(DATA_DIR / "succession.yml")
    local = [s for s in successions if s.effective == date(2025, 7, 1)]
    assert len(local) == 29  # 63 - 29 = 34 provinces
    assert len(agency_directory.successions) == len(successions)


@pytest.mark.parametrize(
    "text, code",
    [
        ("Bộ TT&TT", "BTTTT"),
        ("BTTTT", "BTTTT"),
        ("bộ tttt", "BTTTT"),
        ("Bộ GD&ĐT", "BGDDT"),
        ("bo gd&dt", "BGDDT"),
        ("BGDĐT", "BGDDT"),
        ("Bộ GDĐT", "BGDDT"),
        ("NHNN", "NHNN"),
        ("BHXH", "BHXH"),
        ("VTV", "VTV"),
        ("VOV", "VOV"),
        ("TTXVN", "TTXVN"),
        ("TP.HCM", "HOCHIMINH"),
        ("TP HCM", "HOCHIMINH"),
        ("TPHCM", "HOCHIMINH"),
        ("HCM", "HOCHIMINH"),
        ("Sài Gòn", "HOCHIMINH"),
        ("thanh pho ho chi minh", "HOCHIMINH"),
        ("HN", "HANOI"),
        ("Huế", "THUATHIENHUE"),
        ("BR-VT", "BARIAVUNGTAU"),
        ("Bà Rịa - Vũng Tàu", "BARIAVUNGTAU"),
        ("Bắc Cạn", "BACKAN"),
        ("Đắc Lắc", "DAKLAK"),
        ("Đăk Lăk", "DAKLAK"),
        ("Quảng Ninh", "QUANGNINH"),
        ("Cần Thơ", "CANTHO"),
        ("UBND tỉnh Quảng Ninh", "QUANGNINH"),
        ("Ủy ban nhân dân tỉnh Quảng Ninh", "QUANGNINH"),
        ("Uỷ ban nhân dân tỉnh Quảng Ninh", "QUANGNINH"),
        ("UBND Quảng Ninh", "QUANGNINH"),
        ("TP. Đà Nẵng", "DANANG"),
        ("Sở Thông tin và Truyền thông Cần Thơ", "CANTHO"),
        ("tỉnh Hòa Bình", "HOABINH"),
    ],
)
def test_aliases(agency_directory, text, code):
    assert _codes(agency_directory, text) == [code]


def test_no_diacritics_and_caps(agency_directory):
    assert _codes(agency_directory, "BO THONG TIN VA TRUYEN THONG") == ["BTTTT"]
    assert _codes(agency_directory, "QUẢNG NINH ĐÃ GỬI CHƯA") == ["QUANGNINH"]
    assert _codes(agency_directory, "quang ninh da gui chua") == ["QUANGNINH"]


def test_nfd_offsets_point_into_raw_text(agency_directory):
    raw = unicodedata.normalize("NFD", "Tình hình của Tỉnh Quảng Ninh và Bộ Y tế")
    assert raw != unicodedata.normalize("NFC", raw)
    mentions = agency_directory.find_mentions(raw)
    assert [m.code for m in mentions] == ["QUANGNINH", "BYT"]
    for m in mentions:
        assert raw[m.start:m.end] == m.surface
    assert unicodedata.normalize("NFC", mentions[0].surface) == "Tỉnh Quảng Ninh"
    # the last combining mark of "tế" belongs to the mention
    assert raw[mentions[1].start:mentions[1].end] == raw[raw.index("B"):]
    assert unicodedata.normalize("NFC", mentions[1].surface) == "Bộ Y tế"


def test_so_tttt_can_tho(agency_directory):
    text = "Sở TT&TT Cần Thơ đã nộp kế hoạch chưa?"
    (m,) = agency_directory.find_mentions(text)
    assert (m.code, m.surface, m.start) == ("CANTHO", "Sở TT&TT Cần Thơ", 0)


def test_ubnd_tp_hcm(agency_directory):
    text = "UBND TP.HCM"
    (m,) = agency_directory.find_mentions(text)
    assert m.code == "HOCHIMINH" and m.surface == text and (m.start, m.end) == (0, len(text))


def test_runs_of_spaces(agency_directory):
    text = "hỏi về Bộ  Y   tế nhé"
    (m,) = agency_directory.find_mentions(text)
    assert m.code == "BYT"
    assert m.surface == "Bộ  Y   tế"
    assert text[m.start:m.end] == m.surface


def test_lowercase_no_diacritics_in_sentence(agency_directory):
    text = "tình hình báo cáo của ha noi"
    (m,) = agency_directory.find_mentions(text)
    assert m.code == "HANOI" and m.surface == "ha noi" and m.end == len(text)


def test_punctuation_around_names(agency_directory):
    assert _codes(agency_directory, "(Hà Nội), Quảng Ninh.") == ["HANOI", "QUANGNINH"]


def test_lang_agency_vs_city(agency_directory):
    full = "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh đã gửi báo cáo"
    (m,) = agency_directory.find_mentions(full)
    assert m.code == "BQLLANG"
    assert m.surface == "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh"
    # The person's name alone is not the city.
    assert _codes(agency_directory, "theo tư tưởng Chủ tịch Hồ Chí Minh") == []
    assert _codes(agency_directory, "Thành phố Hồ Chí Minh") == ["HOCHIMINH"]


def test_ordinary_word_is_not_a_province(agency_directory):
    assert _codes(agency_directory, "chúng ta yêu hòa bình") == []
    assert _codes(agency_directory, "UBND tỉnh Hòa Bình") == ["HOABINH"]


def test_longest_match_wins(agency_directory):
    assert _codes(agency_directory, "Bộ Nông nghiệp và Phát triển nông thôn") == ["BNNPTNT"]
    # A post-2022 body is not read as its predecessor.
    assert _codes(agency_directory, "Bộ Nông nghiệp và Môi trường") == []


def test_resolve_found(agency_directory):
    r = agency_directory.resolve("bo gd&dt")
    assert r.status == "found" and r.agency.code == "BGDDT" and r.succession is None
    assert agency_directory.resolve("Hòa Bình").agency.code == "HOABINH"
    assert agency_directory.resolve("  QUẢNG   NINH ").agency.code == "QUANGNINH"


@pytest.mark.parametrize("query", ["Quảng", "Bình", "quang"])
def test_resolve_ambiguous(agency_directory, query):
    r = agency_directory.resolve(query)
    assert r.status == "ambiguous"
    codes = {a.code for a in r.candidates}
    assert len(codes) >= 2
    if query == "Quảng":
        assert codes == {"QUANGNINH", "QUANGBINH", "QUANGTRI", "QUANGNAM", "QUANGNGAI"}


def test_resolve_unknown(agency_directory):
    r = agency_directory.resolve("Xyz")
    assert r.status == "unknown" and r.suggestions == () and r.agency is None
    assert agency_directory.resolve("").status == "unknown"


@pytest.mark.parametrize("typo, code", [("Quang Nihn", "QUANGNINH"), ("ha noj", "HANOI"), ("Bộ Y tê'", "BYT")])
def test_resolve_suggestions(agency_directory, typo, code):
    r = agency_directory.resolve(typo)
    if r.status == "found":  # some typos are still exact after folding
        assert r.agency.code == code
    else:
        assert r.status == "unknown"
        assert r.suggestions and r.suggestions[0].code == code
        assert len(r.suggestions) <= 3


def test_succession_ha_giang(agency_directory):
    r = agency_directory.resolve("Hà Giang")
    assert r.status == "found" and r.agency.code == "HAGIANG"
    assert r.succession.successor_code == "TUYENQUANG"
    assert r.succession.successor_name == "Tỉnh Tuyên Quang"
    assert r.succession.effective == date(2025, 7, 1)


def test_succession_bo_tttt(agency_directory):
    r = agency_directory.resolve("Bộ TT&TT")
    assert r.agency.code == "BTTTT"
    assert r.succession.successor_code == "BKHCN"
    assert r.succession.effective == date(2025, 3, 1)
    absorbed = agency_directory.resolve("Bộ Khoa học và Công nghệ").took_over
    assert [s.predecessor for s in absorbed] == ["BTTTT"]


def test_successor_only_body(agency_directory):
    r = agency_directory.resolve("Bộ Nông nghiệp và Môi trường")
    assert r.status == "unknown"
    assert {s.predecessor for s in r.successor_of} == {"BTNMT", "BNNPTNT"}
    assert "2022" in r.note and "Bộ Tài nguyên và Môi trường" in r.note
    r = agency_directory.resolve("bo dan toc va ton giao")
    assert [s.predecessor for s in r.successor_of] == ["UBDT"]


def test_hue_rename(agency_directory):
    r = agency_directory.resolve("Thành phố Huế")
    assert r.agency.code == "THUATHIENHUE" and r.succession.kind == "rename"


def test_duplicate_alias_rejected():
    with pytest.raises(ValueError):
        AgencyDirectory([Agency("A", "Bộ A", "ministry", ("X",)), Agency("B", "Bộ B", "ministry", ("x",))])


# ------------------------------------------------ chat typing (issue 11)
@pytest.mark.parametrize(
    ("text", "surface", "code"),
    [
        ("Booj Taif chinhs ddax noopj keesh hoachj chuwa", "Booj Taif chinhs", "BTC"),
        ("ubnd tinh Nghe65 An nop bc chua", "ubnd tinh Nghe65 An", "NGHEAN"),
        ("bộ ytế nộp chưa", "bộ ytế", "BYT"),
        ("BGD&ĐT đã gửi chưa", "BGD&ĐT", "BGDDT"),
        ("bo gd dt nop bc chua", "bo gd dt", "BGDDT"),
        ("ke hoach cds cua bo gd đc nop chua", "bo gd", "BGDDT"),
        ("tp ct nộp chưa", "tp ct", "CANTHO"),
        ("ct đã nộp bc chưa", "ct", "CANTHO"),
        ("hp nộp chưa", "hp", "HAIPHONG"),
        ("tỉnh Khánh Hoà", "tỉnh Khánh Hoà", "KHANHHOA"),
    ],
)
def test_mentions_in_chat_typing_keep_raw_offsets(agency_directory, text, surface, code):
    mentions = agency_directory.find_mentions(text)
    assert [(m.surface, m.code) for m in mentions] == [(surface, code)]
    assert text[mentions[0].start : mentions[0].end] == surface


@pytest.mark.parametrize("text", ["chủ tịch ct công ty", "ct là gì", "công ty bd", "gửi bc cho ct"])
def test_short_forms_need_an_agency_context(agency_directory, text):
    assert agency_directory.find_mentions(text) == []
    assert agency_directory.find_short_forms(text) == []


@pytest.mark.parametrize(
    ("text", "surface", "codes"),
    [
        ("tỉnh bd nộp kế hoạch chưa", "tỉnh bd", {"BINHDUONG", "BINHDINH"}),
        ("DDN nop chua", "DDN", {"DANANG", "DONGNAI"}),
        ("ubnd tinh qn da nop chua", "ubnd tinh qn", {"QUANGNINH", "QUANGNAM", "QUANGNGAI"}),
        ("đn", "đn", {"DANANG", "DONGNAI"}),
    ],
)
def test_ambiguous_short_forms_list_every_candidate(agency_directory, text, surface, codes):
    assert agency_directory.find_mentions(text) == []
    (short,) = agency_directory.find_short_forms(text)
    assert short.surface == surface and set(short.codes) == codes
    assert text[short.start : short.end] == surface


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("tỉnh bd", {"Tỉnh Bình Dương", "Tỉnh Bình Định"}),
        ("bd", {"Tỉnh Bình Dương", "Tỉnh Bình Định"}),
        ("đn", {"Thành phố Đà Nẵng", "Tỉnh Đồng Nai"}),
        ("qn", {"Tỉnh Quảng Ninh", "Tỉnh Quảng Nam", "Tỉnh Quảng Ngãi"}),
    ],
)
def test_resolve_ambiguous_short_forms(agency_directory, query, names):
    resolution = agency_directory.resolve(query)
    assert resolution.status == "ambiguous"
    assert {a.name for a in resolution.candidates} == names


@pytest.mark.parametrize(
    ("query", "code"),
    [("Booj Taif chinhs", "BTC"), ("tinh Nghe65 An", "NGHEAN"), ("ct", "CANTHO"), ("Khánh Hoà", "KHANHHOA")],
)
def test_resolve_chat_typing(agency_directory, query, code):
    resolution = agency_directory.resolve(query)
    assert resolution.status == "found" and resolution.agency.code == code
