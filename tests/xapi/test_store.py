"""The store interface the platform calls, concurrent writers, forwarding and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.xapi import forward, iris, store
from lms.xapi.errors import Conflict
from lms.xapi.models import ForwardOutbox, Statement, StatementAgent
from lms.xapi.validation import XAPIValidationError

from .factories import activity, agent, statement

PLATFORM = {
    "objectType": "Agent",
    "name": "UNMIC portal",
    "account": {"homePage": "https://training.unmic.example", "name": "portal"},
}


def test_save_statements_is_the_platform_interface(app):
    with app.app_context():
        stmts = [statement(id=None), statement()]
        ids = store.save_statements(db.session, stmts, PLATFORM, "1.0.3")
        db.session.commit()
        assert ids[1] == stmts[1]["id"] and uuid.UUID(ids[0])
        row = db.session.scalar(
            select(Statement).where(Statement.statement_id == uuid.UUID(ids[0]))
        )
        saved = json.loads(row.raw)
        assert saved["authority"] == PLATFORM
        assert row.actor_key == "account:https://training.unmic.example|trainee-1"
        with pytest.raises(XAPIValidationError, match=r"statements\[0\]\.verb"):
            store.save_statements(db.session, [statement(verb={"id": "bad"})], PLATFORM)
        with pytest.raises(Conflict):
            store.save_statements(db.session, [dict(stmts[1], verb={"id": iris.FAILED})], PLATFORM)
        # Re-sending the same statement changes nothing.
        assert store.save_statements(
            db.session,
            [
                statement(
                    id=ids[1],
                    **{
                        k: v
                        for k, v in stmts[1].items()
                        if k in ("actor", "verb", "object", "timestamp")
                    },
                )
            ],
            PLATFORM,
        ) == [ids[1]]
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 2


def test_concurrent_writers_lose_nothing_and_do_not_deadlock(app):
    """Four writers share agents, verbs and activities, and two of them send the same ids."""
    shared = [statement() for _ in range(10)]
    errors: list[BaseException] = []
    written: list[list[str]] = []

    def writer(number: int) -> None:
        try:
            with app.app_context():
                mine = []
                for batch in range(8):
                    stmts = [
                        statement(
                            actor=agent(f"trainee-{i % 5}"),
                            object=activity(
                                f"https://training.unmic.example/xapi/activities/lesson/l{i % 3}",
                                name={"en-US": f"Lesson {i % 3} v{number}"},
                            ),
                            context={
                                "contextActivities": {
                                    "parent": [
                                        activity(
                                            "https://training.unmic.example/xapi/activities/course/cptm"
                                        )
                                    ]
                                }
                            },
                        )
                        for i in range(10)
                    ]
                    if number < 2 and batch == 0:
                        stmts += [json.loads(json.dumps(s)) for s in shared]
                    mine += store.save_statements(db.session, stmts, PLATFORM, "1.0.3")
                    db.session.commit()
                    store.refresh_activity_definitions(db.session, stmts)
                written.append(mine)
                db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Statement))
        assert total == 4 * 8 * 10 + len(shared)
        assert {i for batch in written for i in batch} == {
            str(s) for s in db.session.scalars(select(Statement.statement_id))
        }
        index_rows = db.session.scalar(select(func.count()).select_from(StatementAgent))
        assert index_rows >= total


class FakeHTTP:
    def __init__(self, status=200):
        self.status = status
        self.calls: list[list[dict]] = []

    def post(self, url, data, headers, auth, timeout):
        self.calls.append(json.loads(data))
        status = self.status

        class Response:
            status_code = status
            text = "refused"

        return Response()


def test_forwarding_outbox_retries_and_survives(app):
    app.config["LRS_FORWARD_URL"] = "https://hq-lrs.unmic.example/xapi"
    target = forward.ForwardTarget(url=app.config["LRS_FORWARD_URL"], key="k", secret="s")
    with app.app_context():
        ids = store.save_statements(db.session, [statement(), statement()], PLATFORM)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(ForwardOutbox)) == 2
        down = FakeHTTP(status=503)
        now = dt.datetime.now(dt.UTC)
        result = forward.drain(db.session, target, now=now, http=down)
        assert result.failed == 2 and result.sent == 0
        state = forward.outbox_state(db.session)
        assert state.pending == 2 and state.failing == 2 and "503" in state.last_error
        # Not due again until the back-off has passed.
        assert forward.drain(db.session, target, now=now, http=down).failed == 0
        db.session.remove()
    with app.app_context():  # as after a restart
        up = FakeHTTP(status=200)
        later = dt.datetime.now(dt.UTC) + forward.backoff(1) + dt.timedelta(seconds=1)
        assert forward.drain(db.session, target, now=later, http=up).sent == 2
        assert sorted(s["id"] for s in up.calls[0]) == sorted(ids)
        assert forward.outbox_state(db.session).pending == 0


def test_backoff_grows_and_is_capped():
    assert forward.backoff(1) == dt.timedelta(seconds=30)
    assert forward.backoff(3) == dt.timedelta(minutes=2)
    assert forward.backoff(30) == dt.timedelta(hours=1)


def test_cli_clients(app, runner):
    created = runner.invoke(
        args=[
            "lrs",
            "create-client",
            "Field kit Bravo",
            "--scope",
            "read",
            "--scope",
            "write",
            "--json",
        ]
    )
    assert created.exit_code == 0, created.output
    pair = json.loads(created.output)
    assert set(pair) == {"key", "secret"}
    listing = runner.invoke(args=["lrs", "list-clients"])
    assert pair["key"] in listing.output and "active" in listing.output
    revoked = runner.invoke(args=["lrs", "revoke-client", pair["key"]])
    assert revoked.exit_code == 0
    assert "revoked" in runner.invoke(args=["lrs", "list-clients"]).output
    missing = runner.invoke(args=["lrs", "revoke-client", "nope"])
    assert missing.exit_code != 0 and "no LRS client" in missing.output
    bad_scope = runner.invoke(args=["lrs", "create-client", "X", "--scope", "everything"])
    assert bad_scope.exit_code != 0


def test_cli_forward_needs_configuration(app, runner):
    app.config["LRS_FORWARD_URL"] = None
    result = runner.invoke(args=["lrs", "forward"])
    assert result.exit_code != 0 and "LMS_LRS_FORWARD_URL" in result.output


def test_cli_created_client_works_over_http(app, runner, client):
    from .conftest import LRS, basic

    pair = json.loads(runner.invoke(args=["lrs", "create-client", "Kit", "--json"]).output)
    lrs = LRS(client, basic(pair["key"], pair["secret"]))
    assert lrs.post("statements", json_body=statement()).status_code == 200


@pytest.mark.skipif(bool(os.environ.get("LMS_TEST_DATABASE_URL")), reason="SQLite's write gate")
def test_sqlite_write_gate_is_held_until_the_transaction_ends(app):
    """Writers queue on the gate during their transaction; commit and rollback both open it."""
    from lms.db import GATE_TIMEOUT

    order: list[str] = []
    with app.app_context():
        store.save_statements(db.session, [statement()], PLATFORM)
        assert "write_gate" in db.session.info
        gate = db.session.info["write_gate"]

        def other_writer() -> None:
            with app.app_context():
                store.save_statements(db.session, [statement()], PLATFORM)
                order.append("other stored")
                db.session.commit()

        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join(timeout=0.3)
        # The second writer waits for the first transaction to end, well within the timeout.
        assert thread.is_alive() and order == []
        order.append("first committed")
        db.session.commit()
        assert "write_gate" not in db.session.info and gate.owner is None
        thread.join(timeout=GATE_TIMEOUT / 2)
        assert not thread.is_alive()
        assert order == ["first committed", "other stored"]

        # A failed write (a conflicting id) rolls back and opens the gate as well.
        taken = statement()
        store.save_statements(db.session, [taken], PLATFORM)
        db.session.commit()
        with pytest.raises(Conflict):
            store.save_statements(db.session, [dict(taken, verb={"id": iris.FAILED})], PLATFORM)
        db.session.rollback()
        assert "write_gate" not in db.session.info and gate.owner is None
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 3


@pytest.mark.skipif(bool(os.environ.get("LMS_TEST_DATABASE_URL")), reason="SQLite's checkpoints")
def test_sqlite_log_is_checkpointed_and_restarted_in_the_background(app, monkeypatch):
    """LRS writers do no checkpoints themselves; the gate's thread copies the log into the
    database and, once the log is long, restarts it from its beginning."""
    import threading
    import time

    from lms import db as lms_db

    monkeypatch.setattr(lms_db, "CHECKPOINT_INTERVAL", 0.02)
    monkeypatch.setattr(lms_db, "LOG_RESTART_FRAMES", 50)
    # Before a restart the thread syncs the database file, with the writers going on.
    syncs: list[bool] = []
    real_sync = lms_db._Gate.sync_database

    def sync(gate, database):
        syncs.append(gate.owner == threading.get_ident())
        real_sync(gate, database)

    monkeypatch.setattr(lms_db._Gate, "sync_database", sync)
    # The log length each restart was decided on (a writer may meanwhile have started the log
    # again by itself, once a checkpoint had copied all of it: the restart then finds it short).
    decided_on: list[int] = []
    real_restart = lms_db._Checkpointer.restart

    def restart(checkpointer, connection):
        decided_on.append(checkpointer.last[0])
        real_restart(checkpointer, connection)

    monkeypatch.setattr(lms_db._Checkpointer, "restart", restart)
    with app.app_context():
        store.save_statements(db.session, [statement()], PLATFORM)
        gate = db.session.info["write_gate"]
        assert db.session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        db.session.commit()
        assert gate.checkpointer is not None and gate.checkpointer.is_alive()

        def wait_until(condition, seconds: float = 5.0) -> bool:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if condition():
                    return True
                time.sleep(0.02)
            return False

        for _ in range(40):
            store.save_statements(db.session, [statement() for _ in range(5)], PLATFORM)
            db.session.commit()
        # 40 commits of index-heavy rows are well past 50 frames: the thread copies the log into
        # the database and restarts it; the next writer then writes from the log's beginning.
        checkpointer = gate.checkpointer
        # The thread saw the log (frames in it, frames copied) past its limit and restarted it.
        assert wait_until(lambda: checkpointer.restarts > 0)
        assert decided_on and min(decided_on) >= 50
        assert len(syncs) >= lms_db.PRESYNC_ROUNDS and not any(syncs)
        # Writers go on from the beginning of the log, and everything is copied.
        for _ in range(20):
            store.save_statements(db.session, [statement()], PLATFORM)
            db.session.commit()
            if wait_until(lambda: 0 < checkpointer.last[0] < 50, seconds=0.2):
                break
        assert 0 < checkpointer.last[0] < 50
        assert wait_until(lambda: checkpointer.last[0] == checkpointer.last[1])
        assert db.session.scalar(select(func.count()).select_from(Statement)) > 201
