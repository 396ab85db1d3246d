"""CPU time per message over a real load run (issue 12): a REST server that
burns a known amount of CPU per message, in a process of its own, on loopback."""
from __future__ import annotations

import subprocess
import sys
import time

import requests

from bench.serve import measured_load, measured_runs
from bot.server.launcher import free_port

# Burns 20 ms of CPU per message, then answers as Rasa's REST channel does.
SERVER = '''import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
class Rest(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        end = time.process_time() + 0.02
        while time.process_time() < end:
            pass
        body = json.dumps([{"recipient_id": "x", "text": "Dạ, em trả lời ạ."}]).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), Rest).serve_forever()
'''


def test_measured_load_charges_each_process_tree_its_cpu_per_message() -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "w", "message": "x"}, timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the test server did not start"
                time.sleep(0.1)
        result = measured_load(url, ["xin chào"] * 20, 2, "t", {"server": [server.pid], "idle": [idle.pid]})
        assert result["messages"] == 20 and result["errors"] == 0 and result["empty_replies"] == 0
        per_message = result["cpu_ms_per_message"]
        assert 15 <= per_message["server"] < 200, per_message      # 20 ms burnt per message
        assert per_message["idle"] == 0.0 and per_message["load_client"] > 0, per_message
        assert result["cpu_s"]["server"] >= 0.3
        runs = measured_runs(url, {1: 3, 2: 4}, {"server": [server.pid]}, "r")
        assert list(runs) == ["c1", "c2"] and [r["messages"] for r in runs.values()] == [3, 4]
    finally:
        server.kill()
        idle.kill()
        server.wait()
        idle.wait()
