"""Sending one reminder through the chat channels configured in ``credentials.yml``.

Built from the same ``credentials.yml`` the Rasa server uses, through our
connectors (``from_credentials(...).get_output_channel()``), which expand the
quoted ``"${VAR}"`` settings from the environment. A channel whose required
settings are missing is "not configured". Rasa and the connectors are imported
only when a reminder is actually due, so the scheduler stays small while idle.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Protocol, Sequence

import yaml

from bot.channels.config import CHANNEL_SECTIONS as _SECTIONS
from bot.channels.config import TELEGRAM_REQUIRED, ZALO_REQUIRED, redact
from bot.channels.delivery import DeliveryFailed
from bot.settings import PROJECT_ROOT, expand

CREDENTIALS = PROJECT_ROOT / "credentials.yml"
NOT_CONFIGURED = "kênh chưa cấu hình"

# credentials.yml section of each channel and its required credentials keys (bot.channels.config,
# which does not load Rasa: the scheduler imports the connectors only when it sends).
CHANNEL_SECTIONS = {
    "telegram": (_SECTIONS["telegram"], tuple(TELEGRAM_REQUIRED)),
    "zalo": (_SECTIONS["zalo"], tuple(ZALO_REQUIRED)),
}
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")

# Zalo OA error codes that mean "this user cannot be messaged now" (Zalo OpenAPI error table).
ZALO_REFUSALS = {
    -213: "người dùng chưa quan tâm OA hoặc đã bỏ quan tâm",
    -227: "tài khoản người dùng bị khóa hoặc không hoạt động quá 45 ngày",
    -230: "người dùng không nhắn tin cho OA trong 7 ngày qua, nên Zalo không cho OA gửi tin tư vấn",
    -232: "người dùng chưa tương tác với OA hoặc tương tác cuối đã quá hạn",
}


def clean(text: str, secrets: Sequence[Optional[str]] = ()) -> str:
    """``text`` without passwords in URLs, ``secrets`` or token-looking parts."""
    return redact(_URL_PASSWORD.sub(r"\1***@", str(text)), secrets)


def outcome(failed: DeliveryFailed) -> str:
    """How final a failed delivery is, in Vietnamese, for the operator."""
    if failed.permanent:
        return "lỗi cố định, không gửi lại"
    return f"lỗi tạm thời, đã thử {failed.attempts} lần"


class Sender(Protocol):
    """Sends one text to one user of a channel.

    ``send`` raises on any failure (a refusal by the platform included):
    ``DeliveryFailed`` from the connectors' delivery policy, which has already
    retried what was worth retrying; ``describe(error)`` turns that error into
    a secret-free reason for the log, from its ``reason`` and permanence;
    ``close`` releases connections (the sender stays usable afterwards).
    """

    async def send(self, user_id: str, text: str) -> None: ...

    def describe(self, error: BaseException) -> str: ...

    async def close(self) -> None: ...


class TelegramSender:
    """Through our Telegram connector's output (``send_text_message(chat_id, text)``)."""

    def __init__(self, output: Any, secrets: Sequence[Optional[str]] = ()) -> None:
        self.output = output
        self.secrets = tuple(s for s in secrets if s)

    async def send(self, user_id: str, text: str) -> None:
        await self.output.send_text_message(user_id, text)

    def describe(self, error: BaseException) -> str:
        """``Telegram từ chối: <reason>`` for a permanent failure (e.g. the bot
        was blocked), ``Telegram: <reason> (lỗi tạm thời, đã thử N lần)`` for a
        transient one; secrets masked, at most 500 characters."""
        if isinstance(error, DeliveryFailed):
            if error.permanent:
                text = f"Telegram từ chối: {error.reason}"
            else:
                text = f"Telegram: {error.reason} ({outcome(error)})"
        else:
            text = f"Telegram: {type(error).__name__}: {error}"
        return clean(text, self.secrets)[:500]

    async def close(self) -> None:
        # The HTTP session only: aiogram 2 deprecates Bot.close(), which becomes the Bot API's
        # "close" method (log the bot out of the server) in aiogram 3.
        await self.output.session.close()


class ZaloSender:
    """Through our Zalo connector's client (``ZaloClient.send_text``); a refusal raises
    ``DeliveryFailed`` with the platform's ``code`` (e.g. -230 outside the 7-day window)."""

    def __init__(self, client: Any, secrets: Sequence[Optional[str]] = ()) -> None:
        self.client = client
        self.secrets = tuple(s for s in secrets if s)

    async def send(self, user_id: str, text: str) -> None:
        from bot.channels.zalo import split_text

        for part in split_text(text):
            await self.client.send_text(user_id, part)

    def describe(self, error: BaseException) -> str:
        """``Zalo từ chối (mã <code>): <Zalo's message> — <meaning>`` for a
        refusal (the meaning from :data:`ZALO_REFUSALS`), ``Zalo: không gửi
        được: <reason>`` otherwise (``không kết nối được máy chủ Zalo`` for a
        network failure); a transient failure ends with ``(lỗi tạm thời, đã
        thử N lần)``. Secrets and tokens masked, at most 500 characters."""
        tokens = getattr(self.client, "tokens", None)
        secrets = self.secrets + tuple(s for s in (getattr(tokens, "access_token", None),
                                                   getattr(tokens, "refresh_token", None)) if s)
        if not isinstance(error, DeliveryFailed):
            return clean(f"Zalo: {type(error).__name__}: {error}", secrets)[:500]
        code = error.code
        if isinstance(code, int) and code < 0:  # Zalo's own error codes are negative; HTTP statuses are not
            detail = error.reason.split(": ", 1)[-1]
            text = f"Zalo từ chối (mã {code}): {detail}"
            if code in ZALO_REFUSALS:
                text += f" — {ZALO_REFUSALS[code]}"
        elif code is None and not error.permanent:
            text = f"Zalo: không kết nối được máy chủ Zalo: {error.reason}"
        else:
            text = f"Zalo: không gửi được: {error.reason}"
        if not error.permanent:
            text += f" ({outcome(error)})"
        return clean(text, secrets)[:500]

    async def close(self) -> None:
        await self.client.close()


class ChannelSenders(Mapping[str, Sender]):
    """Senders for the channels configured in ``credentials.yml``, built on first use.

    Input: the parsed ``credentials.yml`` (section -> settings). A channel is
    configured when all its required settings are set after ``${VAR}``
    expansion (same rule as the connectors). Looking up a configured channel
    builds its connector (``from_credentials(...)`` then
    ``get_output_channel()``), importing Rasa; an unconfigured one raises
    ``KeyError``. Building may raise what the connector raises (e.g.
    ``ValueError`` for a malformed ``TELEGRAM_SECRET_TOKEN``).
    """

    def __init__(self, credentials: Mapping[str, Any]) -> None:
        self.credentials = dict(credentials or {})
        self._built: Dict[str, Sender] = {}

    def _settings(self, channel: str) -> Dict[str, Any]:
        section, _ = CHANNEL_SECTIONS[channel]
        return dict(self.credentials.get(section) or {})

    def configured(self) -> List[str]:
        """Channels whose required settings are all set (no Rasa import)."""
        out = []
        for channel, (section, required) in CHANNEL_SECTIONS.items():
            if section in self.credentials and all(expand(self._settings(channel).get(k)) for k in required):
                out.append(channel)
        return out

    def __getitem__(self, channel: str) -> Sender:
        if channel in self._built:
            return self._built[channel]
        if channel not in self.configured():
            raise KeyError(channel)
        creds = self._settings(channel)
        secret_keys = ("access_token", "secret_token", "oa_secret_key", "app_secret", "refresh_token")
        secrets = [expand(creds.get(k)) for k in secret_keys]
        if channel == "telegram":
            from bot.channels.telegram import TelegramInput

            sender: Sender = TelegramSender(TelegramInput.from_credentials(creds).get_output_channel(), secrets)
        else:
            from bot.channels.zalo import ZaloInput

            sender = ZaloSender(ZaloInput.from_credentials(creds).get_output_channel().client, secrets)
        self._built[channel] = sender
        return sender

    def __iter__(self) -> Iterator[str]:
        return iter(self.configured())

    def __len__(self) -> int:
        return len(self.configured())


def load_senders(path: Path = CREDENTIALS) -> ChannelSenders:
    """:class:`ChannelSenders` from the ``credentials.yml`` at ``path``.

    Raises:
        OSError: the file cannot be read. yaml.YAMLError: it is not YAML.
    """
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    return ChannelSenders(doc if isinstance(doc, dict) else {})
