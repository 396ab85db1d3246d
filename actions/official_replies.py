"""Vietnamese wording for the officials' workflow (pure, no Rasa, no database).

Dates are local Asia/Ho_Chi_Minh dates written ``dd/mm/yyyy``; times are shown
in local time. Nothing the user typed is echoed back except through
:func:`actions.replies.quoted`.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterable, Optional, Sequence

from actions.replies import DIRECTIVE, capitalised
from bot.db.accounts import LinkResult, LinkView
from bot.db.views import ObligationView, SubmissionView
from bot.domain.dates import local_time_text, vn_date
from bot.domain.obligations import obligation_label

CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "rest": "trang web", "socketio": "trang web"}

LINK_HOW = (
    "Để liên kết tài khoản với cơ quan của mình, anh/chị cần một mã liên kết dùng một lần do bộ phận "
    "vận hành trợ lý cấp (dạng ABCDE-23456, hiệu lực 72 giờ). Khi có mã, anh/chị gửi tin nhắn: "
    "\"mã liên kết ABCDE-23456\" ngay trong cuộc trò chuyện riêng này."
)
LINK_IN_GROUP = (
    "Vì an toàn, tài khoản chỉ được liên kết trong cuộc trò chuyện riêng với trợ lý, không trong nhóm. "
    "Anh/chị vui lòng nhắn riêng cho trợ lý."
)
RECORD_IN_GROUP = (
    "Tôi không thể ghi nhận trong nhóm chat: chỉ cán bộ đã liên kết, nhắn riêng với trợ lý, mới được báo "
    "văn bản đã gửi. Không có gì được ghi."
)
CODE_BURNED = (
    " Mã vừa gửi đã bị vô hiệu hóa vì những người trong nhóm đều đã thấy; anh/chị vui lòng đề nghị bộ phận "
    "vận hành cấp mã mới."
)
NOT_LINKED_NOTHING_TO_UNLINK = "Tài khoản này chưa liên kết với cơ quan nào nên không có gì để hủy."
OBLIGATION_NOT_UNDERSTOOD = (
    "Tôi chưa rõ văn bản nào. Anh/chị chọn một mục bên dưới hoặc gõ, ví dụ: \"kế hoạch năm 2022\", "
    "\"báo cáo quý II/2022\" (mã BC-2022-Q2)."
)
ASK_OBLIGATION = "Anh/chị muốn ghi nhận văn bản nào đã gửi Bộ TT&TT?"
DATE_NOT_UNDERSTOOD = "Tôi chưa đọc được ngày gửi. Anh/chị gõ theo dạng ngày/tháng/năm, ví dụ 12/04/2022, hoặc \"hôm nay\"."
REFERENCE_NOT_UNDERSTOOD = (
    "Tôi chưa đọc được số hiệu. Anh/chị gõ số hiệu văn bản, ví dụ 123/BC-UBND, hoặc \"không có số\"."
)
NOTHING_PENDING = "Hiện không có yêu cầu ghi nhận nào đang chờ xác nhận. Anh/chị cần tra cứu gì thêm ạ?"
CANCELLED = ("Đã hủy, tôi không ghi nhận gì. Khi cần, anh/chị cứ nhắn lại, ví dụ: "
             "\"đã gửi báo cáo quý II ngày 14/06/2022 số 15/BC-UBND\".")
DUPLICATE = (
    "Văn bản này đã được ghi nhận trước đó (cùng cơ quan, cùng loại văn bản và số hiệu), nên tôi không ghi thêm. "
    "Anh/chị có thể hỏi \"đơn vị tôi còn thiếu báo cáo nào\" để xem tình hình."
)
MIXED_CHANNELS = (
    "Vì an toàn, tôi không ghi nhận: cuộc trò chuyện này vừa nhận tin nhắn từ một kênh khác. "
    "Không có gì được ghi; anh/chị vui lòng báo lại từ đầu trong Zalo hoặc Telegram."
)
SAVE_FAILED = (
    "Xin lỗi, hệ thống dữ liệu đang bận nên chưa ghi nhận được; chưa có gì được ghi. "
    "Anh/chị vui lòng trả lời \"có\" lại sau ít phút."
)
SAVE_UNCERTAIN = (
    "Xin lỗi, hệ thống dữ liệu phản hồi quá chậm nên tôi chưa biết chắc việc ghi nhận đã hoàn tất hay chưa. "
    "Anh/chị vui lòng trả lời \"có\" lại sau ít phút: nếu văn bản đã được ghi, tôi sẽ báo là đã ghi nhận "
    "trước đó và không ghi thêm."
)


def _local(ts: datetime) -> str:
    return local_time_text(ts, "%H:%M ngày %d/%m/%Y")


def _channels(names: Iterable[str]) -> str:
    return " hoặc ".join(CHANNEL_NAMES.get(n, n) for n in names)


def link_channel_not_allowed(identity_channels: Sequence[str]) -> str:
    return (
        f"Liên kết tài khoản cán bộ chỉ thực hiện được qua {_channels(identity_channels)}, nơi nền tảng xác thực "
        "người gửi. Trên kênh này, anh/chị vẫn tra cứu được mọi nội dung công khai của "
        f"{DIRECTIVE} và tình hình nộp của các cơ quan."
    )


def link_result(result: LinkResult) -> str:
    """What happened to a link code (no code is echoed back)."""
    if result.status == "linked":
        link = result.link
        return (
            f"Đã liên kết tài khoản {CHANNEL_NAMES.get(link.channel, link.channel)} này với {link.agency_name}. "
            "Từ nay anh/chị có thể:\n"
            "• hỏi \"hạn của đơn vị tôi\", \"đơn vị tôi còn thiếu báo cáo nào\";\n"
            "• báo văn bản đã gửi, ví dụ \"đã gửi báo cáo quý II ngày 14/06/2022 số 15/BC-UBND\";\n"
            "• gửi \"đăng ký nhắc hạn\" để được nhắc trước hạn nộp.\n"
            "Gửi \"hủy liên kết\" khi không còn phụ trách."
        )
    if result.status == "locked":
        until = f" đến {_local(result.locked_until)}" if result.locked_until else ""
        return (
            f"Tài khoản này đã nhập sai mã quá nhiều lần nên tạm bị khóa liên kết{until}. "
            "Anh/chị vui lòng thử lại sau, hoặc liên hệ bộ phận vận hành để được cấp mã mới."
        )
    reason = {
        "expired": "Mã liên kết này đã hết hạn.",
        "used": "Mã liên kết này đã được sử dụng.",
        "revoked": "Mã liên kết này đã bị thu hồi.",
        "channel_not_allowed": "Kênh này không hỗ trợ liên kết tài khoản.",
    }.get(result.status, "Mã liên kết không đúng.")
    tail = " Anh/chị kiểm tra lại mã, hoặc đề nghị bộ phận vận hành cấp mã mới."
    if result.failures_left is not None:
        tail += f" (Còn {result.failures_left} lần thử trước khi tạm khóa.)"
    return reason + tail


def unlinked(link: LinkView) -> str:
    return (
        f"Đã hủy liên kết giữa tài khoản này và {link.agency_name}; nhắc hạn cũng đã tắt. "
        "Anh/chị vẫn tra cứu được các thông tin công khai."
    )


def account_summary(link: Optional[LinkView], channel: str = "") -> str:
    if link is None:
        if channel not in ("telegram", "zalo"):
            return ("Trên kênh này anh/chị là người dùng công khai: tra cứu được mọi nội dung, nhưng không ghi "
                    "nhận văn bản hay đăng ký nhắc hạn. Cán bộ đầu mối liên kết tài khoản Zalo hoặc Telegram "
                    "bằng mã do bộ phận vận hành cấp.")
        return "Tài khoản này chưa liên kết với cơ quan nào (người dùng công khai). " + LINK_HOW
    reminders = "đang bật" if link.subscribed else "đang tắt (gửi \"đăng ký nhắc hạn\" để bật)"
    return (
        f"Tài khoản {CHANNEL_NAMES.get(link.channel, link.channel)} này được liên kết với {link.agency_name} "
        f"từ {_local(link.linked_at)}. Nhắc hạn: {reminders}."
    )


def reminders_need_link(channel: str) -> str:
    return (
        "Nhắc hạn chỉ dành cho tài khoản cán bộ đã liên kết với cơ quan qua Zalo hoặc Telegram. "
        + ("Anh/chị hãy liên kết tài khoản trước. " + LINK_HOW if channel in ("telegram", "zalo") else
           "Trên kênh này, anh/chị vẫn có thể hỏi hạn nộp bất cứ lúc nào, ví dụ \"hạn báo cáo quý III\".")
    )


def reminders_set(link: LinkView, days: Sequence[int]) -> str:
    if not link.subscribed:
        return f"Đã tắt nhắc hạn cho {link.agency_name}. Gửi \"đăng ký nhắc hạn\" khi muốn bật lại."
    before = " và ".join(f"{d} ngày" for d in days)
    return (
        f"Đã bật nhắc hạn cho {link.agency_name}: tôi sẽ nhắn anh/chị trước hạn {before} và vào ngày đầu tiên "
        "quá hạn, chỉ với kế hoạch, báo cáo mà cơ quan chưa gửi (giờ Việt Nam). "
        "Lưu ý: hạn nộp là hạn mặc định do đơn vị vận hành đặt, vì "
        f"{DIRECTIVE} không quy định ngày nộp cụ thể. Gửi \"hủy nhắc hạn\" để tắt."
    )


def record_needs_link(channel: str) -> str:
    where = "" if channel in ("telegram", "zalo") else " qua Zalo hoặc Telegram"
    return (
        "Tôi không thể ghi nhận: chỉ cán bộ có tài khoản đã liên kết với cơ quan"
        f"{where} mới được báo văn bản đã gửi, và chỉ cho cơ quan của mình. Không có gì được ghi. "
        "Anh/chị vẫn có thể tra cứu tình hình nộp của bất kỳ cơ quan nào."
    )


def wrong_agency(linked_name: str, named_name: str) -> str:
    return (
        f"Tôi không thể ghi nhận cho {named_name}: tài khoản này được liên kết với {linked_name} và chỉ được "
        f"báo văn bản của {linked_name}. Không có gì được ghi."
    )


def link_changed(linked_code: str) -> str:
    return (
        "Liên kết của tài khoản này vừa thay đổi nên tôi không ghi nhận yêu cầu trước đó. "
        "Không có gì được ghi; anh/chị vui lòng báo lại."
    )


def date_problem(problem: str) -> str:
    return f"Tôi không dùng được ngày này: {problem}. Anh/chị gõ lại ngày gửi (ngày/tháng/năm)."


def confirm_question(agency_name: str, obligation: ObligationView, received: date, reference: str,
                     replaces_sample: bool = False) -> str:
    number = reference or "không có"
    sample = ("(Trợ lý đang có một bản ghi mẫu cho văn bản này; bản ghi của anh/chị sẽ được dùng thay cho nó.)\n"
              if replaces_sample else "")
    return (
        "Anh/chị xác nhận giúp tôi thông tin sẽ ghi nhận:\n"
        f"• Cơ quan: {agency_name}\n"
        f"• Văn bản: {capitalised(obligation_label(obligation))} ({obligation.code})\n"
        f"• Ngày gửi: {vn_date(received)}\n"
        f"• Số hiệu: {number}\n"
        + sample +
        "Trả lời \"có\" để ghi nhận hoặc \"không\" để hủy."
    )


def saved(sub: SubmissionView, agency_name: str, obligation: Optional[ObligationView] = None) -> str:
    number = f"số {sub.reference_number}" if sub.reference_number else "không có số hiệu"
    what = f"{obligation_label(obligation)} ({sub.obligation_code})" if obligation else sub.obligation_code
    return (
        f"Đã ghi nhận: {agency_name} gửi {what} ngày {vn_date(sub.received_on)}, {number}. "
        "Việc ghi nhận đã được lưu vào nhật ký (người ghi, kênh, thời điểm). Nhắc hạn cho văn bản này sẽ dừng."
    )


def reminders_for_agency_need_link(agency_name: str, channel: str, identity_channels: Sequence[str]) -> str:
    """A user who is not linked asks reminders for an agency: how its officials get them."""
    where = _channels(identity_channels) or "Zalo hoặc Telegram"
    return (
        f"Nhắc hạn của {agency_name} chỉ gửi cho cán bộ của cơ quan đó, qua tài khoản {where} đã liên kết "
        "với cơ quan (vì trợ lý cần biết chắc người nhận là cán bộ của cơ quan). Cách liên kết:\n"
        "1. Cán bộ phụ trách đề nghị bộ phận vận hành trợ lý cấp một mã liên kết dùng một lần "
        "(dạng ABCDE-23456, có thời hạn).\n"
        f"2. Nhắn riêng cho trợ lý trên {where}: \"mã liên kết ABCDE-23456\".\n"
        "3. Sau khi liên kết, gửi \"đăng ký nhắc hạn\" để được nhắc trước hạn nộp.\n"
        f"Người dùng công khai{'' if channel in identity_channels else ' (như trên kênh này)'} vẫn hỏi được hạn "
        f"nộp và tình hình nộp của {agency_name} bất cứ lúc nào, ví dụ \"{agency_name} đã nộp báo cáo quý III chưa?\"."
    )


def reminders_other_agency(linked_name: str, asked_name: str) -> str:
    """A linked official asks reminders for another agency."""
    return (
        f"Tài khoản này được liên kết với {linked_name}, nên chỉ nhận nhắc hạn của {linked_name}, không của "
        f"{asked_name}. Cán bộ của {asked_name} liên kết tài khoản của mình bằng mã do bộ phận vận hành cấp. "
        f"Anh/chị vẫn hỏi được tình hình nộp của {asked_name} bất cứ lúc nào."
    )


def obligation_with_code(obligation: ObligationView) -> str:
    """``"báo cáo quý I/2022 (BC-2022-Q1)"``."""
    return f"{obligation_label(obligation)} ({obligation.code})"


def session_expired_nothing_recorded(minutes: int, obligation: Optional[str], received: Optional[date],
                                     reference: Optional[str]) -> str:
    """A new session began (after ``minutes`` idle minutes) while a submission was
    being collected or awaited "có": it was dropped. Repeats what had been
    collected (``obligation`` already labelled, ``received`` a local date,
    ``reference`` ``""`` for "no number"; ``None`` when not collected)."""
    collected = []
    if obligation:
        collected.append(obligation)
    if received:
        collected.append(f"ngày gửi {vn_date(received)}")
    if reference is not None and (reference or collected):
        collected.append(f"số {reference}" if reference else "không có số hiệu")
    details = f" Thông tin anh/chị đã nhập: {', '.join(collected)}." if collected else ""
    return (
        f"Cuộc trò chuyện đã tạm dừng hơn {minutes} phút nên yêu cầu ghi nhận văn bản đang dở đã được hủy: "
        f"chưa có gì được ghi.{details} Nếu vẫn muốn ghi nhận, anh/chị vui lòng báo lại từ đầu, ví dụ: "
        "\"đã gửi báo cáo quý II ngày 14/06/2022 số 15/BC-UBND\"; tôi sẽ đọc lại để anh/chị xác nhận."
    )


def session_expired_outcome_unknown(minutes: int, obligation: Optional[str]) -> str:
    """Like :func:`session_expired_nothing_recorded`, when the last "có" got
    :data:`SAVE_UNCERTAIN`: the write may have landed, so it is not denied."""
    what = obligation or "văn bản"
    return (
        f"Cuộc trò chuyện đã tạm dừng hơn {minutes} phút nên yêu cầu ghi nhận {what} đang dở đã được hủy. "
        "Ở lần xác nhận trước, hệ thống dữ liệu phản hồi quá chậm nên tôi chưa biết chắc văn bản đã được ghi hay "
        "chưa. Anh/chị hỏi \"đơn vị tôi còn thiếu báo cáo nào\" để kiểm tra trước khi báo lại."
    )
