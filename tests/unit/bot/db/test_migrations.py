"""Schema migrations (bot.db.migrate) on real SQLite and PostgreSQL databases:
a new database gets exactly the models' schema, and a database made by the
previous main (``create_all``, no migrations) is upgraded by ``python -m bot
init-db`` with every row intact."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timezone
from typing import Dict, Iterable, List, Optional

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect, select, text

from bot.db import models as m
from bot.db.accounts import AccountRepository
from bot.db.migrate import current, head, upgrade
from bot.db.repository import Repository
from bot.db.seed import seed
from bot.settings import DATA_DIR, PROJECT_ROOT

LEGACY = PROJECT_ROOT / "tests" / "data" / "legacy_schema"
T0 = datetime(2022, 4, 1, 2, 0, tzinfo=timezone.utc)


def create_legacy_schema(engine, tables: Optional[Iterable[str]] = None) -> None:
    """Run the DDL the previous main's ``create_all`` produced (only ``tables`` when given)."""
    script = (LEGACY / f"e86ed9a.{engine.dialect.name}.sql").read_text()
    statements = [s.strip() for s in script.split(";") if s.strip().strip("-").strip()]
    wanted = set(tables) if tables else None
    with engine.begin() as c:
        for statement in statements:
            body = "\n".join(line for line in statement.splitlines() if not line.startswith("--")).strip()
            if not body:
                continue
            table = body.split(" ON ")[-1].split()[0] if body.startswith("CREATE INDEX") else body.split()[2]
            if wanted is None or table in wanted:
                c.execute(text(body))


def schema_differences(engine) -> List:
    with engine.connect() as c:
        return compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), m.Base.metadata)


def all_rows(engine) -> Dict[str, List[tuple]]:
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as c:
        return {name: sorted(map(tuple, c.execute(select(table))), key=repr)
                for name, table in meta.tables.items() if name != "alembic_version"}


def init_db(engine) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=engine.url.render_as_string(hide_password=False), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "bot", "init-db"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def test_a_new_database_gets_exactly_the_models_schema(db_engine):
    assert current(db_engine) is None
    upgrade(db_engine)
    assert current(db_engine) == head()
    assert schema_differences(db_engine) == []
    upgrade(db_engine)  # again: nothing to do
    assert current(db_engine) == head()


def test_the_previous_mains_database_is_upgraded_with_its_rows_intact(db_engine):
    create_legacy_schema(db_engine)
    # what the previous main's init-db and a few weeks of use left in it
    seed(db_engine, DATA_DIR)
    accounts = AccountRepository(db_engine)
    code = accounts.issue_code("QUANGNINH", now=T0).code
    assert accounts.redeem_code("telegram", "5550001", code, now=T0).status == "linked"
    accounts.set_subscribed("telegram", "5550001", True, now=T0)
    accounts.record_for_account("telegram", "5550001", "QUANGNINH", "BC-2022-Q2", date(2022, 6, 14), "15/BC-UBND",
                                message="đã gửi báo cáo quý II", message_id="m-1", now=T0)
    Repository(db_engine).record_submission("BYT", "KH-2022", date(2022, 4, 20), "77/KH-BYT", actor="operator")
    with db_engine.begin() as c:
        c.execute(m.ReminderDelivery.__table__.insert().values(
            account_link_id=1, obligation_id=1, stage="before_7", local_day=date(2022, 4, 23), status="sent",
            claimed_at=T0, finished_at=T0, text="Nhắc hạn"))
    before = all_rows(db_engine)
    assert current(db_engine) is None and sum(map(len, before.values())) > 150

    result = init_db(db_engine)
    assert result.returncode == 0, result.stderr
    assert "Không có gì thay đổi" in result.stdout

    assert current(db_engine) == head()
    after = all_rows(db_engine)
    assert after.pop("undelivered_reply") == []  # added by a later migration, empty
    assert after.pop("reminder_pause") == []  # added by a later migration, empty
    assert after.pop("answer_feedback") == []  # added by a later migration, empty
    assert after.pop("staff_account") == []  # added by a later migration, empty
    assert after.pop("handled_question") == []  # added by a later migration, empty
    assert after.pop("handoff") == [] and after.pop("handoff_message") == []  # 0006_handoff, empty
    assert after == before
    assert schema_differences(db_engine) == []
    link = AccountRepository(db_engine).account("telegram", "5550001")
    assert link.agency_code == "QUANGNINH" and link.subscribed
    items = {i.obligation.code: i for i in Repository(db_engine).agency_status("QUANGNINH", date(2022, 7, 1)).items}
    assert items["BC-2022-Q2"].submission.reference_number == "15/BC-UBND"


def test_a_database_from_before_the_officials_workflow_gains_their_tables(db_engine):
    create_legacy_schema(db_engine, tables={"agency", "agency_succession", "obligation", "submission"})
    seed(db_engine, DATA_DIR)
    before = all_rows(db_engine)
    upgrade(db_engine)
    assert {"account_link", "link_code", "audit_entry", "reminder_delivery"} <= set(inspect(db_engine).get_table_names())
    assert schema_differences(db_engine) == []
    after = all_rows(db_engine)
    assert {name: after[name] for name in before} == before
