"""Vietnamese wording for withdrawing or correcting a recorded submission (pure:
no Rasa, no database).

Dates are local Asia/Ho_Chi_Minh dates written ``dd/mm/yyyy``; timestamps are
shown in local time. Every refusal says why, that nothing changed, and names
the operator's command that can do it (:mod:`bot.cli.corrections`).
"""
from __future__ import annotations

from typing import Optional, Sequence

from actions.replies import capitalised
from bot.db.corrections import RecordView
from bot.db.views import ObligationView
from bot.domain.dates import local_time_text, vn_date
from bot.domain.obligations import obligation_label

NOTHING_CHANGED = "Không có gì thay đổi."
CORRECTION_IN_GROUP = (
    "Tôi không thể rút hoặc sửa bản ghi trong nhóm chat: chỉ cán bộ đã liên kết, nhắn riêng với trợ lý, mới "
    "làm được việc này. " + NOTHING_CHANGED
)
NOTHING_PENDING = "Hiện không có yêu cầu rút hoặc sửa bản ghi nào đang chờ xác nhận. Anh/chị cần tra cứu gì thêm ạ?"
KEPT = "Đã hủy yêu cầu, bản ghi được giữ nguyên."
EXPIRED = (
    "Yêu cầu rút hoặc sửa bản ghi trước đó đã hết hiệu lực vì cuộc trò chuyện đã tạm dừng lâu, nên tôi không "
    "thực hiện. " + NOTHING_CHANGED + " Anh/chị vui lòng gửi lại yêu cầu nếu vẫn cần."
)
GONE = "Bản ghi này đã được rút trước đó nên không còn để rút hoặc sửa. " + NOTHING_CHANGED
UNCHANGED = "Bản ghi đã đúng như vậy nên tôi không sửa gì. " + NOTHING_CHANGED
MIXED_CHANNELS = (
    "Vì an toàn, tôi không thực hiện: cuộc trò chuyện này vừa nhận tin nhắn từ một kênh khác. "
    + NOTHING_CHANGED + " Anh/chị vui lòng gửi lại yêu cầu trong Zalo hoặc Telegram."
)
OUTCOME_UNKNOWN = (
    "Xin lỗi, hệ thống dữ liệu phản hồi quá chậm nên tôi chưa biết chắc thay đổi đã được thực hiện hay chưa. "
    "Anh/chị vui lòng xem lại sau ít phút bằng câu \"đơn vị tôi còn thiếu báo cáo nào\" trước khi gửi lại yêu cầu."
)
SAVE_FAILED = (
    "Xin lỗi, hệ thống dữ liệu đang bận nên chưa thực hiện được; bản ghi vẫn giữ nguyên. "
    "Anh/chị vui lòng gửi lại yêu cầu rút hoặc sửa sau ít phút."
)
OPERATOR_WITHDRAW = "python -m bot withdraw {id}"
OPERATOR_CORRECT = "python -m bot correct {id} [--obligation MÃ] [--date NGÀY/THÁNG/NĂM] [--reference SỐ]"
OPERATOR_FIND = "python -m bot records <cơ quan>"


def operator_command(kind: str, record_id: Optional[int]) -> str:
    """The CLI line the operator runs for this record (``<số bản ghi>`` when unknown)."""
    ident = str(record_id) if record_id is not None else "<số bản ghi>"
    return (OPERATOR_WITHDRAW if kind == "withdraw" else OPERATOR_CORRECT).format(id=ident)


def _verb(kind: str) -> str:
    return "rút lại" if kind == "withdraw" else "sửa"


def record_line(r: RecordView) -> str:
    """``"báo cáo quý II/2022 (BC-2022-Q2), gửi ngày 14/06/2022, số 15/BC-UBND"``."""
    number = f"số {r.reference_number}" if r.reference_number else "không có số hiệu"
    return f"{obligation_label(r.obligation)} ({r.obligation.code}), gửi ngày {vn_date(r.received_on)}, {number}"


def needs_link(kind: str, channel: str, window_days: int) -> str:
    """A public account (website, unlinked chat) asks to withdraw or correct."""
    where = "" if channel in ("telegram", "zalo") else " qua Zalo hoặc Telegram"
    return (
        f"Tôi không thể {_verb(kind)} bản ghi: chỉ cán bộ có tài khoản đã liên kết với cơ quan{where} mới được "
        f"rút hoặc sửa văn bản cơ quan mình đã báo, trong {window_days} ngày kể từ khi ghi nhận. {NOTHING_CHANGED} "
        "Nếu một bản ghi bị sai, anh/chị vui lòng liên hệ cán bộ vận hành; lệnh: "
        f"{operator_command(kind, None)} (tìm số bản ghi bằng {OPERATOR_FIND})."
    )


def other_agency(kind: str, linked_name: str, other_name: str, record_id: Optional[int] = None) -> str:
    """The record (or the agency named) is not the linked agency's."""
    which = f"bản ghi số {record_id} thuộc {other_name}" if record_id is not None else \
        f"bản ghi của {other_name}"
    return (
        f"Tôi không thể {_verb(kind)} {which}: tài khoản này được liên kết với {linked_name} nên chỉ rút hoặc sửa "
        f"được bản ghi của {linked_name}. {NOTHING_CHANGED} Nếu bản ghi của {other_name} bị sai, cán bộ của "
        f"{other_name} tự sửa từ tài khoản đã liên kết, hoặc liên hệ cán bộ vận hành; lệnh: "
        f"{operator_command(kind, record_id)}."
    )


def window_closed(kind: str, r: RecordView, last_day, window_days: int) -> str:
    """Past the window: the reason, and the operator's command for this very record."""
    return (
        f"Tôi không thể {_verb(kind)} bản ghi {record_line(r)}: bản ghi được tạo ngày {vn_date(r.created_on)}, "
        f"đã quá {window_days} ngày cho phép tự rút hoặc sửa (hạn cuối {vn_date(last_day)}). {NOTHING_CHANGED} "
        f"Anh/chị vui lòng liên hệ cán bộ vận hành; lệnh: {operator_command(kind, r.id)}."
    )


def not_found(kind: str, agency_name: str, what: str = "") -> str:
    """No record of the linked agency matches."""
    of = f" {what}" if what else ""
    return (
        f"Tôi không tìm thấy bản ghi{of} nào của {agency_name} do cán bộ hoặc bộ phận vận hành đã ghi nhận để "
        f"{_verb(kind)}. {NOTHING_CHANGED} Anh/chị có thể hỏi \"đơn vị tôi đã nộp những gì\" để xem các văn bản "
        "đã ghi nhận."
    )


def several(kind: str, agency_name: str, records: Sequence[RecordView]) -> str:
    """Several records match: list them and ask for the number."""
    lines = "\n".join(f"• {capitalised(record_line(r))}" for r in records)
    return (
        f"{agency_name} có nhiều bản ghi khớp yêu cầu:\n{lines}\n"
        f"Anh/chị nhắn lại kèm số hiệu của bản ghi cần {_verb(kind)}, ví dụ: "
        f"\"{_verb(kind)} {obligation_label(records[0].obligation)} số "
        f"{records[0].reference_number or '...'}\". {NOTHING_CHANGED}"
    )


def how_to_correct(r: RecordView) -> str:
    """A correction that names no new value."""
    return (
        f"Anh/chị muốn sửa thông tin nào của bản ghi {record_line(r)}? Ví dụ: \"sửa thành báo cáo quý III\", "
        "\"sửa ngày gửi thành 15/06/2022\", \"sửa số văn bản thành 123/UBND-VP\". " + NOTHING_CHANGED
    )


def date_problem(problem: str) -> str:
    return f"Tôi không dùng được ngày này: {problem}. {NOTHING_CHANGED} Anh/chị gõ lại, ví dụ \"sửa ngày gửi thành 15/06/2022\"."


def _record_block(agency_name: str, r: RecordView) -> str:
    number = r.reference_number or "không có"
    return (
        f"• Cơ quan: {agency_name}\n"
        f"• Văn bản: {capitalised(obligation_label(r.obligation))} ({r.obligation.code})\n"
        f"• Ngày gửi: {vn_date(r.received_on)}\n"
        f"• Số hiệu: {number}\n"
        f"• Ghi nhận lúc: {local_time_text(r.created_at, '%H:%M ngày %d/%m/%Y')} (bản ghi số {r.id})\n"
    )


def confirm_withdraw(r: RecordView) -> str:
    return (
        "Anh/chị xác nhận rút lại bản ghi sau:\n" + _record_block(r.agency_name, r)
        + "Sau khi rút, văn bản này được coi là chưa gửi (nhắc hạn có thể được gửi lại). "
        "Trả lời \"có\" để rút hoặc \"không\" để giữ nguyên."
    )


def confirm_correct(r: RecordView, obligation: Optional[ObligationView], received_on, reference: Optional[str]) -> str:
    """Before and after, only the fields that change."""
    changes = []
    if obligation is not None and obligation.code != r.obligation.code:
        changes.append(f"• Văn bản: {capitalised(obligation_label(r.obligation))} ({r.obligation.code}) → "
                       f"{capitalised(obligation_label(obligation))} ({obligation.code})")
    if received_on is not None and received_on != r.received_on:
        changes.append(f"• Ngày gửi: {vn_date(r.received_on)} → {vn_date(received_on)}")
    if reference is not None and reference != r.reference_number:
        changes.append(f"• Số hiệu: {r.reference_number or 'không có'} → {reference or 'không có'}")
    return (
        f"Anh/chị xác nhận sửa bản ghi của {r.agency_name}: {record_line(r)} (bản ghi số {r.id}):\n"
        + "\n".join(changes) + "\n"
        "Trả lời \"có\" để sửa hoặc \"không\" để giữ nguyên."
    )


def withdrawn(r: RecordView) -> str:
    return (
        f"Đã rút lại: {r.agency_name} — {record_line(r)}. Văn bản này nay được coi là chưa gửi. "
        "Việc rút đã được lưu vào nhật ký (người thực hiện, kênh, thời điểm và nội dung trước khi rút)."
    )


def corrected(after: RecordView) -> str:
    return (
        f"Đã sửa: {after.agency_name} — {record_line(after)}. "
        "Việc sửa đã được lưu vào nhật ký (người thực hiện, kênh, thời điểm, nội dung trước và sau khi sửa)."
    )


def duplicate(agency_name: str, obligation: ObligationView, reference: str) -> str:
    return (
        f"Tôi không sửa được: {agency_name} đã có một bản ghi {obligation_label(obligation)} với số hiệu "
        f"{reference or 'trống'}. {NOTHING_CHANGED}"
    )
