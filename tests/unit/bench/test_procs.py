"""What the benchmark reads from /proc (issue 12): CPU ticks, PSS, and the CPU
time per message summed over process trees and runs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bench.procs import (
    CLOCK_TICKS,
    cpu_ms_per_message,
    cpu_seconds,
    cpu_ticks,
    parse_cpu_ticks,
    parse_pss_kb,
    service_pids,
    tree_pids,
    tree_pss,
    tree_rss,
)
from bench.serve import cpu_per_message

# A real line, with a command name holding spaces and parentheses:
# utime (field 14) 1234, stime (field 15) 56, cutime/cstime 7/8 (not counted).
STAT = ("4242 (rasa (worker) 1) S 1 4242 4242 0 -1 4194560 90000 0 12 0 1234 56 7 8 20 0 5 0 "
        "28267 3133440 385 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0")

SMAPS_ROLLUP = """55d0c0000000-7ffd00000000 ---p 00000000 00:00 0                          [rollup]
Rss:              812340 kB
Pss:              701234 kB
Pss_Dirty:        600000 kB
Pss_Anon:         590000 kB
Pss_File:         111234 kB
Shared_Clean:     150000 kB
"""


def test_parse_cpu_ticks_counts_user_and_system_time_after_the_command_name() -> None:
    assert parse_cpu_ticks(STAT) == 1234 + 56
    assert parse_cpu_ticks(open(f"/proc/{os.getpid()}/stat").read()) >= 0


@pytest.mark.parametrize("text", ["", "4242 (rasa) S 1 2", "no parenthesis at all 1 2 3 4 5 6 7 8 9 10 11 12 13"])
def test_parse_cpu_ticks_rejects_what_is_not_a_stat_line(text: str) -> None:
    with pytest.raises(ValueError):
        parse_cpu_ticks(text)


def test_parse_pss_reads_only_the_pss_line() -> None:
    assert parse_pss_kb(SMAPS_ROLLUP) == 701234
    with pytest.raises(ValueError):
        parse_pss_kb("Rss: 10 kB\nPss_Anon: 5 kB\n")


def test_pss_of_a_live_tree_is_positive_and_below_its_rss() -> None:
    pss, rss = tree_pss(os.getpid()), tree_rss(os.getpid())
    assert 0 < pss <= rss


def test_gone_process_has_no_memory_and_no_ticks() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert tree_pss(child.pid) == 0 and cpu_ticks([child.pid]) == {}


def test_cpu_seconds_sum_the_increase_of_every_process_and_count_newcomers_from_zero() -> None:
    before = {1: 100, 2: 50, 3: 10}            # 3 exits in between: its time is lost
    after = {1: 130, 2: 50, 4: 20}             # 4 is born in between
    assert cpu_seconds(before, after, hz=100) == pytest.approx((30 + 0 + 20) / 100)
    assert cpu_ms_per_message(0.5, 100) == 5.0 and cpu_ms_per_message(0.5, 0) is None


def test_cpu_ticks_of_a_tree_include_a_busy_grandchild() -> None:
    # a python parent waiting for a python child that burns 0.3 s of CPU, then sleeps
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    parent = subprocess.Popen([sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])"])
    try:
        before = cpu_ticks([parent.pid])
        deadline = time.monotonic() + 30
        while True:
            after = cpu_ticks([parent.pid])
            child_ticks = sum(ticks for pid, ticks in after.items() if pid != parent.pid)
            if child_ticks >= 0.3 * CLOCK_TICKS - 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(after) == 2, after          # the parent and its child
        assert cpu_seconds(before, after) >= 0.3 - 2 / CLOCK_TICKS
    finally:
        for pid in sorted(tree_pids(parent.pid), reverse=True):
            os.kill(pid, signal.SIGKILL)
        parent.wait()


def test_cpu_per_message_pools_cpu_time_over_runs() -> None:
    runs = [{"messages": 100, "cpu_s": {"rasa": 1.0, "actions": 0.2}},
            {"messages": 300, "cpu_s": {"rasa": 5.0, "actions": 0.6}}]
    assert cpu_per_message(runs) == {"actions": 2.0, "rasa": 15.0}
    assert cpu_per_message([]) == {}


def test_service_pids_finds_the_root_of_each_tree_of_a_command(tmp_path) -> None:
    shell = tmp_path / "svc797"
    shell.write_bytes(open("/bin/sh", "rb").read())
    shell.chmod(0o755)
    # svc797 -> svc797 (the "; :" keeps the inner shell from exec-ing sleep) -> sleep
    root = subprocess.Popen([str(shell), "-c", f"{shell} -c 'sleep 30; :'; :"])
    try:
        deadline = time.monotonic() + 10
        while len(tree_pids(root.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service_pids("svc797") == [root.pid]
        assert service_pids("no-such-command") == []
    finally:
        for pid in tree_pids(root.pid):
            os.kill(pid, signal.SIGKILL)
        root.wait()
