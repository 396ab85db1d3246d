"""Channel settings and secret masking, without loading Rasa.

Importing :mod:`bot.channels` loads Rasa (its ``__init__`` installs the action
guard), so what both the connectors and the light processes (the reminder
scheduler, ``scripts/channels.py``) need from the channel configuration lives here.
"""
from __future__ import annotations

import os
import re
from typing import Any, Iterable, Optional

# Required settings of each optional channel: credentials key -> environment variable.
TELEGRAM_REQUIRED = {"access_token": "TELEGRAM_TOKEN", "verify": "TELEGRAM_BOT_NAME"}
ZALO_REQUIRED = {"app_id": "ZALO_APP_ID", "oa_secret_key": "ZALO_OA_SECRET_KEY", "app_secret": "ZALO_APP_SECRET",
                 "access_token": "ZALO_ACCESS_TOKEN", "refresh_token": "ZALO_REFRESH_TOKEN"}
# credentials.yml section of each connector
CHANNEL_SECTIONS = {"telegram": "bot.channels.telegram.TelegramInput", "zalo": "bot.channels.zalo.ZaloInput"}

_UNEXPANDED = re.compile(r"\$\{[^}]*\}")


def setting(value: Any) -> Optional[str]:
    """A channel setting from ``credentials.yml``, with ``${VAR}`` taken from the environment.

    ``credentials.yml`` quotes the references (``"${TELEGRAM_TOKEN}"``) so that
    Rasa leaves them alone (it refuses to start when a plain ``${VAR}`` is
    unset); the connector expands them here. Output: the value, stripped, or
    ``None`` when it is empty or refers to an unset variable.
    """
    if value is None:
        return None
    text = os.path.expandvars(str(value)).strip()
    if not text or _UNEXPANDED.search(text):
        return None
    return text


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
