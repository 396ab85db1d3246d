"""Answers to compound questions, wrong premises and topics (actions.directive): exact messages and events."""
from __future__ import annotations

import re

import pytest
from rasa_sdk.events import SlotSet

from actions.directive import (
    ActionAnswerDirectiveFacts,
    ActionAnswerNotInSource,
    ActionAnswerSourceTopic,
    ActionCheckDirectiveClaim,
)
from tests.support.actions import run, tracker

SOURCE = "(Nguồn: Văn bản số 797/BTTTT-THH ngày 06/03/2022 của Bộ TT&TT.)"
WRONG_START = re.compile(r"^\s*(Đúng|Vâng, đúng|Phải)", re.IGNORECASE)
HELP = {"responses": {"utter_help": [{"text": "…", "buttons": [{"title": "22 nhiệm vụ", "payload": "/ask_tasks"}]}]}}


async def test_two_facts_are_answered_in_the_order_asked():
    messages, events = await run(ActionAnswerDirectiveFacts(), tracker("ai ban hành và ban hành khi nào?",
                                                                        intent="ask_directive_facts"))
    assert messages[0]["text"] == "Anh/chị hỏi 2 nội dung, tôi xin trả lời lần lượt:"
    assert [m.get("response") for m in messages[1:]] == ["utter_issuer", "utter_doc_date"]
    assert events == []


async def test_the_component_findings_are_used_when_present():
    t = tracker("số hiệu và ngày ban hành của vb 797", intent="ask_directive_facts")
    t.latest_message["directive_facts"] = [{"fact": "number", "clause": "so hieu"},
                                           {"fact": "legal_basis", "clause": "quyet dinh 942"}]
    messages, _ = await run(ActionAnswerDirectiveFacts(), t)
    assert [m.get("response") for m in messages[1:]] == ["utter_doc_number", "utter_decision_942"]


async def test_a_fact_and_a_deadline(database):
    messages, events = await run(ActionAnswerDirectiveFacts(), tracker("văn bản gửi ai, hạn nộp kế hoạch khi nào?",
                                                                        intent="ask_directive_facts"))
    assert messages[1]["response"] == "utter_addressees"
    assert "Hạn nộp kế hoạch chuyển đổi số năm 2022: 30/04/2022*" in messages[2]["text"]
    assert events == [SlotSet("last_lookup", "deadline"), SlotSet("obligation_kind", "plan"),
                      SlotSet("period_year", None), SlotSet("period_quarter", None)]


async def test_wrong_issuer_is_said_plainly():
    messages, events = await run(ActionCheckDirectiveClaim(), tracker(
        "Văn bản 797 do Bộ Khoa học và Công nghệ ban hành phải không?", intent="check_directive_claim"))
    assert messages == [{"text": "Không đúng. Văn bản số 797/BTTTT-THH do Bộ Thông tin và Truyền thông (Bộ TT&TT) ban hành "
                                 "ngày 06/03/2022. Thông tin «Bộ Khoa học và Công nghệ» trong câu hỏi không khớp với nguồn.\n"
                                 + SOURCE,
                         "buttons": [], "elements": [], "custom": {}, "template": None, "response": None,
                         "image": None, "attachment": None}]
    assert not WRONG_START.search(messages[0]["text"]) and events == []


@pytest.mark.parametrize("text,start,fact", [
    ("có 5 định hướng phổ cập à?", "Không đúng.", "6 nội dung phổ cập"),
    ("vb ký ngày 9/3 đúng ko?", "Không đúng.", "06/03/2022"),
    ("22 nhiệm vụ đúng không", "Đúng vậy.", "22 nhiệm vụ, giải pháp"),
    ("văn bản căn cứ nghị quyết 52 phải không", "Bài viết nguồn không nhắc đến nghị quyết 52.", "749/QĐ-TTg"),
])
async def test_claims(text, start, fact):
    messages, _ = await run(ActionCheckDirectiveClaim(), tracker(text, intent="check_directive_claim"))
    assert messages[0]["text"].startswith(start) and fact in messages[0]["text"]
    assert messages[0]["text"].endswith(SOURCE)


async def test_a_claim_and_another_question():
    messages, _ = await run(ActionCheckDirectiveClaim(), tracker(
        "văn bản do Bộ Y tế ban hành à, số hiệu là gì?", intent="check_directive_claim"))
    assert messages[0]["text"].startswith("Không đúng.")
    assert [m.get("response") for m in messages[1:]] == ["utter_doc_number"]


async def test_not_in_source_names_the_topic_and_offers_what_the_article_says(monkeypatch):
    monkeypatch.delenv("DIRECTIVE_FULL_TEXT_URL", raising=False)
    t = tracker("Văn bản có nói về chữ ký số không?", intent="ask_not_in_source")
    messages, events = await run(ActionAnswerNotInSource(), t, domain=HELP)
    text = messages[0]["text"]
    assert text.startswith("Bài viết nguồn về Văn bản 797/BTTTT-THH không đề cập «chữ ký số»")
    assert "22 nhiệm vụ" in text and "http" not in text
    assert messages[0]["buttons"] == [{"title": "22 nhiệm vụ", "payload": "/ask_tasks"}]
    assert messages[0]["answer_kind"] == "not_in_source"  # the console's mark (bot.admin.insight)
    assert events == []


async def test_not_in_source_gives_the_operators_link(monkeypatch):
    monkeypatch.setenv("DIRECTIVE_FULL_TEXT_URL", "https://example.gov.vn/797")
    messages, _ = await run(ActionAnswerNotInSource(), tracker("kinh phí lấy từ đâu", intent="ask_not_in_source"))
    assert "không đề cập «kinh phí, ngân sách thực hiện»" in messages[0]["text"]
    assert messages[0]["text"].endswith("Toàn văn Văn bản 797/BTTTT-THH: https://example.gov.vn/797")


async def test_not_in_source_without_a_topic_keeps_the_response():
    messages, _ = await run(ActionAnswerNotInSource(), tracker("cái đó thế nào", intent="ask_not_in_source"))
    assert messages[0]["response"] == "utter_not_in_source"


async def test_a_close_topic_quotes_the_sentence_and_says_what_it_does_not_say(monkeypatch):
    monkeypatch.delenv("DIRECTIVE_FULL_TEXT_URL", raising=False)
    messages, _ = await run(ActionAnswerSourceTopic(), tracker("văn bản có nói gì về an ninh mạng không?",
                                                               intent="ask_source_topic"))
    text = messages[0]["text"]
    assert text.startswith("Bài viết nguồn về Văn bản 797/BTTTT-THH không đề cập «an ninh mạng». Nội dung gần nhất")
    assert "bảo đảm an toàn thông tin mạng.»" in text and "(một trong 6 nội dung phổ cập)" in text
    assert "không nêu nhiệm vụ, biện pháp hay quy định nào về an ninh mạng" in text
    assert "dịch vụ công" not in text and text.endswith(SOURCE)
    assert "answer_kind" not in messages[0]  # the article comes close: an answer, not "not in the source"


async def test_a_topic_said_elsewhere_is_quoted():
    messages, _ = await run(ActionAnswerSourceTopic(), tracker("văn bản nói gì về thương mại điện tử",
                                                               intent="ask_source_topic"))
    assert messages[0]["text"].startswith("Theo bài viết về Văn bản 797/BTTTT-THH, nội dung liên quan đến «thương mại điện tử»:")
    assert "«Phổ cập sử dụng sàn thương mại điện tử" in messages[0]["text"]


async def test_a_deadline_asked_beside_a_topic_the_article_does_not_cover(database):
    t = tracker("có chế tài nếu nộp muộn không, mà hạn nộp báo cáo quý 3 là bao giờ", intent="ask_not_in_source")
    t.latest_message["directive_topic"] = {"text": "chế tài nếu nộp muộn", "status": "absent", "sentences": []}
    t.latest_message["directive_facts"] = [{"fact": "deadline", "clause": "ma han nop bao cao quy 3 la bao gio",
                                            "intent": "ask_deadline"}]
    messages, events = await run(ActionAnswerNotInSource(), t, HELP)
    assert "chế tài" in messages[0]["text"]
    assert "Hạn nộp báo cáo quý III/2022: 15/09/2022*" in messages[1]["text"]
    assert SlotSet("last_lookup", "deadline") in events


async def test_two_priority_areas_are_answered_in_the_order_asked():
    t = tracker("văn bản nói gì về khám bệnh từ xa và học trực tuyến", intent="ask_directive_facts")
    t.latest_message["directive_facts"] = [{"fact": "area_health", "clause": "kham benh tu xa"},
                                           {"fact": "area_education", "clause": "hoc truc tuyen"}]
    messages, _ = await run(ActionAnswerDirectiveFacts(), t)
    assert [m.get("response") for m in messages[1:]] == ["utter_area_health", "utter_area_education"]
