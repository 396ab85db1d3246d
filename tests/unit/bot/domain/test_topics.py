"""bot.domain.topics: the topic of a question and what the article says on it."""
from __future__ import annotations

import unicodedata

import pytest

from bot.domain.topics import ABSENT, CLOSE, MENTIONED, asked_areas, extract_topic, lookup, supports, uncovered_topic


@pytest.mark.parametrize("text,topic", [
    ("Văn bản có nói về chữ ký số không?", "chữ ký số"),
    ("văn bản có nói gì về an ninh mạng không?", "an ninh mạng"),
    ("vb co de cap blockchain ko", "blockchain"),
    ("VNeID có trong văn bản không", "VNeID"),
    ("về kinh phí thì văn bản nói gì", "kinh phí"),
    ("trí tuệ nhân tạo thì sao", "trí tuệ nhân tạo"),
    ("văn bản có nhắc đến Zalo không ạ", "Zalo"),
    ("SMEs được văn bản đề cập ra sao", "SMEs"),
    ("an toàn thông tin mạng theo văn bản này thế nào", "an toàn thông tin mạng"),
])
def test_extract_topic(text, topic):
    assert extract_topic(text).text == topic


@pytest.mark.parametrize("text", [
    "còn quý 4 thì sao", "còn năm 2021?", "còn kế hoạch thì sao", "còn Bộ Tài chính thì sao",
    "Công ty FPT thì sao", "hướng dẫn tôi cách dùng", "văn bản 797 ban hành ngày nào", "xin chào",
    "van ban 797 noi ve cai gi",
])
def test_no_topic(text):
    assert extract_topic(text) is None


@pytest.mark.parametrize("topic", ["chữ ký số", "chu ky so", "blockchain", "VNeID", "Zalo", "trí tuệ nhân tạo",
                                   "kinh phí", "nền tảng số Zalo", "bảo vệ dữ liệu cá nhân", "người ký"])
def test_absent_topics(topic):
    assert lookup(topic).status == ABSENT


@pytest.mark.parametrize("topic,phrase", [
    ("thương mại điện tử", "sàn thương mại điện tử"),
    ("khám bệnh từ xa", "khám chữa bệnh từ xa"),
    ("an toan thong tin mang", "an toàn thông tin mạng"),
    ("doanh nghiệp vừa và nhỏ", "doanh nghiệp nhỏ và vừa"),
    ("học online", "dạy học trực tuyến"),
    ("quyết định 749", "Quyết định số 749/QĐ-TTg"),
    (unicodedata.normalize("NFD", "sức khoẻ"), "tư vấn sức khỏe"),
])
def test_mentioned_topics_quote_the_sentence(topic, phrase):
    evidence = lookup(topic)
    assert evidence.status == MENTIONED
    assert phrase in evidence.sentences[0].text


@pytest.mark.parametrize("topic,phrase,missing", [
    ("an ninh mạng", "an toàn thông tin mạng", ("an ninh mạng",)),
    ("bảo mật", "an toàn thông tin mạng", ("bảo mật",)),
    ("Cổng dịch vụ công quốc gia", "dịch vụ công trực tuyến", ("Cổng dịch vụ công quốc gia",)),
    ("mục tiêu của Quyết định 749", "Quyết định số 749/QĐ-TTg", ("mục tiêu",)),
])
def test_close_topics_say_what_is_missing(topic, phrase, missing):
    evidence = lookup(topic)
    assert evidence.status == CLOSE
    assert phrase in evidence.sentences[0].text
    assert evidence.missing == missing


def test_close_topics_never_quote_an_unrelated_area():
    evidence = lookup("an ninh mạng")
    assert "dịch vụ công" not in evidence.sentences[0].text
    assert "không nêu" in evidence.not_said


def test_supports_needs_a_shared_pair_of_words():
    assert supports("sinh viên học kỹ năng mềm online", [7])      # "kỹ năng mềm" is in the education item
    assert not supports("trí tuệ nhân tạo", [8])                  # "nhân" of "cá nhân" is no evidence
    assert not supports("chữ ký số", [7])                          # "kỹ năng số" is not "chữ ký số"


@pytest.mark.parametrize("text,name", [
    ("kinh phí thực hiện chuyển đổi số lấy từ đâu", "kinh phí, ngân sách thực hiện"),
    ("nếu chậm nộp báo cáo có bị phạt không", "chế tài, hình thức xử lý vi phạm"),
    ("ai là người ký văn bản", "người ký văn bản"),
    ("kể tên các nền tảng số Việt Nam", "tên cụ thể của các nền tảng số"),
    ("xin chào", None),
])
def test_uncovered_topic_names(text, name):
    assert uncovered_topic(text) == name


@pytest.mark.parametrize("text,expected", [
    ("văn bản nói gì về khám bệnh từ xa và học trực tuyến", ["ask_area_health", "ask_area_education"]),
    ("bán hàng trên sàn thì sao, còn doanh nghiệp nhỏ và vừa thì sao", ["ask_area_ecommerce", "ask_area_sme"]),
    ("dịch vụ công trực tuyến và nền tảng số cho đi lại ăn uống có trong văn bản không",
     ["ask_area_public_services", "ask_area_daily_life"]),
    ("y tế với giáo dục thì văn bản nói gì", ["ask_area_health", "ask_area_education"]),
    ("còn doanh nghiệp nhỏ và vừa thì sao", []),  # one area, whose name holds "và"
    ("văn bản nói gì về học trực tuyến", []),
    ("văn bản nói gì về khám bệnh từ xa và chữ ký số", []),  # one part is no area: not answered as areas
    ("văn bản có nói về chữ ký số và trí tuệ nhân tạo không", []),
])
def test_several_priority_areas_in_one_message(text, expected):
    assert [area for area, _ in asked_areas(text)] == expected


@pytest.mark.parametrize("text, topic", [
    ("tiền đâu để làm các nhiệm vụ này", "kinh phí, ngân sách thực hiện"),
    ("văn bản có nói về thanh toán không dùng tiền mặt không", None),  # cashless payment is no funding question
    ("tiện ích số cho người dân", None),
    ("tiến độ thực hiện kế hoạch", None),
])
def test_money_words_mean_funding_only_where_they_ask_for_it(text, topic):
    assert uncovered_topic(text) == topic


@pytest.mark.parametrize("text, topic", [
    ("huong dan toi cach dung", None),                       # "hướng dẫn tôi": me, typed without accents
    ("chi toi cach tra cuu voi", None),
    ("van ban co nhac toi chu ky so khong", "chu ky so"),    # "nhắc tới": about
    ("vb co noi toi tri tue nhan tao ko", "tri tue nhan tao"),
])
def test_unaccented_toi_is_me_after_a_verb_taking_a_person(text, topic):
    found = extract_topic(text)
    assert (found.text if found else None) == topic
