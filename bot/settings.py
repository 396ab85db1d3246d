"""The one place that reads the environment.

Every setting has a default that works on a laptop: an embedded SQLite database
under ``var/``, both servers on loopback, and local dates in Asia/Ho_Chi_Minh.
Nothing is cached: tests change the environment between calls.

* :func:`load_settings` -- the assistant's own settings (:class:`Settings`).
* :func:`expand` -- a ``"${VAR}"`` reference from ``credentials.yml`` (the
  channels' secrets) replaced by the variable's value.
* :func:`server_settings` / :func:`cluster_settings` -- ports, hosts and the
  stores of the processes ``python -m bot serve`` and ``python -m bot cluster``
  start (:mod:`bot.server.launcher`).

Scripts and tests may read variables of their own; modules under ``bot/`` and
``actions/`` read them only through this module.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple
from urllib.parse import quote

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
TIMEZONE = "Asia/Ho_Chi_Minh"
# What the website widget tells visitors about their messages (Decree 13/2023/NĐ-CP).
DEFAULT_PRIVACY_NOTICE = ("Tin nhắn của anh/chị được lưu tối đa {days} ngày để trả lời và cải thiện trợ lý, "
                          "theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân. Vui lòng không gửi số "
                          "CCCD, số điện thoại hay thông tin cá nhân khác.")
# Said instead of a hand-off when no staff group is set; operators set their own (HANDOFF_CONTACT_TEXT).
DEFAULT_HANDOFF_CONTACT = ("Hiện chưa có cán bộ trực tuyến qua kênh này. Anh/chị vui lòng liên hệ "
                           "Bộ phận một cửa của cơ quan chủ trì hoặc gửi văn bản theo đường công văn "
                           "để được cán bộ trả lời.")


@dataclass(frozen=True)
class RestSettings:
    """The hardened REST channel (:mod:`bot.channels.rest`); ``credentials.yml``
    values win over these (``REST_<NAME>`` in the environment)."""

    max_message_chars: int = 1000
    max_body_bytes: int = 64 * 1024
    rate_limit_messages: int = 30
    rate_limit_window_s: float = 60.0
    max_concurrent: int = 16


@dataclass(frozen=True)
class Settings:
    """Runtime settings.

    Attributes:
        database_url: SQLAlchemy URL of the agency database (``DATABASE_URL``);
            default ``sqlite:///<project>/var/assistant.db``.
        db_timeout_s: seconds a query may take before the user gets an apology
            (``DB_TIMEOUT_S``, default 3).
        action_timeout_s: seconds Rasa waits for a custom action before the user
            gets an apology (``ACTION_TIMEOUT_S``, default 10, at least 0.5;
            keep it above ``DB_TIMEOUT_S`` + 1).
        today: ``YYYY-MM-DD`` override of "today" for tests (``ASSISTANT_TODAY``);
            empty means the real local date in Asia/Ho_Chi_Minh.
        data_dir: folder holding agencies, obligations and succession files
            (``ASSISTANT_DATA_DIR``, default ``<project>/data``).
        identity_channels: channels whose user ids the platform vouches for
            (signed webhooks), the only ones where an account can link to an
            agency (``IDENTITY_CHANNELS``, comma-separated, default
            ``telegram,zalo``; REST and socket.io stay public unless added).
        link_code_ttl_hours: lifetime of a link code (``LINK_CODE_TTL_HOURS``, 72).
        link_max_failures: wrong codes an account may send within
            ``link_lockout_minutes`` before it is locked out for that long
            (``LINK_MAX_FAILURES``, 5; ``LINK_LOCKOUT_MINUTES``, 15).
        reminder_days: days before a due date when subscribed officials are
            reminded (``REMINDER_DAYS``, default ``7,1``); they are also
            reminded on the first day overdue.
        reminder_interval_s: seconds between two passes of the reminder
            scheduler (``REMINDER_INTERVAL_S``, default 300).
        reminder_catchup_days: a reminder missed while the scheduler was down is
            still sent this many days late, not later (``REMINDER_CATCHUP_DAYS``, 2).
        rest: the REST channel's limits (``REST_*``, see :class:`RestSettings`).
        directive_full_text_url: where the full text of Văn bản 797/BTTTT-THH
            can be read (``DIRECTIVE_FULL_TEXT_URL``); the assistant offers it
            when the article does not answer a question. Empty: no link.
        conversations_db: the SQLite file of Rasa's conversations (trackers) for
            ``make run`` (``CONVERSATIONS_DB``, default
            ``<project>/var/conversations.sqlite``; :mod:`bot.server.tracker_store`).
        correction_window_days: an official may withdraw or correct a record
            from the linked account until this many local (Asia/Ho_Chi_Minh)
            days after the day it was created (``CORRECTION_WINDOW_DAYS``,
            default 7, at least 0); later only the operator can
            (:mod:`bot.db.corrections`).
        webchat_session_secret: the key that signs the website widget's session
            ids (``WEBCHAT_SESSION_SECRET``); empty: a random key kept in
            ``webchat_secret_file`` (``<project>/var/webchat-session.key``,
            created once, mode 0600; :mod:`bot.channels.webchat_sessions`).
        admin_token: the operators' console (:mod:`bot.admin`) is served at
            ``/admin/`` only when this is set (``ADMIN_TOKEN``); it is also the
            machine token of the console's API (``Authorization: Bearer``) and
            the key that signs staff session cookies. Empty: console off.
        admin_max_failures: wrong passwords or tokens one client address may
            send within ``admin_lockout_minutes`` before it is refused for that
            long (``ADMIN_MAX_FAILURES``, 5; ``ADMIN_LOCKOUT_MINUTES``, 15).
        admin_session_hours: lifetime of a staff sign-in (``ADMIN_SESSION_HOURS``, 8).
        conversation_retention_days: how many days raw message texts are kept
            in the conversations (tracker events), the audit trail and the
            feedback comments before ``python -m bot privacy purge`` removes
            them (``CONVERSATION_RETENTION_DAYS``, default 180, at least 1;
            Decree 13/2023/NĐ-CP, :mod:`bot.db.privacy`).
        widget_privacy_notice: the short notice the website widget shows under
            its title (``WIDGET_PRIVACY_NOTICE``; unset: :data:`DEFAULT_PRIVACY_NOTICE`
            with ``{days}`` the retention; set but empty: no notice).
        handoff_telegram_chat_id: the Telegram group where staff answer users
            handed off to a person (``HANDOFF_TELEGRAM_CHAT_ID``, e.g.
            ``-1001234567890``); empty: the assistant offers no person and
            says where to call or write instead (:mod:`bot.channels.handoff`).
        handoff_hours: when staff answer (``HANDOFF_HOURS``, default
            ``mon-fri 07:30-17:00``, local Asia/Ho_Chi_Minh time;
            :class:`bot.domain.office_hours.OfficeHours`).
        handoff_idle_hours: an open hand-off with no message either way for
            this many hours ends by itself (``HANDOFF_IDLE_HOURS``, default 24).
        handoff_contact_text: what the user is told instead of a hand-off when
            no staff group is set (``HANDOFF_CONTACT_TEXT``).
    """

    database_url: str
    db_timeout_s: float
    today: str
    data_dir: Path
    action_timeout_s: float = 10.0
    identity_channels: Tuple[str, ...] = ("telegram", "zalo")
    link_code_ttl_hours: float = 72.0
    link_max_failures: int = 5
    link_lockout_minutes: float = 15.0
    reminder_days: Tuple[int, ...] = (7, 1)
    reminder_interval_s: float = 300.0
    reminder_catchup_days: int = 2
    rest: RestSettings = RestSettings()
    directive_full_text_url: str = ""
    conversations_db: Path = PROJECT_ROOT / "var" / "conversations.sqlite"
    correction_window_days: int = 7
    webchat_session_secret: str = ""
    webchat_secret_file: Path = PROJECT_ROOT / "var" / "webchat-session.key"
    admin_token: str = ""
    admin_max_failures: int = 5
    admin_lockout_minutes: float = 15.0
    admin_session_hours: float = 8.0
    conversation_retention_days: int = 180
    widget_privacy_notice: str = ""
    handoff_telegram_chat_id: str = ""
    handoff_hours: str = "mon-fri 07:30-17:00"
    handoff_idle_hours: float = 24.0
    handoff_contact_text: str = ""


_read: Tuple[object, Optional[Settings]] = (None, None)


def load_settings() -> Settings:
    """The :class:`Settings` of the current environment.

    Read again whenever the environment changed since the last call (tests
    change it); otherwise the last reading is returned (the Rasa server asks
    several times per message: reading cost 2 % of its CPU). Settings are
    frozen, so sharing them is safe.

    Raises:
        ValueError: a whole-number setting (e.g. ``LINK_MAX_FAILURES``) is not a
            number (on every call, never cached).
    """
    global _read
    # CPython's raw environment: the same bytes objects while nothing changes, so
    # comparing with the last key is a pass of identity checks.
    key = tuple(getattr(os.environ, "_data", os.environ).items())
    if _read[0] != key:
        _read = (key, _read_settings())
    return _read[1]  # type: ignore[return-value]


def _read_settings() -> Settings:
    env = os.environ
    default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
    retention = max(1, int(_number("CONVERSATION_RETENTION_DAYS", 180)))
    return Settings(
        database_url=env.get("DATABASE_URL") or default_db,
        db_timeout_s=float(env.get("DB_TIMEOUT_S") or 3),
        action_timeout_s=max(0.5, _number("ACTION_TIMEOUT_S", 10.0)),
        today=env.get("ASSISTANT_TODAY", "").strip(),
        data_dir=Path(env.get("ASSISTANT_DATA_DIR") or DATA_DIR),
        identity_channels=_words(env.get("IDENTITY_CHANNELS"), ("telegram", "zalo")),
        link_code_ttl_hours=float(env.get("LINK_CODE_TTL_HOURS") or 72),
        link_max_failures=int(env.get("LINK_MAX_FAILURES") or 5),
        link_lockout_minutes=float(env.get("LINK_LOCKOUT_MINUTES") or 15),
        reminder_days=tuple(sorted({int(d) for d in _words(env.get("REMINDER_DAYS"), ("7", "1"))}, reverse=True)),
        reminder_interval_s=float(env.get("REMINDER_INTERVAL_S") or 300),
        reminder_catchup_days=int(env.get("REMINDER_CATCHUP_DAYS") or 2),
        conversations_db=Path(env.get("CONVERSATIONS_DB") or PROJECT_ROOT / "var" / "conversations.sqlite"),
        rest=RestSettings(
            max_message_chars=int(_number("REST_MAX_MESSAGE_CHARS", RestSettings.max_message_chars)),
            max_body_bytes=int(_number("REST_MAX_BODY_BYTES", RestSettings.max_body_bytes)),
            rate_limit_messages=int(_number("REST_RATE_LIMIT_MESSAGES", RestSettings.rate_limit_messages)),
            rate_limit_window_s=_number("REST_RATE_LIMIT_WINDOW_S", RestSettings.rate_limit_window_s),
            max_concurrent=int(_number("REST_MAX_CONCURRENT", RestSettings.max_concurrent)),
        ),
        directive_full_text_url=(env.get("DIRECTIVE_FULL_TEXT_URL") or "").strip(),
        correction_window_days=max(0, int(_number("CORRECTION_WINDOW_DAYS", 7))),
        webchat_session_secret=(env.get("WEBCHAT_SESSION_SECRET") or "").strip(),
        admin_token=(env.get("ADMIN_TOKEN") or "").strip(),
        admin_max_failures=max(1, int(_number("ADMIN_MAX_FAILURES", 5))),
        admin_lockout_minutes=max(0.1, _number("ADMIN_LOCKOUT_MINUTES", 15)),
        admin_session_hours=max(0.1, _number("ADMIN_SESSION_HOURS", 8)),
        conversation_retention_days=retention,
        widget_privacy_notice=DEFAULT_PRIVACY_NOTICE.format(days=retention)
        if env.get("WIDGET_PRIVACY_NOTICE") is None else env["WIDGET_PRIVACY_NOTICE"].strip(),
        handoff_telegram_chat_id=(env.get("HANDOFF_TELEGRAM_CHAT_ID") or "").strip(),
        handoff_hours=(env.get("HANDOFF_HOURS") or "").strip() or Settings.handoff_hours,
        handoff_idle_hours=max(0.0, _number("HANDOFF_IDLE_HOURS", 24.0)),
        handoff_contact_text=(env.get("HANDOFF_CONTACT_TEXT") or "").strip() or DEFAULT_HANDOFF_CONTACT,
    )


_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand(value: object) -> Optional[str]:
    """A channel setting from ``credentials.yml`` with every ``${VAR}`` replaced
    by the environment variable's value.

    ``credentials.yml`` quotes its references (``"${TELEGRAM_TOKEN}"``) so that
    Rasa leaves them alone (it refuses to start when a plain ``${VAR}`` is
    unset); the connectors expand them here. Output: the value, stripped, or
    ``None`` when it is empty or refers to an unset or empty variable.
    """
    if value is None:
        return None
    text = str(value)
    missing = False

    def substitute(match: "re.Match[str]") -> str:
        nonlocal missing
        found = os.environ.get(match.group(1))
        if not found:
            missing = True
            return ""
        return found

    text = _REFERENCE.sub(substitute, text).strip()
    return None if missing or not text else text


@dataclass(frozen=True)
class ServerSettings:
    """Where ``python -m bot serve`` (``make run``) puts its two servers.

    ``RASA_HOST`` (127.0.0.1), ``RASA_PORT`` (5005), ``ACTION_PORT`` (5055, always
    on 127.0.0.1), ``RASA_AUTH_TOKEN`` (unset: Rasa's HTTP API is off; set: on,
    token-protected), ``RASA_CORS`` (``*``: the origins allowed to call the
    server from a browser).
    """

    rasa_host: str
    rasa_port: int
    action_port: int
    auth_token: Optional[str]
    cors: str


def server_settings() -> ServerSettings:
    """Read :class:`ServerSettings` from the environment."""
    env = os.environ
    return ServerSettings(
        rasa_host=env.get("RASA_HOST") or "127.0.0.1",
        rasa_port=int(env.get("RASA_PORT") or 5005),
        action_port=int(env.get("ACTION_PORT") or 5055),
        auth_token=env.get("RASA_AUTH_TOKEN") or None,
        cors=env.get("RASA_CORS") or "*",
    )


# Defaults of the scale-out configuration's variables on this machine; the
# variables themselves are read by Rasa (``${VAR}`` in deploy/endpoints.cluster.yml).
CLUSTER_DEFAULTS: Dict[str, str] = {
    "RASA_SERVERS": "2", "LB_PORT": "8080", "RASA_PORT_BASE": "5105", "ACTION_PORT": "5155",
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/tro_ly_797",
    "TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": "rasa_trackers",
    "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": "", "TRACKER_DB_LOGIN_DB": "postgres",
    "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "1", "REDIS_PASSWORD": "",
    "REDIS_KEY_PREFIX": "troly797", "REST_RATE_LIMIT_MESSAGES": "30", "ACTION_TIMEOUT_S": "6",
    "TICKET_LOCK_LIFETIME": "20", "NGINX_RATE": "100", "NGINX_BURST": "500",
}


def cluster_settings(environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The scale-out configuration's variables (:data:`CLUSTER_DEFAULTS` where
    unset), plus ``ACTION_ENDPOINT_URL`` (default the action server on
    ``ACTION_PORT``), ``CLUSTER_RUN_DIR`` (default ``var/cluster``) and
    ``CHANNEL_STATE_URL`` (default the cluster's Redis, ``REDIS_*``), read
    from ``environ`` (default: this process's environment; the benchmark
    passes its own)."""
    environ = os.environ if environ is None else environ
    out = {key: environ.get(key, default) for key, default in CLUSTER_DEFAULTS.items()}
    out["ACTION_ENDPOINT_URL"] = environ.get("ACTION_ENDPOINT_URL") or \
        f"http://127.0.0.1:{out['ACTION_PORT']}/webhook"
    out["CLUSTER_RUN_DIR"] = environ.get("CLUSTER_RUN_DIR") or str(PROJECT_ROOT / "var" / "cluster")
    # the channels' short-lived state goes to the cluster's Redis (bot.channels.state)
    password = f":{quote(out['REDIS_PASSWORD'], safe='')}@" if out["REDIS_PASSWORD"] else ""
    out["CHANNEL_STATE_URL"] = environ.get("CHANNEL_STATE_URL") or \
        f"redis://{password}{out['REDIS_HOST']}:{out['REDIS_PORT']}/{out['REDIS_DB']}"
    return out


@dataclass(frozen=True)
class ChannelStateSettings:
    """The Telegram and Zalo connectors' short-lived shared state
    (:mod:`bot.channels.state`).

    Attributes:
        url: ``CHANNEL_STATE_URL``: ``redis://[:password@]host:port/db`` for Redis
            (the scale-out configuration), else a SQLAlchemy URL; default
            ``sqlite:///<project>/var/channel_state.sqlite``.
        zalo_choice_ttl_s: how long a numbered list sent on Zalo can be answered
            with its number (``ZALO_CHOICE_TTL_MINUTES``, default 30), in seconds.
        telegram_button_ttl_s: how long a Telegram button with a long payload
            still works (``TELEGRAM_BUTTON_TTL_DAYS``, default 30), in seconds.
    """

    url: str
    zalo_choice_ttl_s: float = 30 * 60.0
    telegram_button_ttl_s: float = 30 * 86400.0


def channel_state_settings() -> ChannelStateSettings:
    """Read :class:`ChannelStateSettings` from the environment (a value that is
    not a number is logged and replaced by its default)."""
    return ChannelStateSettings(
        url=(os.environ.get("CHANNEL_STATE_URL") or "").strip()
        or f"sqlite:///{PROJECT_ROOT / 'var' / 'channel_state.sqlite'}",
        zalo_choice_ttl_s=max(1.0, _number("ZALO_CHOICE_TTL_MINUTES", 30) * 60),
        telegram_button_ttl_s=max(60.0, _number("TELEGRAM_BUTTON_TTL_DAYS", 30) * 86400),
    )


def environment() -> Dict[str, str]:
    """A copy of the whole environment, for the child processes the launcher starts."""
    return dict(os.environ)


def _number(name: str, default: float) -> float:
    """``float(os.environ[name])``, or ``default`` when unset, empty or not a number (logged)."""
    value = os.environ.get(name)
    if value in (None, ""):
        return float(default)
    try:
        return float(value)
    except ValueError:
        logger.warning("setting %s=%r is not a number; using %s", name, value, default)
        return float(default)


def _words(value: Optional[str], default: Tuple[str, ...]) -> Tuple[str, ...]:
    """Comma-separated setting as a tuple of non-empty, stripped, lower-case words."""
    if value is None or not value.strip():
        return tuple(default)
    return tuple(w.strip().lower() for w in value.split(",") if w.strip())
