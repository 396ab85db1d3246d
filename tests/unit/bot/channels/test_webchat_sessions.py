"""Widget session ids (bot.channels.webchat_sessions): issued with 128 random
bits, verified by an HMAC tag under one key, the key from
``WEBCHAT_SESSION_SECRET`` or a 0600 file made once and shared by every server
of the checkout."""
from __future__ import annotations

import base64
import stat
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from bot.channels.webchat_sessions import SessionIds, key_from_file, session_ids
from bot.settings import load_settings


def test_issued_ids_verify_and_carry_128_random_bits() -> None:
    ids = SessionIds(b"k" * 32)
    issued = {ids.issue() for _ in range(2000)}
    assert len(issued) == 2000
    for session_id in list(issued)[:50]:
        assert ids.verify(session_id) == session_id
        random_part, tag = session_id.split(".")
        assert len(base64.urlsafe_b64decode(random_part + "==")) * 8 == 128
        assert len(base64.urlsafe_b64decode(tag + "==")) * 8 == 128


def test_forged_tampered_and_foreign_ids_do_not_verify() -> None:
    ids, other = SessionIds(b"one key"), SessionIds(b"another key")
    real = ids.issue()
    random_part, tag = real.split(".")
    for candidate in (None, 42, b"bytes", {"id": real}, "", "3f6c1a2b9d8e4f70a1b2c3d4e5f60718",
                      f"{random_part}.{'A' * 22}", f"{'A' * 22}.{tag}", real + "=", real.upper(), other.issue(),
                      f"{random_part}.{tag[:-1]}{'B' if tag[-1] != 'B' else 'C'}"):
        assert ids.verify(candidate) is None, candidate


def test_the_key_file_is_made_once_with_mode_0600_and_shared(tmp_path: Path) -> None:
    path = tmp_path / "var" / "webchat-session.key"
    keys, errors = [], []

    def read() -> None:
        try:
            keys.append(key_from_file(path))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(8)]  # servers starting together
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(keys)) == 1 and len(keys[0]) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    # an id one server issued verifies on another (or after a restart)
    assert SessionIds(key_from_file(path)).verify(SessionIds(keys[0]).issue())


def test_the_key_comes_from_the_setting_or_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBCHAT_SESSION_SECRET", "a long operator-chosen secret value")
    from_setting = session_ids(load_settings()).issue()
    assert SessionIds(b"a long operator-chosen secret value").verify(from_setting)

    monkeypatch.delenv("WEBCHAT_SESSION_SECRET")
    settings = load_settings()
    assert settings.webchat_session_secret == ""
    settings = replace(settings, webchat_secret_file=tmp_path / "key")
    issued = session_ids(settings).issue()
    assert session_ids(settings).verify(issued) == issued
    assert session_ids(settings).verify(from_setting) is None


def test_a_damaged_or_unwritable_key_file_does_not_stop_the_server(tmp_path: Path, caplog) -> None:
    damaged = tmp_path / "damaged.key"
    damaged.write_text("not hex at all\n")
    with pytest.raises(ValueError, match="delete it"):
        key_from_file(damaged)
    ids = session_ids(replace(load_settings(), webchat_session_secret="", webchat_secret_file=damaged))
    assert ids.verify(ids.issue())
    assert "cannot use the session key file" in caplog.text

    blocked = tmp_path / "a-file" / "key"  # its folder is a file: cannot be created
    (tmp_path / "a-file").write_text("")
    ids = session_ids(replace(load_settings(), webchat_session_secret="", webchat_secret_file=blocked))
    assert ids.verify(ids.issue())
