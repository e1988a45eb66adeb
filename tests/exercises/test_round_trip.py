"""The whole loop over HTTP: the desktop app's own launch and tracking code against a live portal.

The portal is served on 127.0.0.1; ``simulations.launch`` joins with the code, fetches the token
and reads the launch data; the headless engine plays the scenario and ``simulations.tracking``
delivers its statements; the run page then shows the results and the after-action review, and the
per-person results are in the LRS for readiness.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
import requests
from markupsafe import escape
from sqlalchemy import select
from werkzeug.serving import make_server

from lms.exercises import services
from lms.exercises.models import ExerciseRun
from lms.extensions import db
from lms.xapi import iris
from lms.xapi.models import Statement
from simulations import SCENARIO_DIR
from simulations.engine import Decide, Tick, load_file, new_state, step
from simulations.launch import LaunchError, join_code, launch, session_from_launch
from simulations.tracking import Outbox, Tracker

# poc-camp: the doctrinal choice at every decision point but one (the rumour is ignored).
CHOICES = {
    "posture": "presence",
    "humanitarian-liaison": "meet-share",
    "crowd-response": "interpose",
    "casualty-report": "report-reinforce",
    "prefect-response": "refer-due-process",
}


def esc(text: str) -> str:
    return str(escape(text))


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def play(scenario, seed: int, choices: dict[str, str]):
    """Play to the end, deciding as soon as a decision point opens; others time out."""
    state = new_state(scenario, seed)
    events = []
    for _ in range(5000):
        if state.ended:
            break
        state, new = step(state, Tick(5.0))
        events.extend(new)
        for decision_id in state.open_decisions():
            if decision_id in choices:
                team = scenario.decision(decision_id).team
                state, new = step(state, Decide(decision_id, choices[decision_id], team))
                events.extend(new)
    assert state.ended
    return state, events


def test_desktop_client_round_trip(app, client, make_run, live, tmp_path, nep):
    run_id = make_run()
    with app.app_context():
        code = db.session.get(ExerciseRun, uuid.UUID(run_id)).join_code

    http = requests.Session()
    url = join_code(http, code.lower(), live)
    assert url.startswith(f"{live}/exercises/launch?")
    params, token, data = launch(http, url)
    assert params.endpoint == f"{live}/xapi/"
    assert data.scenario == "poc-camp" and data.lang == "en"
    assert data.mastery_score == 0.7 and data.launch_mode == "Normal"
    assert [t["id"] for t in data.teams] == ["command", "field"]
    # The launch link is spent: the app's own error message says so.
    with pytest.raises(LaunchError, match="already been used"):
        launch(http, url)

    scenario = load_file(SCENARIO_DIR / "poc-camp.yaml")
    session = session_from_launch(params, token, data, data.lang)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    tracker = Tracker(session, scenario, outbox)
    state, events = play(scenario, data.seed, CHOICES)
    tracker.record(events)
    delivery = tracker.flush(http)
    outbox.close()
    assert delivery.error is None and not delivery.refused
    assert delivery.delivered == len(tracker.sent) and delivery.pending == 0

    page = client.get(f"/exercises/runs/{run_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Finished" in html
    # The after-action review: an inject, a decision with its explanation, the doctrinal answer.
    first_inject = scenario.inject(
        next(e.data["inject"] for e in events if e.kind == "inject_released")
    )
    assert esc(first_inject.title["en"]) in html
    posture = scenario.decision("posture")
    chosen = posture.option("presence")
    assert esc(chosen.label["en"]) in html
    assert esc(chosen.explanation["en"]) in html
    rumour = scenario.decision("rumour-response")
    assert "No decision in time" in html
    best = max(rumour.options, key=lambda o: sum(o.scores.values()) / (3 * len(o.scores)))
    assert esc(best.label["en"]) in html

    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        rep = services.report(run, "en")
        assert rep.status == "finished" and rep.sessions == 1
        kinds = [e.kind for e in rep.timeline]
        assert kinds[0] == "launched" and kinds[1] == "initialized" and kinds[-1] == "terminated"
        assert "decision" in kinds and "inject" in kinds and "completed" in kinds
        teams = {t.team_id: t for t in rep.teams}
        from simulations.engine import scorecard

        card = scorecard(state)
        for team_id, score in card.by_team.items():
            assert teams[team_id].score == pytest.approx(score)
        assert rep.overall == pytest.approx(round(card.overall, 4))
        # The app's terminated statement triggered the per-person results for readiness.
        assert run.results_recorded_at is not None
        for member in run.members:
            agent_key = f"account:https://training.unmic.example|{member.person_id}"
            verbs = set(
                db.session.scalars(
                    select(Statement.verb_id).where(
                        Statement.actor_key == agent_key,
                        Statement.activity_id == run.activity_id,
                        Statement.registration == uuid.UUID(run.registration),
                    )
                )
            )
            team_passed = card.by_team[member.team] >= 0.7
            assert verbs == {iris.COMPLETED, iris.PASSED if team_passed else iris.FAILED}
        before = db.session.scalar(select(db.func.count()).select_from(Statement))
        assert services.record_results(run, dt.datetime.now(dt.UTC)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(Statement)) == before
