"""Multi-turn conversations and awkward input over the REST channel.

Today is pinned to 10/05/2022 (see conftest) so day counts are exact.
"""
from __future__ import annotations

import re
import unicodedata
import uuid

import pytest

from bench.evalset import reply_text

from .conftest import Assistant


def new_sender() -> str:
    return f"conv-{uuid.uuid4().hex[:12]}"


def test_agency_is_asked_for_then_kept_for_a_follow_up(assistant: Assistant) -> None:
    sender = new_sender()
    first = reply_text(assistant.send(sender, "cho tôi xem tình hình nộp báo cáo của đơn vị tôi"))
    assert "cơ quan, đơn vị" in first
    second = reply_text(assistant.send(sender, "UBND tỉnh Quảng Ninh"))
    assert "Tỉnh Quảng Ninh" in second and "quý I/2022: đã nộp ngày 14/03/2022" in second
    third = reply_text(assistant.send(sender, "còn quý 4 thì sao?"))
    assert "Tỉnh Quảng Ninh — báo cáo quý IV/2022: chưa nộp; hạn 15/12/2022*, còn 219 ngày." in third


def test_deadline_then_follow_up_without_agency(assistant: Assistant) -> None:
    sender = new_sender()
    first = reply_text(assistant.send(sender, "HAN NOP BAO CAO QUY III"))
    assert "quý III/2022: 15/09/2022*" in first and "không quy định ngày nộp cụ thể" in first
    second = reply_text(assistant.send(sender, "thế quý 1?"))
    assert "quý I/2022: 15/03/2022*" in second and "đã quá hạn 56 ngày" in second


def test_unknown_agency_gets_suggestions(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "tỉnh Quang Nihn đã nộp kế hoạch chưa"))
    assert "Tỉnh Quảng Ninh" in reply


def test_merged_province_is_explained(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "tỉnh Hà Giang đã nộp kế hoạch chưa"))
    assert "Tỉnh Hà Giang" in reply and "Tỉnh Tuyên Quang" in reply


def test_decomposed_unicode_agency_name(assistant: Assistant) -> None:
    text = unicodedata.normalize("NFD", "Bộ Giáo dục và Đào tạo đã gửi kế hoạch chưa?")
    reply = reply_text(assistant.send(new_sender(), text))
    assert "Bộ Giáo dục và Đào tạo — kế hoạch chuyển đổi số năm 2022: đã nộp ngày 22/04/2022" in reply


def test_every_fact_answer_cites_the_source(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "văn bản 797 gửi cho những cơ quan nào"))
    assert "Nguồn: Văn bản số 797/BTTTT-THH ngày 06/03/2022" in reply


@pytest.mark.parametrize(
    "message",
    ["", "   ", "😀😀😀", "<script>alert('x')</script>", "\x00\x07 ?", "a" * 5000, "?!.,"],
)
def test_awkward_input_gets_a_reply(assistant: Assistant, message: str) -> None:
    reply = reply_text(assistant.send(new_sender(), message))
    assert reply.strip(), f"no reply to {message[:30]!r}"
    assert "<script>" not in reply


def test_my_agency_is_asked_for_even_after_another_agency(assistant: Assistant) -> None:
    """A public user's "đơn vị tôi" is not the agency asked about a moment ago."""
    sender = new_sender()
    assert "Bộ Y tế" in reply_text(assistant.send(sender, "Bộ Y tế đã gửi kế hoạch chưa?"))
    asked = reply_text(assistant.send(sender, "đơn vị tôi còn thiếu báo cáo nào"))
    assert asked.startswith("Anh/chị vui lòng cho biết tên cơ quan, đơn vị")  # asked, not answered for Bộ Y tế
    # the answer is to the question asked before "which agency?", not to the earlier one about the plan
    answer = reply_text(assistant.send(sender, "Bộ Tài chính"))
    assert answer.startswith("Bộ Tài chính còn") and "quý IV/2022" in answer
    # "thôi" stops the question instead of being looked up as a name
    other = new_sender()
    assert "cơ quan, đơn vị" in reply_text(assistant.send(other, "hạn của đơn vị tôi"))
    assert "không hỏi tên cơ quan nữa" in reply_text(assistant.send(other, "thôi"))


# --- agencies named in unusual ways (issue 11, kinds 4, 8, 9, 11) ------------------------------
def test_several_agencies_are_each_answered_and_kept_for_a_follow_up(assistant: Assistant) -> None:
    sender = new_sender()
    first = reply_text(assistant.send(sender, "Bộ Y tế và UBND tỉnh Nam Định đã nộp báo cáo quý 1 chưa?"))
    assert "• Bộ Y tế — báo cáo quý I/2022:" in first and "• Tỉnh Nam Định — báo cáo quý I/2022:" in first
    second = reply_text(assistant.send(sender, "còn quý 4 thì sao?"))
    assert "• Bộ Y tế — báo cáo quý IV/2022: chưa nộp" in second
    assert "• Tỉnh Nam Định — báo cáo quý IV/2022: chưa nộp" in second


def test_a_company_is_not_an_addressee(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "Công ty FPT đã nộp báo cáo chưa?"))
    assert "«Công ty FPT» là doanh nghiệp, không thuộc danh sách cơ quan nhận" in reply
    assert "cơ quan ngang bộ" in reply and "vui lòng cho biết tên cơ quan" not in reply


def test_a_district_is_not_an_addressee(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "UBND huyện Đông Anh đã gửi kế hoạch chưa?"))
    assert "«UBND huyện Đông Anh» là chính quyền cấp huyện, không thuộc danh sách cơ quan nhận" in reply


def test_a_provincial_department_is_answered_for_its_province(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "Sở Y tế Nghệ An đã gửi báo cáo quý 2 chưa?"))
    assert "do UBND tỉnh Nghệ An gửi Bộ TT&TT" in reply
    assert "Tỉnh Nghệ An — báo cáo quý II/2022:" in reply


def test_what_a_merged_agency_is_now(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "Tỉnh Bình Dương bây giờ thuộc đâu?"))
    assert "Tỉnh Bình Dương đã hợp nhất vào Thành phố Hồ Chí Minh" in reply and "01/07/2025" in reply
    assert "không thuộc Văn bản 797/BTTTT-THH" in reply
    reply = reply_text(assistant.send(new_sender(), "Bộ Thông tin và Truyền thông nay là bộ nào?"))
    assert "Bộ Khoa học và Công nghệ" in reply and "Nghị quyết 176/2025/QH15" in reply


def test_a_former_province_is_explained_not_mistaken(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "tỉnh Hà Tây đã nộp báo cáo quý 1 chưa?"))
    assert "Nghị quyết 15/2008/QH12" in reply and "Thành phố Hà Nội — báo cáo quý I/2022:" in reply
    assert "Hà Nam" not in reply


def test_a_public_user_asking_reminders_for_an_agency(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "đăng ký nhắc hạn cho UBND tỉnh Quảng Ninh"))
    assert "mã liên kết" in reply and "Tỉnh Quảng Ninh" in reply
    assert "chưa hiểu" not in reply
# --- issue 11: two questions in one message, wrong premises, topics, follow-ups ---------------------------
SOURCE_LINE = "Nguồn: Văn bản số 797/BTTTT-THH ngày 06/03/2022"
NOT_MENTIONED = r"(không đề cập|không nêu|không nói|không có thông tin|không nhắc)"


@pytest.mark.parametrize("message,parts", [
    ("ai ban hành và ban hành khi nào?", ["Bộ Thông tin và Truyền thông", "06/03/2022"]),
    ("số hiệu và ngày ban hành của vb 797", ["797/BTTTT-THH", "ngày 6 tháng 3 năm 2022"]),
    ("văn bản gửi ai, hạn nộp kế hoạch khi nào?", ["cơ quan ngang bộ", "Hạn nộp kế hoạch chuyển đổi số năm 2022: 30/04/2022*"]),
])
def test_two_questions_in_one_message_get_both_answers(assistant: Assistant, message: str, parts) -> None:
    reply = reply_text(assistant.send(new_sender(), message))
    assert reply.startswith("Anh/chị hỏi 2 nội dung")
    for part in parts:
        assert part in reply


@pytest.mark.parametrize("message,start,fact", [
    ("Văn bản 797 do Bộ Khoa học và Công nghệ ban hành phải không?", "Không đúng.", "Bộ Thông tin và Truyền thông"),
    ("có 5 định hướng phổ cập à?", "Không đúng.", "6 nội dung phổ cập"),
    ("vb ký ngày 9/3 đúng ko?", "Không đúng.", "06/03/2022"),
    ("22 nhiệm vụ đúng không", "Đúng vậy.", "22 nhiệm vụ"),
])
def test_premise_is_checked(assistant: Assistant, message: str, start: str, fact: str) -> None:
    reply = reply_text(assistant.send(new_sender(), message))
    assert reply.startswith(start) and fact in reply and SOURCE_LINE in reply


@pytest.mark.parametrize("message,topic", [
    ("Văn bản có nói về chữ ký số không?", "chữ ký số"),
    ("vb có đề cập blockchain ko", "blockchain"),
    ("văn bản có nhắc đến VNeID không", "VNeID"),
    ("văn bản có nói gì về trí tuệ nhân tạo không", "trí tuệ nhân tạo"),
])
def test_topic_not_in_the_article_is_named(assistant: Assistant, message: str, topic: str) -> None:
    reply = reply_text(assistant.send(new_sender(), message))
    assert re.search(NOT_MENTIONED, reply) and f"«{topic}»" in reply
    assert "Phổ cập sử dụng" not in reply  # no area offered as if it were the answer


def test_close_topic_quotes_the_sentence_not_an_unrelated_area(assistant: Assistant) -> None:
    reply = reply_text(assistant.send(new_sender(), "văn bản có nói gì về an ninh mạng không?"))
    assert "không đề cập «an ninh mạng»" in reply and "bảo đảm an toàn thông tin mạng" in reply
    assert "dịch vụ công trực tuyến" not in reply


def test_year_follow_up_answers_the_year(assistant: Assistant) -> None:
    sender = new_sender()
    assert "khởi động nhận thức" in reply_text(assistant.send(sender, "Năm 2020 được coi là năm gì?"))
    reply = reply_text(assistant.send(sender, "còn năm 2021?"))
    assert "năm 2021 là năm bắt đầu triển khai" in reply and "Hạn nộp" not in reply
    # a quarter after that is a deadline again
    assert "quý IV/2022: 15/12/2022*" in reply_text(assistant.send(sender, "còn quý 4 thì sao"))
