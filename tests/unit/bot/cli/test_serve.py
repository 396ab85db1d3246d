"""``python -m bot serve`` helpers (the process itself is tested in tests/e2e)."""
from __future__ import annotations

import yaml

from bot.cli.serve import endpoints_for


def test_endpoints_keep_every_section_and_point_at_the_started_action_server(tmp_path):
    source = tmp_path / "endpoints.yml"
    source.write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n"
                      "tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: var/trackers.db\n")
    target = endpoints_for("http://127.0.0.1:6111/webhook", source=source, target=tmp_path / "run" / "e.yml")
    doc = yaml.safe_load(target.read_text())
    assert doc["action_endpoint"]["url"] == "http://127.0.0.1:6111/webhook"
    assert doc["tracker_store"] == {"type": "SQL", "dialect": "sqlite", "db": "var/trackers.db"}
