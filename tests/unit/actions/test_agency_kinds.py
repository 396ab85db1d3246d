"""Agencies named in unusual ways, against a real seeded SQLite database: several
agencies in one question, organisations that are not addressees, provinces gone
before 2022, what an agency is now, reminders asked for an agency."""
from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lookups import ActionAgencyStatus, ActionDeadline, ActionFollowupPeriod, ValidateAgencyForm
from actions.officials import ActionSetReminders
from actions.successions import ActionAgencyNow
from tests.support.actions import DOMAIN, run, texts, tracker


def entities(directory, text):
    """The gazetteer's entities, as the NLU pipeline sends them."""
    return [{"entity": "agency", "value": m.name, "agency_code": m.code, "start": m.start, "end": m.end}
            for m in directory.find_mentions(text)]


# --------------------------------------------------------------------------- several agencies
async def test_two_agencies_are_both_answered(database, agency_directory):
    text = "Bộ Y tế và UBND tỉnh Nam Định đã nộp báo cáo quý 1 chưa?"
    t = tracker(text, {"agency": "Bộ Y tế", "agency_code": "BYT"}, entities(agency_directory, text),
                intent="ask_agency_status")
    messages, events = await run(ActionAgencyStatus(), t)
    reply = texts(messages)
    assert reply.startswith("Tình hình nộp của 2 cơ quan (theo dữ liệu của trợ lý, tính đến 10/05/2022):")
    assert "• Bộ Y tế — báo cáo quý I/2022:" in reply
    assert "• Tỉnh Nam Định — báo cáo quý I/2022:" in reply
    assert "Tỉnh Ninh Bình" in reply  # Nam Định was merged in 2025 (operator data)
    assert SlotSet("agency_codes", ["BYT", "NAMDINH"]) in events
    assert SlotSet("period_quarter", 1) in events


async def test_follow_up_repeats_for_every_agency(database):
    slots = {"agency": "Bộ Y tế", "agency_code": "BYT", "agency_codes": ["BYT", "NAMDINH"], "last_lookup": "status",
             "obligation_kind": "quarterly_report", "period_quarter": 1.0}
    messages, events = await run(ActionFollowupPeriod(), tracker("còn quý 4 thì sao?", slots, intent="ask_followup_period"))
    reply = texts(messages)
    assert "• Bộ Y tế — báo cáo quý IV/2022: chưa nộp; hạn 15/12/2022*, còn 219 ngày" in reply
    assert "• Tỉnh Nam Định — báo cáo quý IV/2022: chưa nộp; hạn 15/12/2022*, còn 219 ngày" in reply
    assert SlotSet("period_quarter", 4) in events and SlotSet("last_lookup", "status") in events


async def test_a_status_question_without_agency_after_several_keeps_them(database):
    slots = {"agency": "Bộ Y tế", "agency_code": "BYT", "agency_codes": ["BYT", "NAMDINH"]}
    messages, _ = await run(ActionAgencyStatus(), tracker("thế đã gửi kế hoạch chưa", slots, intent="ask_agency_status"))
    reply = texts(messages)
    assert "• Bộ Y tế — kế hoạch" in reply and "• Tỉnh Nam Định — kế hoạch" in reply


async def test_one_agency_after_several_forgets_the_list(database, agency_directory):
    slots = {"agency": "Bộ Y tế", "agency_code": "BYT", "agency_codes": ["BYT", "NAMDINH"], "last_lookup": "status",
             "obligation_kind": "quarterly_report", "period_quarter": 1.0}
    text = "còn Bộ Tài chính thì sao?"
    messages, events = await run(
        ActionFollowupPeriod(), tracker(text, slots, entities(agency_directory, text), intent="ask_followup_period"))
    assert texts(messages).startswith("Bộ Tài chính — báo cáo quý I/2022")
    assert events[:2] == [SlotSet("agency", "Bộ Tài chính"), SlotSet("agency_code", "BTC")]
    assert SlotSet("agency_codes", None) in events


async def test_at_most_five_agencies_with_a_note_naming_the_rest(database, agency_directory):
    text = "Bộ Y tế, Bộ Tài chính, Bộ Nội vụ, Bộ Tư pháp, Bộ Xây dựng, Bộ Công an và Bộ Quốc phòng nộp kế hoạch chưa"
    t = tracker(text, {"agency_code": "BYT"}, entities(agency_directory, text), intent="ask_agency_status")
    messages, events = await run(ActionAgencyStatus(), t)
    reply = texts(messages)
    assert reply.startswith("Tình hình nộp của 5 cơ quan")
    assert "chưa tra cứu: Bộ Công an và Bộ Quốc phòng" in reply
    assert SlotSet("agency_codes", ["BYT", "BTC", "BNV", "BTP", "BXD"]) in events


async def test_deadline_naming_agencies_says_it_applies_to_each(database, agency_directory):
    text = "hạn nộp báo cáo quý 3 của Bộ Y tế và tỉnh Nam Định"
    messages, events = await run(ActionDeadline(), tracker(text, entities=entities(agency_directory, text)))
    reply = texts(messages)
    assert "báo cáo quý III/2022: 15/09/2022*" in reply
    assert "áp dụng chung cho mọi cơ quan nhận Văn bản 797/BTTTT-THH, trong đó có Bộ Y tế và Tỉnh Nam Định" in reply
    assert events == [SlotSet("last_lookup", "deadline"), SlotSet("obligation_kind", "quarterly_report"),
                      SlotSet("period_year", None), SlotSet("period_quarter", 3)]


# --------------------------------------------------------------------------- not addressees
async def test_a_company_is_not_an_addressee_and_the_form_stops(database):
    text = "Công ty FPT đã nộp báo cáo chưa?"
    t = tracker(text, intent="ask_agency_status", active_loop="agency_form")
    form = ValidateAgencyForm()
    assert await form.extract_agency(CollectingDispatcher(), t, DOMAIN) == {"agency": "Công ty FPT"}
    dispatcher = CollectingDispatcher()
    assert await form.validate_agency("Công ty FPT", dispatcher, t, DOMAIN) == {
        "agency": None, "agency_code": None, "requested_slot": None}
    assert dispatcher.messages == []  # the status action explains
    messages, events = await run(ActionAgencyStatus(), tracker(text, intent="ask_agency_status"))
    reply = texts(messages)
    assert reply.startswith("«Công ty FPT» là doanh nghiệp, không thuộc danh sách cơ quan nhận Văn bản 797/BTTTT-THH")
    assert "các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ và Ủy ban nhân dân các tỉnh" in reply
    assert "utter_ask_agency" not in reply
    assert SlotSet("last_lookup", "status") in events


async def test_a_district_without_its_province_is_explained(database):
    messages, _ = await run(ActionAgencyStatus(), tracker("UBND huyện Đông Anh đã nộp báo cáo chưa", intent="ask_agency_status"))
    reply = texts(messages)
    assert reply.startswith("«UBND huyện Đông Anh» là chính quyền cấp huyện, không thuộc danh sách cơ quan nhận")
    assert "cho biết tỉnh, thành phố của đơn vị này" in reply


async def test_a_provincial_department_is_answered_for_its_province(database, agency_directory):
    text = "Sở Y tế Nghệ An đã gửi báo cáo quý 2 chưa?"
    slots = {"agency": "Tỉnh Nghệ An", "agency_code": "NGHEAN"}
    messages, _ = await run(ActionAgencyStatus(), tracker(text, slots, entities(agency_directory, text),
                                                          intent="ask_agency_status"))
    reply = texts(messages)
    assert reply.startswith("«Sở Y tế» là cơ quan chuyên môn thuộc UBND tỉnh Nghệ An, không phải cơ quan nhận")
    assert "kế hoạch, báo cáo của địa phương do UBND tỉnh Nghệ An gửi Bộ TT&TT" in reply
    assert "Tỉnh Nghệ An — báo cáo quý II/2022:" in reply


async def test_a_company_named_beside_an_addressee(database, agency_directory):
    text = "Công ty FPT và Bộ Y tế đã nộp kế hoạch chưa"
    t = tracker(text, {"agency": "Bộ Y tế", "agency_code": "BYT"}, entities(agency_directory, text),
                intent="ask_agency_status")
    reply = texts((await run(ActionAgencyStatus(), t))[0])
    assert "«Công ty FPT» là doanh nghiệp, không thuộc" in reply and "Bộ Y tế — kế hoạch" in reply


async def test_an_unknown_name_before_the_verb_is_looked_up():
    t = tracker("VNPT đã nộp báo cáo chưa?", intent="ask_agency_status", active_loop="agency_form")
    assert await ValidateAgencyForm().extract_agency(CollectingDispatcher(), t, DOMAIN) == {"agency": "VNPT"}
    dispatcher = CollectingDispatcher()
    await ValidateAgencyForm().validate_agency("VNPT", dispatcher, t, DOMAIN)
    assert dispatcher.messages[0]["text"].startswith("Không tìm thấy «VNPT» trong danh sách cơ quan nhận")


# --------------------------------------------------------------------------- former provinces
async def test_a_former_province_in_a_status_question(database):
    t = tracker("tỉnh Hà Tây đã nộp báo cáo quý 1 chưa", intent="ask_agency_status", active_loop="agency_form")
    form = ValidateAgencyForm()
    assert await form.extract_agency(CollectingDispatcher(), t, DOMAIN) == {"agency": "tỉnh Hà Tây"}
    assert await form.validate_agency("tỉnh Hà Tây", CollectingDispatcher(), t, DOMAIN) == {
        "agency": "Thành phố Hà Nội", "agency_code": "HANOI"}
    slots = {"agency": "Thành phố Hà Nội", "agency_code": "HANOI"}
    reply = texts((await run(ActionAgencyStatus(), tracker("tỉnh Hà Tây đã nộp báo cáo quý 1 chưa", slots,
                                                           intent="ask_agency_status")))[0])
    assert "tỉnh Hà Tây đã hợp nhất vào Thành phố Hà Nội (Nghị quyết 15/2008/QH12" in reply
    assert "thực hiện từ 01/08/2008" in reply and "không thuộc Văn bản 797/BTTTT-THH" in reply
    assert "Thành phố Hà Nội — báo cáo quý I/2022:" in reply
    assert "Hà Nam" not in reply


# --------------------------------------------------------------------------- what an agency is now
async def test_a_merged_province_now(agency_directory):
    text = "Tỉnh Bình Dương bây giờ thuộc đâu?"
    messages, events = await run(ActionAgencyNow(), tracker(text, entities=entities(agency_directory, text),
                                                            intent="ask_agency_now"))
    reply = texts(messages)
    assert reply.startswith(
        "Từ 01/07/2025, Tỉnh Bình Dương đã hợp nhất vào Thành phố Hồ Chí Minh (nguồn: Nghị quyết 202/2025/QH15).")
    assert "do đơn vị vận hành trợ lý cập nhật, không thuộc Văn bản 797/BTTTT-THH" in reply
    assert events == [SlotSet("agency", "Tỉnh Bình Dương"), SlotSet("agency_code", "BINHDUONG")]


async def test_the_issuing_ministry_now(agency_directory):
    text = "Bộ Thông tin và Truyền thông nay là bộ nào?"
    reply = texts((await run(ActionAgencyNow(), tracker(text, entities=entities(agency_directory, text),
                                                         intent="ask_agency_now")))[0])
    assert "Từ 01/03/2025, Bộ Thông tin và Truyền thông đã hợp nhất vào Bộ Khoa học và Công nghệ" in reply
    assert "Nghị quyết 176/2025/QH15" in reply


async def test_a_province_that_took_others_over(agency_directory):
    text = "Thành phố Hồ Chí Minh bây giờ gồm những tỉnh nào"
    reply = texts((await run(ActionAgencyNow(), tracker(text, entities=entities(agency_directory, text),
                                                         intent="ask_agency_now")))[0])
    assert "Thành phố Hồ Chí Minh đã tiếp nhận: Tỉnh Bình Dương" in reply and "Tỉnh Bà Rịa - Vũng Tàu" in reply


async def test_an_unchanged_agency_now(agency_directory):
    text = "Bộ Y tế có bị sáp nhập không"
    reply = texts((await run(ActionAgencyNow(), tracker(text, entities=entities(agency_directory, text),
                                                         intent="ask_agency_now")))[0])
    assert reply.startswith("Trợ lý chưa ghi nhận thay đổi nào về tên gọi, sáp nhập của Bộ Y tế sau năm 2022")


async def test_a_former_province_now_names_the_act_and_what_followed():
    reply = texts((await run(ActionAgencyNow(), tracker("tỉnh Hà Tuyên giờ thuộc đâu", intent="ask_agency_now")))[0])
    assert "tỉnh Hà Tuyên đã được chia tách; đến năm 2022 địa bàn này thuộc Tỉnh Hà Giang và Tỉnh Tuyên Quang" in reply
    assert "Nghị quyết ngày 12/08/1991 của Quốc hội" in reply
    assert "Từ 01/07/2025, Tỉnh Hà Giang đã hợp nhất vào Tỉnh Tuyên Quang" in reply


async def test_a_body_created_after_2022():
    reply = texts((await run(ActionAgencyNow(), tracker("Bộ Nông nghiệp và Môi trường gồm những bộ nào",
                                                         intent="ask_agency_now")))[0])
    assert "Bộ Nông nghiệp và Môi trường chưa tồn tại vào năm 2022" in reply


async def test_no_agency_lists_the_changes():
    reply = texts((await run(ActionAgencyNow(), tracker("những tỉnh nào đã sáp nhập năm 2025", intent="ask_agency_now")))[0])
    assert "Từ 01/03/2025:" in reply and "Từ 01/07/2025:" in reply and "Tỉnh Bình Dương" in reply


# --------------------------------------------------------------------------- reminders for an agency
async def test_a_public_user_asking_reminders_for_an_agency_is_told_how_officials_link(database, agency_directory):
    text = "đăng ký nhắc hạn cho UBND tỉnh Quảng Ninh"
    t = tracker(text, entities=entities(agency_directory, text), intent="subscribe_reminders")
    t.latest_message["intent_ranking"] = [{"name": "subscribe_reminders", "confidence": 1.0}]
    messages, events = await run(ActionSetReminders(), t)
    reply = texts(messages)
    assert reply.startswith("Nhắc hạn của Tỉnh Quảng Ninh chỉ gửi cho cán bộ của cơ quan đó")
    assert "mã liên kết ABCDE-23456" in reply and "đăng ký nhắc hạn" in reply
    assert "Tỉnh Quảng Ninh đã nộp báo cáo quý III chưa?" in reply
    assert events == []
