#!/usr/bin/env python3
"""Say which channels `make run` will start, from credentials.yml and the environment.

Usage: ``python scripts/channels.py [--credentials credentials.yml] [--host H --port P]``

``credentials.yml`` refers to every setting as a quoted ``"${VAR}"``; the
connectors expand them and switch a channel off when a required variable is
unset or empty (see ``bot.channels``). This script applies the same rule and
prints one line per channel: on (with its local webhook address) or off (with
the variables to set). Only variable names are printed, never values.
Exit status 0; 2 if ``credentials.yml`` cannot be read.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Dict, List, Mapping, Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.channel_config import TELEGRAM_REQUIRED, ZALO_REQUIRED, setting  # noqa: E402  (no Rasa import: fast)

WIDGET_BUNDLE = ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js"

# credentials section -> (label, required keys -> variable, path under the server)
CHANNELS: Dict[str, tuple] = {
    "rest": ("REST", {}, "/webhooks/rest/webhook"),
    "bot.channels.rest.GuardedRestInput": ("REST", {}, "/webhooks/rest/webhook"),
    "bot.channels.webchat.SocketIOInput": ("Website widget", {}, "/widget/"),
    "bot.channels.telegram.TelegramInput": ("Telegram", TELEGRAM_REQUIRED, "/webhooks/telegram/webhook"),
    "bot.channels.zalo.ZaloInput": ("Zalo OA", ZALO_REQUIRED, "/webhooks/zalo/webhook"),
}


def report(credentials: Mapping, base_url: str, env: Optional[Mapping[str, str]] = None) -> List[str]:
    """One line per known channel in ``credentials``: on with its address, or off with what to set."""
    lines: List[str] = []
    saved = dict(os.environ)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    try:
        for section, (label, required, path) in CHANNELS.items():
            if section not in credentials:
                continue
            settings = credentials.get(section) or {}
            missing = [var for key, var in required.items() if not setting(settings.get(key))]
            if missing:
                lines.append(f"  {label:<15} off  (set {', '.join(missing)})")
            elif section.endswith("SocketIOInput") and not WIDGET_BUNDLE.exists():
                lines.append(f"  {label:<15} on   {base_url}/socket.io/ (page /widget/ off: run `make widget`)")
            else:
                lines.append(f"  {label:<15} on   {base_url}{path}")
    finally:
        if env is not None:
            os.environ.clear()
            os.environ.update(saved)
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=Path, default=ROOT / "credentials.yml")
    parser.add_argument("--host", default=os.environ.get("RASA_HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("RASA_PORT", "5005"))
    args = parser.parse_args(argv)
    try:
        credentials = yaml.safe_load(args.credentials.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        print(f"Cannot read {args.credentials}: {error}", file=sys.stderr)
        return 2
    print("Channels:")
    print("\n".join(report(credentials, f"http://{args.host}:{args.port}")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
