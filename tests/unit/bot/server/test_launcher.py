"""The launcher (bot.server.launcher) on real processes: readiness, a crash
before readiness, a restart by name, and a clean stop of everything."""
from __future__ import annotations

import sys

import pytest

from bot.server.launcher import Launcher, LaunchError, free_port, write_endpoints


def http_server(port: int):
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def test_ready_restart_and_stop(tmp_path):
    port = free_port()
    with Launcher(log_dir=tmp_path) as launcher:
        web = launcher.start("web", http_server(port), f"http://127.0.0.1:{port}/")
        launcher.wait_ready(timeout_s=30)
        assert web.ready_after_s is not None and web.running()
        first = web.pid
        launcher.kill("web")
        assert not web.running()
        launcher.start("web")  # same command again, by name
        launcher.wait_ready("web", timeout_s=30)
        assert web.pid != first and web.running()
    assert not web.running()  # leaving the block stopped it


def test_a_process_that_dies_before_it_is_ready_is_reported_with_its_log(tmp_path):
    with Launcher(log_dir=tmp_path) as launcher:
        launcher.start("broken", [sys.executable, "-c", "print('cannot start: no model'); raise SystemExit(3)"],
                       f"http://127.0.0.1:{free_port()}/")
        with pytest.raises(LaunchError, match="broken exited before it was ready:\n.*cannot start: no model"):
            launcher.wait_ready(timeout_s=30)


def test_a_process_that_never_answers_times_out(tmp_path):
    with Launcher(log_dir=tmp_path) as launcher:
        launcher.start("mute", [sys.executable, "-c", "import time; time.sleep(60)"], f"http://127.0.0.1:{free_port()}/")
        with pytest.raises(LaunchError, match="did not answer"):
            launcher.wait_ready(timeout_s=1)
    assert not launcher.processes["mute"].running()


def test_endpoints_name_the_action_server(tmp_path):
    path = write_endpoints(tmp_path / "e" / "endpoints.yml", "http://127.0.0.1:5155/webhook")
    assert path.read_text() == ("action_endpoint:\n  url: http://127.0.0.1:5155/webhook\n"
                                "  enable_selective_domain: true\n")
