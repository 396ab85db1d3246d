"""Vietnamese wording of the hand-off to a person (:mod:`actions.handoff`)."""
from __future__ import annotations

from typing import Dict, List

OFFER = ("Tôi có thể chuyển cuộc trò chuyện này cho cán bộ của Bộ. Cán bộ sẽ đọc các tin nhắn gần đây "
         "và trả lời anh/chị ngay tại đây; trong lúc đó trợ lý sẽ không tự trả lời. "
         "Anh/chị có muốn chuyển cho cán bộ không?")
STUCK_OFFER = ("Có vẻ tôi chưa trả lời được câu hỏi của anh/chị. " + OFFER)
OFFER_BUTTONS: List[Dict[str, str]] = [
    {"title": "Có, chuyển cho cán bộ", "payload": "/affirm"},
    {"title": "Không, cảm ơn", "payload": "/deny"},
]
DECLINED = "Vâng, tôi tiếp tục hỗ trợ anh/chị. Anh/chị cứ đặt câu hỏi về Văn bản 797/BTTTT-THH."
OPENED_IN_HOURS = ("Tôi đã chuyển cuộc trò chuyện cho cán bộ. Cán bộ sẽ trả lời anh/chị ngay tại đây "
                   "trong giờ làm việc ({hours}). ")
OPENED_OUT_OF_HOURS = ("Tôi đã chuyển cuộc trò chuyện cho cán bộ. Hiện đang ngoài giờ làm việc ({hours}), "
                       "cán bộ sẽ trả lời anh/chị ngay tại đây vào ngày làm việc tiếp theo. ")
OPENED_TAIL = ("Anh/chị cứ nhắn thêm, tin nhắn sẽ được chuyển tới cán bộ. Khi muốn quay lại trợ lý, "
               "anh/chị gõ “kết thúc”.")
NOT_OPENED = ("Xin lỗi anh/chị, hiện tôi chưa chuyển được cuộc trò chuyện cho cán bộ do sự cố hệ thống. "
              "Anh/chị vui lòng thử lại sau ít phút.")
CHANNELS = {"telegram": "Telegram", "zalo": "Zalo", "socketio": "trang web (widget)", "rest": "REST"}
