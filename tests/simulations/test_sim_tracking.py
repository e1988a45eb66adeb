"""Tracking: statement shape, cmi5 order, and the outbox with the LRS down then up."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid

import pytest
import requests
from sim_fakes import HOST, TOKEN, FakePortal, free_port

from simulations import iris
from simulations.engine import new_state
from simulations.tracking import Outbox, Session, Tracker, basic_auth, iso_duration

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
CHOICES = {
    "posture": "presence",
    "humanitarian-liaison": "meet-share",
    "rumour-response": "report-pio",
    "crowd-response": "interpose",
    "casualty-report": "report-reinforce",
    "prefect-response": "refer-due-process",
}
CONTROLLER = {
    "objectType": "Agent",
    "name": "Capt. Controller",
    "account": {"homePage": "http://127.0.0.1", "name": "controller-1"},
}
TEAMS = [
    {
        "id": "command",
        "name": "Command post",
        "members": [
            {
                "agent": {
                    "objectType": "Agent",
                    "account": {"homePage": "http://127.0.0.1", "name": "u-101"},
                },
                "role": "company-commander",
            }
        ],
    }
]


def _session(endpoint="http://127.0.0.1:9/xapi/", mastery=0.7):
    return Session(
        endpoint=endpoint,
        auth=f"Basic {TOKEN}",
        actor=CONTROLLER,
        registration=str(uuid.uuid4()),
        activity_id="http://127.0.0.1/xapi/activities/exercise/poc-camp",
        mastery_score=mastery,
        teams=TEAMS,
        lang="fr",
    )


def _tracked_play(
    poc, play, tmp_path, choices=CHOICES, endpoint="http://127.0.0.1:9/xapi/", mastery=0.7
):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    ticks = itertools.count()
    tracker = Tracker(
        _session(endpoint, mastery),
        poc,
        outbox,
        clock=lambda: next(ticks) * 1.5,
        now=lambda: dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC),
    )
    _, events = play(poc, choices)
    tracker.record(events)
    return tracker, outbox


def test_statements_follow_cmi5_order_and_shape(poc, play, tmp_path):
    tracker, outbox = _tracked_play(poc, play, tmp_path)
    statements = outbox.pending()
    assert statements == tracker.sent
    verbs = [s["verb"]["id"] for s in statements]
    assert verbs[0] == iris.INITIALIZED
    assert verbs[-3:] == [iris.COMPLETED, iris.PASSED, iris.TERMINATED]
    assert verbs.count(iris.ANSWERED) == 6
    assert (
        verbs.count(iris.EXPERIENCED) == len([e for e in poc.injects if not e.manual]) - 1
    )  # the attack inject never fires here
    ids = [s["id"] for s in statements]
    assert len(set(ids)) == len(ids) and all(UUID_RE.match(i) for i in ids)
    for s in statements:
        assert s["actor"] == CONTROLLER
        assert s["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")
        assert s["timestamp"].endswith("Z")
        ctx = s["context"]
        assert ctx["registration"] == tracker.session.registration
        assert ctx["instructor"] == CONTROLLER
        assert ctx["extensions"][iris.CMI5_SESSION_ID] == tracker.session.session_id
        categories = [c["id"] for c in ctx.get("contextActivities", {}).get("category", [])]
        if s["verb"]["id"] in iris.CMI5_DEFINED:
            assert s["object"]["id"] == tracker.session.activity_id
            assert iris.CMI5_CATEGORY in categories
        else:
            assert iris.CMI5_CATEGORY not in categories
            parents = [p["id"] for p in ctx["contextActivities"]["parent"]]
            assert parents == [tracker.session.activity_id]


def test_answered_statement_carries_choice_scores_team_and_role(poc, play, tmp_path):
    tracker, outbox = _tracked_play(poc, play, tmp_path)
    answered = [s for s in outbox.pending() if s["verb"]["id"] == iris.ANSWERED]
    first = answered[0]
    assert first["object"]["id"].endswith("/decisions/posture")
    assert first["object"]["definition"]["interactionType"] == "choice"
    assert {c["id"] for c in first["object"]["definition"]["choices"]} == {
        "presence",
        "police-matter",
        "fortify-base",
    }
    result = first["result"]
    assert result["response"] == "presence"
    assert result["score"]["scaled"] == pytest.approx(8 / 9, abs=1e-4)
    ext = result["extensions"]
    assert ext[iris.EXT_TEAM] == "command"
    assert ext[iris.EXT_ROLE] == "company-commander"
    assert ext[iris.EXT_DIMENSION_SCORES] == {"mandate": 3, "poc": 3, "safety": 2}
    team = first["context"]["team"]
    assert team["objectType"] == "Group" and team["member"][0]["account"]["name"] == "u-101"
    # the field team has no members in the launch data: no team group is invented
    field = next(s for s in answered if s["object"]["id"].endswith("/crowd-response"))
    assert "team" not in field["context"]


def test_failed_against_mastery_and_durations(poc, play, tmp_path):
    tracker, outbox = _tracked_play(poc, play, tmp_path, choices={}, mastery=0.5)
    statements = outbox.pending()
    judged = statements[-2]
    assert judged["verb"]["id"] == iris.FAILED
    assert judged["result"]["success"] is False
    assert judged["context"]["extensions"][iris.CMI5_MASTERY_SCORE] == 0.5
    assert iris.MOVEON_CATEGORY in [
        c["id"] for c in judged["context"]["contextActivities"]["category"]
    ]
    for s in statements[-3:]:
        assert re.match(r"^PT\d+(\.\d+)?S$", s["result"]["duration"])
    missed = [s for s in statements if s["verb"]["id"] == iris.ANSWERED]
    assert all(s["result"]["response"] == "" for s in missed)
    assert all(s["result"]["extensions"][iris.EXT_TIMED_OUT] for s in missed)


def test_statements_pass_the_portal_validator(poc, play, tmp_path):
    validation = pytest.importorskip("lms.xapi.validation")
    _, outbox = _tracked_play(poc, play, tmp_path)
    for statement in outbox.pending():
        validation.validate_statement(statement)


def test_outbox_delivers_in_order_after_lrs_comes_up(poc, play, tmp_path):
    port = free_port()
    endpoint = f"http://{HOST}:{port}/xapi/"
    tracker, outbox = _tracked_play(poc, play, tmp_path, endpoint=endpoint)
    queued = [s["id"] for s in outbox.pending()]
    report = tracker.flush()  # nothing listens on the port yet
    assert report.delivered == 0 and report.pending == len(queued)
    assert "unreachable" in report.error
    portal = FakePortal(port)
    portal.fail_once.add(queued[3])  # stored, but the answer is lost
    portal.start()
    try:
        assert portal.server.server_address[0] == "127.0.0.1"
        for _ in range(5):  # bounded retries
            report = tracker.flush()
            if report.pending == 0:
                break
        assert report.pending == 0 and not report.refused
        assert portal.order == queued  # same order, each once
        assert portal.puts.count(queued[3]) == 2  # retried, still stored once
        assert len(portal.statements) == len(queued)
        assert not portal.bad_headers
        again = tracker.flush()
        assert again.delivered == 0 and len(portal.puts) == len(queued) + 1
    finally:
        portal.stop()


def test_outbox_survives_restart_and_detects_conflicts(tmp_path):
    portal = FakePortal().start()
    try:
        endpoint = f"{portal.base}/xapi/"
        statement = {
            "id": str(uuid.uuid4()),
            "actor": CONTROLLER,
            "verb": iris.verb(iris.EXPERIENCED),
            "object": {"objectType": "Activity", "id": "http://127.0.0.1/a"},
            "timestamp": "2026-11-21T08:00:00.000Z",
        }
        other = dict(statement, id=str(uuid.uuid4()))
        box = Outbox(tmp_path / "o.sqlite3")
        box.add(statement, endpoint, f"Basic {TOKEN}")
        box.add(statement, endpoint, f"Basic {TOKEN}")  # same id queued twice: kept once
        box.add(other, endpoint, f"Basic {TOKEN}")
        box.close()
        # the LRS already holds the first id with the same content, the second with another
        portal.statements[statement["id"]] = statement
        portal.statements[other["id"]] = dict(other, verb=iris.verb(iris.ANSWERED))
        assert (tmp_path / "o.sqlite3").stat().st_mode & 0o077 == 0  # owner only
        box = Outbox(tmp_path / "o.sqlite3")  # reopened: nothing lost
        assert [s["id"] for s in box.pending()] == [statement["id"], other["id"]]
        report = box.deliver(requests.Session(), timeout=5)
        assert report.delivered == 1
        assert report.refused and report.refused[0][0] == other["id"]
        assert box.counts() == {"delivered": 1, "conflict": 1}
        box.close()
    finally:
        portal.stop()


def test_helpers():
    assert iso_duration(75.25) == "PT75.25S"
    assert iso_duration(-3) == "PT0S"
    assert basic_auth("key", "secret") == "Basic a2V5OnNlY3JldA=="


def test_tracking_starts_from_first_event(poc, tmp_path):
    from simulations.engine import Tick, step

    box = Outbox(tmp_path / "o.sqlite3")
    tracker = Tracker(_session(), poc, box)
    state, events = step(new_state(poc, 5), Tick(0))
    tracker.record(events)
    verbs = [s["verb"]["id"] for s in box.pending()]
    assert verbs == [iris.INITIALIZED, iris.EXPERIENCED]
    assert box.pending()[0]["context"]["extensions"][iris.EXT_SEED] == 5


def test_browse_mode_sends_no_judgement(poc, play, tmp_path):
    session = _session()
    session.launch_mode = "Browse"
    box = Outbox(tmp_path / "o.sqlite3")
    tracker = Tracker(session, poc, box)
    _, events = play(poc, CHOICES)
    tracker.record(events)
    verbs = [s["verb"]["id"] for s in box.pending()]
    assert iris.COMPLETED not in verbs and iris.PASSED not in verbs and iris.FAILED not in verbs
    assert verbs[0] == iris.INITIALIZED and verbs[-1] == iris.TERMINATED


def test_abandon_records_terminated_once(poc, tmp_path):
    from simulations.engine import Tick, step

    box = Outbox(tmp_path / "o.sqlite3")
    tracker = Tracker(_session(), poc, box)
    tracker.abandon()  # nothing started: nothing to terminate
    assert box.pending() == []
    _, events = step(new_state(poc, 5), Tick(0))
    tracker.record(events)
    tracker.abandon()
    tracker.abandon()
    verbs = [s["verb"]["id"] for s in box.pending()]
    assert verbs == [iris.INITIALIZED, iris.EXPERIENCED, iris.TERMINATED]
