"""Session ids of the website widget: issued by the server, verifiable by any
server that holds the same key, impossible to guess or forge.

A session id is ``<random>.<tag>``:

- ``<random>``: 16 bytes from :func:`secrets.token_bytes` (128 random bits,
  above the 122 of a UUID4), base64url without padding: 22 characters;
- ``<tag>``: HMAC-SHA256 of ``<random>`` under the server's key, truncated to
  its first 16 bytes (128 bits, RFC 2104 allows truncation to half the
  length), base64url: 22 characters.

So a server recognises the ids it (or a sibling server with the same key)
issued without remembering them: no shared memory, restarts keep working, and
a guessed or made-up id fails the tag check (compared with
:func:`hmac.compare_digest`). The key is ``WEBCHAT_SESSION_SECRET``
(:mod:`bot.settings`) or, when that is unset, 32 random bytes kept in
``var/webchat-session.key`` (mode 0600), created once by whichever server
starts first, so every server on the same checkout accepts the same ids.
Changing the key ends every widget conversation: visitors get new ids and
start afresh.

No Rasa import here.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import re
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Optional

from bot.settings import Settings, load_settings

logger = logging.getLogger(__name__)

RANDOM_BYTES = 16  # 128 random bits per id
TAG_BYTES = 16  # HMAC-SHA256 truncated to 128 bits
KEY_BYTES = 32
# the HMAC input names its purpose, so the key can never sign anything else by accident
CONTEXT = b"tro-ly-797/webchat-session/v1:"
_B64 = r"[A-Za-z0-9_-]"
SESSION_ID = re.compile(rf"{_B64}{{22}}\.{_B64}{{22}}")
MIN_SECRET_CHARS = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class SessionIds:
    """Issues and verifies widget session ids under one key.

    Args:
        key: the HMAC key (bytes, any length; 32 random bytes by default).
    """

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("a session key must not be empty")
        self._key = key

    def _tag(self, random_part: str) -> str:
        digest = hmac.new(self._key, CONTEXT + random_part.encode("ascii"), hashlib.sha256).digest()
        return _b64(digest[:TAG_BYTES])

    def issue(self) -> str:
        """A new session id, e.g. ``"Q2w0…Zg.x9Vd…3A"`` (45 ASCII characters)."""
        random_part = _b64(secrets.token_bytes(RANDOM_BYTES))
        return f"{random_part}.{self._tag(random_part)}"

    def verify(self, candidate: object) -> Optional[str]:
        """``candidate`` when it is an id this key issued, else ``None``.

        Input: anything a client sent (``None``, numbers, objects, old UUID-hex
        ids, forged ids). Never raises.
        """
        if not isinstance(candidate, str) or not SESSION_ID.fullmatch(candidate):
            return None
        random_part, _, tag = candidate.partition(".")
        return candidate if hmac.compare_digest(self._tag(random_part), tag) else None


def session_ids(settings: Optional[Settings] = None) -> SessionIds:
    """The :class:`SessionIds` of this server: keyed by ``WEBCHAT_SESSION_SECRET``
    when set, else by the key file (:func:`key_from_file`).

    A key file that cannot be read, created or parsed (read-only checkout, a
    damaged file) does not stop the server: it logs an error and uses a key of
    this process only, so ids then do not survive a restart and other servers
    refuse them.
    """
    settings = settings or load_settings()
    if settings.webchat_session_secret:
        if len(settings.webchat_session_secret) < MIN_SECRET_CHARS:
            logger.warning("WEBCHAT_SESSION_SECRET is shorter than %d characters: use a long random value",
                           MIN_SECRET_CHARS)
        return SessionIds(settings.webchat_session_secret.encode("utf-8"))
    try:
        return SessionIds(key_from_file(settings.webchat_secret_file))
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        logger.error("webchat: cannot use the session key file %s (%s); widget sessions will not survive a "
                     "restart. Set WEBCHAT_SESSION_SECRET, or fix the file or its folder.",
                     settings.webchat_secret_file, reason)
        return SessionIds(secrets.token_bytes(KEY_BYTES))


def key_from_file(path: Path) -> bytes:
    """The key kept in ``path`` (hex text), created with 32 random bytes and mode
    0600 when missing.

    Creation is atomic (a temporary file linked into place), so servers
    starting together agree on one key and never read a half-written file.

    Raises:
        OSError: the file or its folder cannot be read or written.
        ValueError: the file exists but holds no hex key.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".webchat-key-", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(KEY_BYTES) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
                logger.info("webchat: created the session key file %s", path)
            except FileExistsError:
                pass  # another server created it first: use theirs
        finally:
            os.unlink(temporary)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("webchat: %s is readable by other users (mode %o); run chmod 600 on it", path, mode)
    text = path.read_text(encoding="ascii").strip()
    try:
        key = binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        raise ValueError(f"{path} does not hold a hex key; delete it to have a new one made") from None
    if not key:
        raise ValueError(f"{path} is empty; delete it to have a new one made")
    return key
