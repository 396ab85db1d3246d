"""``bot.server.cluster``: the channels of the shipped cluster configuration
(``deploy/credentials.cluster.yml``) and the nginx configuration rendered from
``deploy/nginx.conf`` (checked by the real ``nginx -t`` when nginx is installed)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from bot.channels.config import TELEGRAM_REQUIRED, ZALO_REQUIRED
from bot.server.cluster import channels, render_nginx

BASE = "http://127.0.0.1:8080"


def test_every_channel_is_in_the_cluster_configuration_and_on_when_its_variables_are_set(monkeypatch) -> None:
    for var in [*TELEGRAM_REQUIRED.values(), *ZALO_REQUIRED.values()]:
        monkeypatch.delenv(var, raising=False)
    off = {line.split()[0]: line for line in channels(BASE)}
    assert "on" in off["REST"].split() and "/webhooks/rest/webhook" in off["REST"]
    assert "on" in off["Website"].split()
    assert "off" in off["Telegram"].split() and "TELEGRAM_TOKEN" in off["Telegram"]
    assert "off" in off["Zalo"].split() and "ZALO_OA_SECRET_KEY" in off["Zalo"]

    for var in [*TELEGRAM_REQUIRED.values(), *ZALO_REQUIRED.values()]:
        monkeypatch.setenv(var, "set-for-the-test")
    on = {line.split()[0]: line for line in channels(BASE)}
    assert on["Telegram"].split()[1:] == ["on", f"{BASE}/webhooks/telegram/webhook"]
    assert on["Zalo"].split()[2:] == ["on", f"{BASE}/webhooks/zalo/webhook"]
    assert "set-for-the-test" not in "\n".join(on.values())  # names only, never values


def test_rendered_nginx_routes_every_channel(tmp_path) -> None:
    conf = render_nginx(tmp_path, "127.0.0.1:18080", [15105, 15106]).read_text()
    assert conf.count("server 127.0.0.1:15105 ") == 2 and conf.count("server 127.0.0.1:15106 ") == 2
    for location in ("location /webhooks/", "location ~ ^/webhooks/(telegram|zalo)/", "location /widget/",
                     "location /socket.io/"):
        assert location in conf
    assert "hash $remote_addr consistent;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (make nginx): syntax not checked")
    check = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
