"""Channel settings and secret masking, without loading Rasa.

The connectors load Rasa; what both they and the light processes (the reminder
scheduler, ``python -m bot serve``'s channel report) need from the channel
configuration lives here, without Rasa.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, List, Mapping, Optional

from bot.settings import expand

# Required settings of each optional channel: credentials key -> environment variable.
TELEGRAM_REQUIRED = {"access_token": "TELEGRAM_TOKEN", "verify": "TELEGRAM_BOT_NAME"}
ZALO_REQUIRED = {"app_id": "ZALO_APP_ID", "oa_secret_key": "ZALO_OA_SECRET_KEY", "app_secret": "ZALO_APP_SECRET",
                 "access_token": "ZALO_ACCESS_TOKEN", "refresh_token": "ZALO_REFRESH_TOKEN"}
# credentials.yml section of each connector
CHANNEL_SECTIONS = {"telegram": "bot.channels.telegram.TelegramInput", "zalo": "bot.channels.zalo.ZaloInput"}


_SECRET_PATTERNS = (
    re.compile(r"(/bot)\d+:[\w-]+"),  # Telegram: https://api.telegram.org/bot<token>/...
    re.compile(r"([\w-]*(?:token|secret|secret_key|api_key|key|password)=)[^&\s\"']+", re.I),
    re.compile(r"([\w-]*(?:token|secret|secret_key|api_key|password|authorization)[\"']?\s*[:=]\s*[\"']?)"
               r"(?:Bearer\s+)?[^\s\"',}&]+", re.I),
)


def redact(text: str, secrets: Iterable[Optional[str]] = ()) -> str:
    """``text`` with known secrets and token-looking parts masked as ``***``."""
    text = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


# credentials section -> (label, required keys -> variable, path under the server), for the start-up report
_REPORTED = {
    "bot.channels.rest.GuardedRestInput": ("REST", {}, "/webhooks/rest/webhook"),
    "bot.channels.webchat.SocketIOInput": ("Website widget", {}, "/widget/"),
    CHANNEL_SECTIONS["telegram"]: ("Telegram", TELEGRAM_REQUIRED, "/webhooks/telegram/webhook"),
    CHANNEL_SECTIONS["zalo"]: ("Zalo OA", ZALO_REQUIRED, "/webhooks/zalo/webhook"),
}


def channel_report(credentials: Mapping[str, Any], base_url: str, widget_built: bool = True) -> List[str]:
    """One line per channel of ``credentials`` (parsed ``credentials.yml``): on,
    with its address under ``base_url``, or off, with the variables to set
    (:func:`bot.settings.expand` decides, as in the connectors). Only variable
    names are printed, never their values."""
    lines: List[str] = []
    for section, (label, required, path) in _REPORTED.items():
        if section not in credentials:
            continue
        settings = credentials.get(section) or {}
        missing = [var for key, var in required.items() if not expand(settings.get(key))]
        if missing:
            lines.append(f"  {label:<15} off  (set {', '.join(missing)})")
        elif label == "Website widget" and not widget_built:
            lines.append(f"  {label:<15} on   {base_url}/socket.io/ (page /widget/ off: run `make widget`)")
        else:
            lines.append(f"  {label:<15} on   {base_url}{path}")
    return lines


def short_id(recipient: object) -> str:
    """A recipient id shortened for logs: ``"987654321"`` -> ``"987…21"``; ids of
    at most 6 characters are kept."""
    value = str(recipient)
    return value if len(value) <= 6 else f"{value[:3]}…{value[-2:]}"
