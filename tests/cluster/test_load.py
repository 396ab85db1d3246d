"""Load across the cluster through nginx: zero lost or empty replies, and the
user events stored in PostgreSQL equal the messages sent.

Shortened in `make test` (CLUSTER_LOAD_SENDERS x CLUSTER_LOAD_MESSAGES, default
40 x 5); `make load` runs 200 x 10. Figures go to results/cluster/load-<senders>x<messages>.json.
"""
from __future__ import annotations

import asyncio
import json
import os

from bench.load import count_user_events, run_senders
from bot.settings import PROJECT_ROOT

from .conftest import Cluster


def test_load_across_cluster(cluster: Cluster) -> None:
    senders = int(os.environ.get("CLUSTER_LOAD_SENDERS") or 40)
    messages = int(os.environ.get("CLUSTER_LOAD_MESSAGES") or 5)
    base = cluster.lb or cluster.servers[0]
    result = asyncio.run(run_senders(base, senders, messages, retries=0, timeout_s=300))
    summary = result.summary()
    summary["through"] = "nginx" if cluster.lb else "server 0"
    summary["stored_user_events"] = count_user_events(cluster.tracker_db, result.run_id)
    out = PROJECT_ROOT / "results" / "cluster"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"load-{senders}x{messages}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print("load run:", json.dumps(summary, ensure_ascii=False))
    assert result.sent == senders * messages
    assert result.lost == 0 and result.empty == 0, summary
    assert summary["stored_user_events"] == result.sent, summary
