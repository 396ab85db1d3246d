"""Hand-off to a person: the relay between a user's channel and the staff's
Telegram group, in the Rasa server(s).

The action server opens a hand-off (``action_open_handoff``, a row in
``handoff``: :mod:`bot.db.handoffs`); everything after that happens here:

- **The thread.** After the turn that opened it, one message goes to the staff
  group (``HANDOFF_TELEGRAM_CHAT_ID``) through the Telegram connector's bot:
  the summary the action wrote (channel, masked id, agency, last messages) and
  a "Kết thúc" button. A message the group did not take is posted again by the
  background loop (:meth:`Relay.sweep_once`).
- **The user's messages** (:meth:`Relay.before_turn`, installed as the
  ``handoff_relay`` patch around ``MessageProcessor.handle_message``, so every
  channel passes through it once): while a hand-off is open they are posted in
  the thread (as replies) and not answered by the assistant; "kết thúc" or
  "quay lại trợ lý" ends it.
- **Staff replies** (:meth:`Relay.staff_update`, called by the Telegram
  connector for every update from the staff group, which never reaches the
  NLU): a reply to a message of an open thread goes to that thread's user, on
  their channel: Telegram and Zalo at once (a refusal, e.g. outside Zalo's
  window, is recorded and said in the group), the website widget when the
  session is connected, else on its reconnect; REST callers get it with the
  answer to their next message. ``/xong`` as a reply, or the button, closes.
  Replies to anything else, and messages from any other chat, are ignored.
- **Idle expiry**: an open hand-off with no message either way for
  ``HANDOFF_IDLE_HOURS`` ends, with a note to both sides (background loop, or
  the user's next message, whichever comes first).

Every message relayed is a row of ``handoff_message`` keyed by the platform
message it came from, so a retried Telegram or Zalo update is relayed once;
each step is in the audit trail. Database work runs in worker threads;
failures are logged and never reach Rasa.
"""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any, Callable, Dict, Optional

from bot.channels.config import short_id
from bot.channels.conversations import recipient, split
from bot.channels.delivery import DeliveryFailed
from bot.db.handoffs import DELIVERED, FAILED, IDLE, NOTE, PENDING, STAFF, USER, HandoffView, RelayedView
from bot.domain.text import fold
from bot.settings import load_settings

logger = logging.getLogger(__name__)

CLOSE_COMMAND = "/xong"
CLOSE_BUTTON = "handoff:close:"  # + hand-off id: the callback data of the group's "Kết thúc" button
END_PHRASES = ("ket thuc", "quay lai tro ly", "ket thuc ho tro", "ket thuc tro chuyen", "thoat ho tro")
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "socketio": "trang web (widget)", "rest": "REST"}

STAFF_PREFIX = "Cán bộ hỗ trợ: "
USER_ENDED = ("Anh/chị đã kết thúc trao đổi với cán bộ. Trợ lý 797 tiếp tục hỗ trợ anh/chị tra cứu "
              "Văn bản 797/BTTTT-THH.")
STAFF_ENDED = ("Cán bộ đã kết thúc trao đổi. Cảm ơn anh/chị; Trợ lý 797 tiếp tục hỗ trợ anh/chị tra cứu "
               "Văn bản 797/BTTTT-THH.")
IDLE_ENDED = ("Cuộc trao đổi với cán bộ đã tự kết thúc vì không có tin nhắn mới trong {hours} giờ. "
              "Nếu cần, anh/chị có thể đề nghị gặp cán bộ lại bất cứ lúc nào.")
NOT_RELAYED = ("Xin lỗi anh/chị, tin nhắn này chưa chuyển được tới cán bộ do sự cố kết nối. "
               "Anh/chị vui lòng gửi lại sau ít phút.")


def _default_store() -> Any:
    from bot.db.handoffs import HandoffStore
    from bot.db.session import make_engine

    return HandoffStore(make_engine())


def wants_to_end(text: str) -> bool:
    """True when the user's message ends the hand-off ("kết thúc", "Quay lại trợ lý!")."""
    folded = fold(text or "").strip(" .!?")
    return folded in END_PHRASES


def shown(relayed: RelayedView) -> str:
    """What the user sees of a staff message (with :data:`STAFF_PREFIX`) or a note."""
    return STAFF_PREFIX + relayed.text if relayed.direction == STAFF else relayed.text


def thread_text(handoff: HandoffView) -> str:
    """The message that opens a hand-off's thread in the staff group."""
    return (f"🙋 Yêu cầu gặp cán bộ #{handoff.id}\n{handoff.summary}\n\n"
            f"Trả lời (reply) tin nhắn này để nhắn cho người dùng; trả lời bằng {CLOSE_COMMAND} "
            "hoặc bấm nút bên dưới để kết thúc.")


class Relay:
    """The process's hand-off relay (see the module docstring).

    ``store`` builds the :class:`bot.db.handoffs.HandoffStore` (on first use);
    ``sweep_s`` is the pause of the background loop. Connectors hand over their
    outputs with :meth:`register` (``"telegram"`` is also the staff's bot).
    """

    def __init__(self, store: Callable[[], Any] = _default_store, sweep_s: float = 60.0) -> None:
        self._store_factory = store
        self._store: Any = None
        self.sweep_s = sweep_s
        self.outputs: Dict[str, Any] = {}
        self._task: Optional[asyncio.Task] = None

    # ----------------------------------------------------------------- set-up
    def register(self, channel: str, output: Any) -> None:
        """``channel``: ``"telegram"`` (a ``TelegramOutput``), ``"zalo"`` (a
        ``ZaloOutput``) or ``"socketio"`` (``(sio, namespace, event)``)."""
        self.outputs[channel] = output

    @staticmethod
    def group() -> str:
        """The staff group's chat id, ``""`` when hand-offs are off."""
        return load_settings().handoff_telegram_chat_id

    def is_staff_chat(self, chat_id: Any) -> bool:
        """Whether ``chat_id`` is the configured staff group."""
        group = self.group()
        return bool(group) and str(chat_id) == group

    async def _db(self, what: str, *args: Any, **kwargs: Any) -> Any:
        """``HandoffStore.<what>(*args)`` in a worker thread (errors propagate)."""
        if self._store is None:
            self._store = await asyncio.to_thread(self._store_factory)
        return await asyncio.to_thread(getattr(self._store, what), *args, **kwargs)

    def start(self) -> None:
        """Starts the background loop (idempotent): threads not yet posted, idle expiry."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def close(self) -> None:
        """Stops the background loop."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping
                pass
            self._task = None

    async def _loop(self) -> None:
        while True:
            await self.sweep_once()
            await asyncio.sleep(self.sweep_s)

    async def sweep_once(self) -> None:
        """Posts the threads the group has not taken yet and ends idle hand-offs.
        Never raises (failures are logged)."""
        if not self.group():
            return
        try:
            for handoff in await self._db("unposted"):
                await self._post_thread(handoff)
            for handoff in await self._db("idle", timedelta(hours=load_settings().handoff_idle_hours)):
                await self._expire(handoff)
        except Exception as error:  # noqa: BLE001 - the loop must go on
            logger.error("hand-off sweep failed (%s)", type(error).__name__)

    # ------------------------------------------------------------- user side
    async def before_turn(self, message: Any) -> bool:
        """Called before Rasa handles ``message`` (a ``UserMessage``). Delivers
        staff replies waiting for this conversation through the message's own
        output (REST, widget), then, while a hand-off is open, relays the
        message to the thread or ends the hand-off. Returns True when the
        message is taken care of (Rasa must not answer it). Never raises."""
        if not self.group() or not isinstance(message.text, str):
            return False
        conversation = str(message.sender_id)
        try:
            await self._deliver_pending(conversation, message.output_channel)
            handoff = await self._db("open_for", conversation)
            if handoff is None:
                return False
            idle_for = timedelta(hours=load_settings().handoff_idle_hours)
            if handoff.last_activity_at < await self._db("now") - idle_for:
                await self._expire(handoff, message.output_channel)
                return False  # the assistant answers this message itself
            if wants_to_end(message.text):
                await self._close(handoff, USER, message.text, message.output_channel)
                return True
            await self._relay_user_message(handoff, message)
            return True
        except Exception as error:  # noqa: BLE001 - a hand-off failure must not stop the assistant
            logger.error("hand-off: could not check or relay a message (%s)", type(error).__name__)
            return False

    async def after_turn(self, message: Any) -> None:
        """Called after Rasa handled ``message``: a hand-off the turn opened gets
        its thread in the staff group. Never raises."""
        if not self.group():
            return
        try:
            handoff = await self._db("open_for", str(message.sender_id))
            if handoff is not None and handoff.group_message_id is None:
                await self._post_thread(handoff)
        except Exception as error:  # noqa: BLE001
            logger.error("hand-off: could not post a new hand-off (%s)", type(error).__name__)

    async def _relay_user_message(self, handoff: HandoffView, message: Any) -> None:
        source = f"{message.input_channel or ''}:{message.message_id}"
        relayed = await self._db("add_message", handoff.id, USER, message.text, source, status=PENDING)
        if relayed is None:
            logger.info("hand-off #%s: a retried message was relayed already", handoff.id)
            return
        posted = await self._to_group(f"💬 #{handoff.id}: {message.text}", reply_to=handoff.group_message_id)
        if posted is None:
            await self._db("finish_message", relayed.id, FAILED, "the staff group did not take it")
            await self._send(message.output_channel, str(message.sender_id), NOT_RELAYED)
            return
        await self._db("finish_message", relayed.id, DELIVERED, group_message_id=posted)

    async def _deliver_pending(self, conversation: str, output: Any) -> None:
        for pending in await self._db("pending_for", conversation):
            await self._send(output, conversation, shown(pending))
            await self._db("finish_message", pending.id, DELIVERED)

    @staticmethod
    async def _send(output: Any, conversation: str, text: str) -> None:
        if output is not None:
            await output.send_response(conversation, {"text": text})

    # ------------------------------------------------------------ staff side
    async def staff_update(self, update: Dict[str, Any]) -> None:
        """One Telegram update from the staff group: a reply in an open thread
        (to its user), ``/xong`` or the "Kết thúc" button (closes it). Anything
        else is ignored. Never raises."""
        try:
            query = update.get("callback_query")
            if isinstance(query, dict):
                await self._staff_button(query)
                return
            message = update.get("message")
            if not isinstance(message, dict) or (message.get("from") or {}).get("is_bot"):
                return
            if not self.is_staff_chat((message.get("chat") or {}).get("id")):
                return
            replied = (message.get("reply_to_message") or {}).get("message_id")
            text = (message.get("text") or "").strip()
            if replied is None or not text:
                return
            handoff = await self._db("by_group_message", self.group(), int(replied))
            if handoff is None:
                logger.info("hand-off: a group reply to a message of no open hand-off is ignored")
                return
            if text.split()[0].split("@")[0].lower() == CLOSE_COMMAND:
                await self._close(handoff, STAFF, text)
                return
            source = f"telegram:{self.group()}:{message.get('message_id')}"
            relayed = await self._db("add_message", handoff.id, STAFF, text, source, status=PENDING,
                                     group_message_id=message.get("message_id"))
            if relayed is not None:
                await self._push(handoff, relayed)
        except Exception as error:  # noqa: BLE001 - Telegram gets its 200 anyway
            logger.error("hand-off: could not handle a staff message (%s)", type(error).__name__)

    async def _staff_button(self, query: Dict[str, Any]) -> None:
        data = str(query.get("data") or "")
        chat_id = ((query.get("message") or {}).get("chat") or {}).get("id")
        telegram = self.outputs.get("telegram")
        if telegram is not None:
            try:
                await telegram.answer_callback_query(query.get("id"))
            except DeliveryFailed:
                pass
        if not data.startswith(CLOSE_BUTTON) or not self.is_staff_chat(chat_id):
            return
        try:
            handoff = await self._db("get", int(data[len(CLOSE_BUTTON):]))
        except ValueError:
            return
        if handoff is not None and handoff.status == "open" and handoff.group_chat_id == self.group():
            await self._close(handoff, STAFF, "nút Kết thúc")

    async def _push(self, handoff: HandoffView, relayed: RelayedView) -> None:
        """Delivers a staff message or a note (``relayed``) on the hand-off's
        user's channel: Telegram and Zalo at once, the widget when a socket is
        in the session's room; otherwise it stays pending (REST: the user's
        next message; widget: the reconnect). A refusal of a staff message is
        recorded and said in the thread."""
        channel, _, _ = split(handoff.conversation)
        text = shown(relayed)
        try:
            if channel == "telegram" and "telegram" in self.outputs:
                await self.outputs["telegram"].call("sendMessage", {"chat_id": recipient(handoff.conversation),
                                                                    "text": text})
            elif channel == "zalo" and "zalo" in self.outputs:
                await self.outputs["zalo"].client.send_text(recipient(handoff.conversation), text)
            elif not (channel == "socketio" and await self._to_widget(handoff.conversation, text)):
                return
        except DeliveryFailed as failed:
            await self._db("finish_message", relayed.id, FAILED, failed.reason)
            if relayed.direction == STAFF:
                await self._to_group(f"⚠️ #{handoff.id}: chưa gửi được tin nhắn tới người dùng ({failed.reason}).",
                                     reply_to=handoff.group_message_id)
            return
        await self._db("finish_message", relayed.id, DELIVERED)

    async def _to_widget(self, conversation: str, text: str) -> bool:
        """Emits ``text`` to the widget session's room when a socket is in it."""
        widget = self.outputs.get("socketio")
        if widget is None:
            return False
        sio, namespace, event = widget
        room = recipient(conversation)
        try:
            connected = bool(list(sio.manager.get_participants(namespace or "/", room)))
        except KeyError:
            connected = False
        if connected:
            await sio.emit(event, {"text": text}, room=room, namespace=namespace)
        return connected

    async def widget_connected(self, conversation: str) -> None:
        """A widget session (re)joined its room: staff replies kept for it go out now."""
        if not self.group():
            return
        try:
            for pending in await self._db("pending_for", conversation):
                if await self._to_widget(conversation, shown(pending)):
                    await self._db("finish_message", pending.id, DELIVERED)
        except Exception as error:  # noqa: BLE001
            logger.error("hand-off: could not deliver kept staff replies (%s)", type(error).__name__)

    # -------------------------------------------------------------- both sides
    async def _to_group(self, text: str, reply_to: Optional[int] = None,
                        markup: Optional[Dict[str, Any]] = None) -> Optional[int]:
        """Posts ``text`` in the staff group (as a reply to ``reply_to``);
        returns the new message's id, ``None`` when the group did not take it."""
        telegram = self.outputs.get("telegram")
        if telegram is None:
            logger.warning("hand-off: the Telegram channel is off; nothing reaches the staff group")
            return None
        params: Dict[str, Any] = {"chat_id": self.group(), "text": text[:4096]}
        if reply_to is not None:
            params.update(reply_to_message_id=reply_to, allow_sending_without_reply=True)
        if markup is not None:
            params["reply_markup"] = json.dumps(markup, ensure_ascii=False)
        try:
            result = await telegram.call("sendMessage", params)
        except DeliveryFailed:
            return None  # logged by the delivery policy
        return int(result["message_id"]) if isinstance(result, dict) and "message_id" in result else None

    async def _post_thread(self, handoff: HandoffView) -> None:
        markup = {"inline_keyboard": [[{"text": "Kết thúc hỗ trợ", "callback_data": f"{CLOSE_BUTTON}{handoff.id}"}]]}
        posted = await self._to_group(thread_text(handoff), markup=markup)
        if posted is not None:
            await self._db("set_group_message", handoff.id, posted)
            logger.info("hand-off #%s posted for %s", handoff.id, short_id(handoff.user_id))

    async def _close(self, handoff: HandoffView, by: str, why: str, output: Any = None) -> None:
        closed = await self._db("close", handoff.id, by, why)
        if closed is None:
            return  # the other side (or another server) closed it first
        to_user = USER_ENDED if by == USER else STAFF_ENDED
        group_note = (f"✅ #{handoff.id}: người dùng đã kết thúc trao đổi." if by == USER
                      else f"✅ #{handoff.id}: đã kết thúc hỗ trợ.")
        await self._tell_user(handoff, to_user, output)
        await self._to_group(group_note, reply_to=handoff.group_message_id)

    async def _expire(self, handoff: HandoffView, output: Any = None) -> None:
        hours = load_settings().handoff_idle_hours
        closed = await self._db("close", handoff.id, IDLE, f"{hours:g} giờ không có tin nhắn")
        if closed is None:
            return
        await self._tell_user(handoff, IDLE_ENDED.format(hours=f"{hours:g}"), output)
        await self._to_group(f"⌛ #{handoff.id}: tự kết thúc sau {hours:g} giờ không có tin nhắn.",
                             reply_to=handoff.group_message_id)

    async def _tell_user(self, handoff: HandoffView, text: str, output: Any = None) -> None:
        """A note from the assistant to the hand-off's user: through ``output``
        when the user is writing now, else kept and pushed like a staff message."""
        if output is not None:
            await self._send(output, handoff.conversation, text)
            return
        note = await self._db("add_message", handoff.id, NOTE, text, f"note:{handoff.id}:{fold(text)[:60]}",
                              status=PENDING)
        if note is not None:
            await self._push(handoff, note)


RELAY = Relay()


def relay() -> Relay:
    """The process's :class:`Relay`."""
    return RELAY
