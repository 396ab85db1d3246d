"""The operators' console as a Sanic blueprint on the Rasa server's own port.

``credentials.yml`` lists ``bot.admin.console.AdminConsole`` like the widget
page; it handles no chat messages. Everything is under ``/admin/``:

- ``GET /admin/`` the page (``web/admin/index.html``), ``GET /admin/console.js``,
  ``/admin/console.css``, and ``/admin/chart.js`` (Chart.js from npm, installed
  by ``make widget`` into ``web/node_modules``; never a CDN).
- ``POST /admin/login`` ``{"username", "password"}`` sets the staff session
  cookie (HttpOnly, SameSite=Strict, Secure behind HTTPS); ``POST /admin/logout``.
- JSON API, with the session cookie or ``Authorization: Bearer <ADMIN_TOKEN>``
  (else 401 and no data): ``GET /admin/api/status`` (the matrix),
  ``/admin/api/agency/<code>``, ``/admin/api/export.xlsx`` and ``.csv``,
  ``/admin/api/unanswered?since=YYYY-MM-DD[&all=1]``, ``POST
  /admin/api/unanswered/handled`` ``{"key", "handled": bool}``,
  ``/admin/api/insight?since=YYYY-MM-DD``, ``/admin/api/feedback?since=YYYY-MM-DD``
  (ratings of answers, worst first), ``/admin/api/health``, ``/admin/api/me``.

Without ``ADMIN_TOKEN`` every route answers 503 with a sentence saying how to
switch the console on. Wrong passwords and tokens count against the client
address (:class:`bot.admin.auth.FailureLimiter`; 429 past the limit) and are
logged without the secret. The page renders user text with ``textContent``
only, and a Content-Security-Policy allows scripts from this server alone.
"""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import yaml
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.admin import compliance, health, insight
from bot.admin.auth import COOKIE_NAME, FailureLimiter, SessionCookies, token_matches
from bot.admin.staff import StaffRepository
from bot.db.accounts import AccountRepository
from bot.db.repository import Repository
from bot.db.session import make_engine
from bot.db.views import UnknownAgencyError
from bot.domain.dates import local_today
from bot.settings import PROJECT_ROOT, load_settings

logger = logging.getLogger(__name__)

WEB_DIR = PROJECT_ROOT / "web"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
DEFAULT_DAYS = 30  # the insight views cover the last 30 local days unless ?since= says otherwise
MACHINE_USER = "api-token"  # who the audit names for changes made with ADMIN_TOKEN
OFF_MESSAGE = ("Bảng điều khiển vận hành đang tắt. Quản trị viên cần đặt biến môi trường ADMIN_TOKEN "
               "rồi khởi động lại trợ lý để bật.")
NEED_LOGIN = "Cần đăng nhập (hoặc gửi Authorization: Bearer <ADMIN_TOKEN>)."
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
TOO_MANY = "Sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
BAD_SINCE = "Tham số since phải là ngày dạng YYYY-MM-DD, ví dụ 2026-01-31."
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
}
ASSETS = {"console.js": ("admin/console.js", "application/javascript; charset=utf-8"),
          "console.css": ("admin/console.css", "text/css; charset=utf-8"),
          "chart.js": ("node_modules/chart.js/dist/chart.umd.min.js", "application/javascript; charset=utf-8")}


def tracker_engine(app: Any) -> Optional[Any]:
    """The SQLAlchemy engine of the Rasa server's tracker store (through Rasa's
    wrappers), or ``None`` when the store is not a SQL one."""
    store = getattr(getattr(app.ctx, "agent", None), "tracker_store", None)
    for _ in range(4):
        if store is None or hasattr(store, "engine"):
            break
        store = getattr(store, "_tracker_store", None)
    return getattr(store, "engine", None)


def parse_since(value: Optional[str], today: date) -> date:
    """``?since=YYYY-MM-DD`` as a local date; default :data:`DEFAULT_DAYS` days before ``today``.

    Raises:
        ValueError: not an ISO date.
    """
    if not value:
        return today - timedelta(days=DEFAULT_DAYS)
    return date.fromisoformat(value.strip())


def _json(body: Any, status: int = 200, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json(body, status=status, headers={"Cache-Control": "no-store", **SECURITY_HEADERS,
                                                        **(headers or {})},
                         dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))


def _body(request: Request) -> Dict[str, Any]:
    """The request's JSON object, or ``{}`` for anything else (no body, bad JSON, a list)."""
    try:
        body = request.json
    except SanicException:
        return {}
    return body if isinstance(body, dict) else {}


def _client(request: Request) -> str:
    return request.remote_addr or request.ip or "?"


def _https(request: Request) -> bool:
    return request.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


class AdminConsole(InputChannel):
    """The operators' console (see the module docstring). ``credentials.yml``
    keys (optional): ``web_dir`` (default ``web/``), ``credentials_file`` (the
    file whose channels the health view reports; default ``credentials.yml``)."""

    @classmethod
    def name(cls) -> Text:
        return "admin"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(Path(credentials.get("web_dir") or WEB_DIR),
                   Path(credentials.get("credentials_file") or CREDENTIALS))

    def __init__(self, web_dir: Path = WEB_DIR, credentials_file: Path = CREDENTIALS) -> None:
        self.web_dir = web_dir
        self.credentials_file = credentials_file

    def url_prefix(self) -> Text:
        return "/admin"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The console's routes (module docstring); all answer 503 while ``ADMIN_TOKEN`` is unset."""
        admin = Blueprint("admin_console", __name__)
        settings = load_settings()
        token = settings.admin_token
        limiter = FailureLimiter(settings.admin_max_failures, settings.admin_lockout_minutes * 60)
        cookies = SessionCookies(token, settings.admin_session_hours * 3600)
        state: Dict[str, Any] = {}

        def engine():
            if "engine" not in state:
                state["engine"] = make_engine()
            return state["engine"]

        def run(fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
            """Database work off the event loop (Rasa's own turns keep running)."""
            return asyncio.to_thread(fn, *args)

        def too_many(client: str) -> Optional[HTTPResponse]:
            wait = limiter.retry_after(client)
            if wait <= 0:
                return None
            minutes = max(1, round(wait / 60))
            return _json({"error": TOO_MANY.format(minutes=minutes)}, 429, {"Retry-After": str(int(wait) + 1)})

        async def who(request: Request) -> Optional[str]:
            """The staff username (or :data:`MACHINE_USER`) making the request, else None;
            a wrong token counts as a failure and is logged without its value."""
            authorization = request.headers.get("authorization")
            if authorization:
                if token_matches(authorization, token):
                    return MACHINE_USER
                limiter.fail(_client(request))
                logger.warning("admin: a wrong API token from %s", _client(request))
                return None
            username = cookies.username(request.cookies.get(COOKIE_NAME))
            if username and await run(StaffRepository(engine()).is_active, username):
                return username
            return None

        def guarded(handler: Callable[..., Awaitable[HTTPResponse]]) -> Callable[..., Awaitable[HTTPResponse]]:
            """Refuses with 503 while off, 429 while the client is locked out, 401 without a valid identity."""
            async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                if not token:
                    return _json({"error": OFF_MESSAGE}, 503)
                refused = too_many(_client(request))
                if refused is not None:
                    return refused
                user = await who(request)
                if user is None:
                    return _json({"error": NEED_LOGIN}, 401)
                return await handler(request, user, *args, **kwargs)
            wrapper.__name__ = handler.__name__
            return wrapper

        @admin.route("/", methods=["GET"])
        async def page(_: Request) -> HTTPResponse:
            if not token:
                return response.text(OFF_MESSAGE, status=503)
            return await response.file(str(self.web_dir / "admin" / "index.html"), mime_type="text/html; charset=utf-8",
                                       headers={"Cache-Control": "no-cache", **SECURITY_HEADERS})

        @admin.route("/<asset:(console\\.js|console\\.css|chart\\.js)>", methods=["GET"])
        async def static(_: Request, asset: str) -> HTTPResponse:
            if not token:
                return response.text(OFF_MESSAGE, status=503)
            relative, mime = ASSETS[asset]
            path = self.web_dir / relative
            if not path.exists():
                return response.text(f"{relative} is missing: run `make widget`.", status=503)
            return await response.file(str(path), mime_type=mime, headers={"Cache-Control": "no-cache"})

        @admin.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            if not token:
                return _json({"error": OFF_MESSAGE}, 503)
            client = _client(request)
            refused = too_many(client)
            if refused is not None:
                return refused
            body = _body(request)
            username, password = str(body.get("username") or ""), str(body.get("password") or "")
            user = await run(StaffRepository(engine()).verify, username, password) if username and password else None
            if user is None:
                limiter.fail(client)
                logger.warning("admin: a failed staff sign-in from %s", client)
                return _json({"error": WRONG_LOGIN}, 401)
            answer = _json({"user": user})
            answer.cookies[COOKIE_NAME] = cookies.issue(user)
            cookie = answer.cookies[COOKIE_NAME]
            cookie["httponly"] = True
            cookie["samesite"] = "Strict"
            cookie["path"] = "/admin"
            cookie["max-age"] = int(cookies.lifetime_s)
            if _https(request):
                cookie["secure"] = True
            return answer

        @admin.route("/logout", methods=["POST"])
        async def logout(_: Request) -> HTTPResponse:
            answer = _json({"user": None})
            answer.cookies[COOKIE_NAME] = ""
            answer.cookies[COOKIE_NAME]["path"] = "/admin"
            answer.cookies[COOKIE_NAME]["max-age"] = 0
            return answer

        @admin.route("/api/me", methods=["GET"])
        @guarded
        async def me(_: Request, user: str) -> HTTPResponse:
            return _json({"user": user})

        @admin.route("/api/status", methods=["GET"])
        @guarded
        async def status(_: Request, user: str) -> HTTPResponse:
            return _json(await run(compliance.matrix, Repository(engine()), local_today()))

        @admin.route("/api/agency/<code>", methods=["GET"])
        @guarded
        async def agency(_: Request, user: str, code: str) -> HTTPResponse:
            try:
                page_data = await run(compliance.agency_page, Repository(engine()), AccountRepository(engine()),
                                      code, local_today())
            except UnknownAgencyError:
                return _json({"error": f"Không có cơ quan mã '{code}'."}, 404)
            return _json(page_data)

        def export(kind: str) -> Callable[..., Awaitable[HTTPResponse]]:
            async def download(_: Request, user: str) -> HTTPResponse:
                today = local_today()
                data = await run(compliance.export_bytes, Repository(engine()), today, kind)
                return response.raw(data, content_type=compliance.EXPORT_TYPES[kind], headers={
                    "Content-Disposition": f'attachment; filename="tinh-hinh-{today.isoformat()}.{kind}"',
                    "Cache-Control": "no-store"})
            download.__name__ = f"export_{kind}"
            return download

        # one route per file type: Sanic matches parameters only as whole path segments
        for kind in compliance.EXPORT_TYPES:
            admin.add_route(guarded(export(kind)), f"/api/export.{kind}", methods=["GET"], name=f"export_{kind}")

        def since_of(request: Request) -> Optional[date]:
            try:
                return parse_since(request.args.get("since"), local_today())
            except ValueError:
                return None

        @admin.route("/api/unanswered", methods=["GET"])
        @guarded
        async def unanswered(request: Request, user: str) -> HTTPResponse:
            since = since_of(request)
            if since is None:
                return _json({"error": BAD_SINCE}, 400)
            trackers = tracker_engine(request.app)
            if trackers is None:
                return _json({"since": since.isoformat(), "groups": [], "note": "Kho hội thoại không phải SQL."})
            handled = await run(insight.handled_keys, engine())
            groups = await run(insight.unanswered, trackers, since, handled, request.args.get("all") == "1")
            return _json({"since": since.isoformat(), "groups": groups})

        @admin.route("/api/unanswered/handled", methods=["POST"])
        @guarded
        async def handled(request: Request, user: str) -> HTTPResponse:
            body = _body(request)
            key = str(body.get("key") or "").strip()
            if not key:
                return _json({"error": "Thiếu khóa nhóm câu hỏi (key)."}, 400)
            changed = await run(insight.mark_handled, engine(), key, user, body.get("handled", True) is not False)
            return _json({"key": key, "changed": changed})

        @admin.route("/api/insight", methods=["GET"])
        @guarded
        async def insight_view(request: Request, user: str) -> HTTPResponse:
            since = since_of(request)
            if since is None:
                return _json({"error": BAD_SINCE}, 400)
            trackers = tracker_engine(request.app)
            if trackers is None:
                return _json({"since": since.isoformat(), "per_day": [], "intents": []})
            per_day = await run(insight.messages_per_day, trackers, since)
            intents = await run(insight.top_intents, trackers, since)
            return _json({"since": since.isoformat(), "per_day": per_day, "intents": intents})

        @admin.route("/api/feedback", methods=["GET"])
        @guarded
        async def feedback_view(request: Request, user: str) -> HTTPResponse:
            since = since_of(request)
            if since is None:
                return _json({"error": BAD_SINCE}, 400)
            return _json({"since": since.isoformat(), "answers": await run(insight.answer_ratings, engine(), since)})

        @admin.route("/api/health", methods=["GET"])
        @guarded
        async def health_view(request: Request, user: str) -> HTTPResponse:
            try:
                credentials = yaml.safe_load(self.credentials_file.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError):
                credentials = {}
            base = f"{request.scheme}://{request.host}"
            return _json(await run(health.health, engine(), tracker_engine(request.app), credentials, base))

        @admin.listener("after_server_start")
        async def index_events(app: Any, _loop: Any) -> None:
            trackers = tracker_engine(app) if token else None
            if trackers is not None:
                try:
                    await run(insight.ensure_indexes, trackers)
                except Exception:  # noqa: BLE001 - the console works without the index, only slower
                    logger.warning("admin: could not add the console's index to the events table", exc_info=True)

        return admin
