"""The reminder cases both test modules share: quarter II of 2022 for Tỉnh Quảng Ninh."""
from __future__ import annotations

from datetime import date, timedelta

from bot.db.reminders import Subscriber
from bot.db.views import AgencyView, ObligationView

Q2 = "BC-2022-Q2"
Q2_DUE = date(2022, 6, 15)
TAIL = ("Lưu ý: Văn bản 797/BTTTT-THH chỉ yêu cầu gửi kế hoạch sau khi phê duyệt và báo cáo định kỳ hằng quý, "
        "không quy định ngày nộp cụ thể; đây là hạn mặc định do đơn vị vận hành trợ lý cấu hình.\n"
        "(Nguồn: Văn bản số 797/BTTTT-THH ngày 06/03/2022 của Bộ TT&TT.)\n"
        "Để tắt nhắc hạn, anh/chị gửi \"hủy nhắc hạn\".")
Q2_BEFORE_7 = ("Nhắc hạn: Báo cáo tình hình chuyển đổi số quý II năm 2022 của Tỉnh Quảng Ninh "
               "đến hạn ngày 15/06/2022 (còn 7 ngày).\n" + TAIL)
Q2_BEFORE_1 = ("Nhắc hạn: Báo cáo tình hình chuyển đổi số quý II năm 2022 của Tỉnh Quảng Ninh "
               "đến hạn ngày 15/06/2022 (còn 1 ngày).\n" + TAIL)
Q2_OVERDUE = ("Nhắc hạn: Báo cáo tình hình chuyển đổi số quý II năm 2022 của Tỉnh Quảng Ninh "
              "đã quá hạn 1 ngày (hạn ngày 15/06/2022).\n"
              "Hệ thống chưa ghi nhận văn bản này; nếu cơ quan đã gửi, xin anh/chị bỏ qua tin nhắn này.\n" + TAIL)


def day(offset: int) -> date:
    """The local date ``offset`` days from the BC-2022-Q2 due date."""
    return Q2_DUE + timedelta(days=offset)


# --------------------------------------------------------------------------- #
# The rule (pure)                                                              #
# --------------------------------------------------------------------------- #
OB = ObligationView(code=Q2, kind="quarterly_report", year=2022, quarter=2,
                    title="Báo cáo tình hình chuyển đổi số quý II năm 2022", due_date=Q2_DUE,
                    due_date_origin="operator_default", due_date_source="")
AGENCY = AgencyView(code="QUANGNINH", name="Tỉnh Quảng Ninh", kind="province", aliases=())
SUB = Subscriber(account_id=1, channel="telegram", user_id="42", agency_code="QUANGNINH")
