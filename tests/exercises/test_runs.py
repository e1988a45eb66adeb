"""Exercise runs: creation, the cmi5 launch (join code, fetch token, launch data), closing."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
import uuid

import pytest
from sqlalchemy import select

from lms.exercises import services
from lms.exercises.models import ExerciseRun, LaunchToken
from lms.extensions import db
from lms.xapi import iris
from lms.xapi.models import Client, Statement
from tests.exercises.conftest import launch_params, preparing_rotation, roster_ids, run_form

XAPI = {"X-Experience-API-Version": "1.0.3"}
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"


def _run(app, run_id: str) -> ExerciseRun:
    return db.session.get(ExerciseRun, uuid.UUID(run_id))


def _join(client, app, run_id: str) -> dict:
    with app.app_context():
        code = _run(app, run_id).join_code
    response = client.get(f"/exercises/join/{code.lower()}")
    assert response.status_code == 200, response.get_json()
    return launch_params(response.get_json()["launch_url"])


def _fetch(client, params: dict):
    path = params["fetch"].split("://", 1)[1].split("/", 1)[1]
    return client.post("/" + path)


def _basic(token: str) -> dict:
    return {**XAPI, "Authorization": f"Basic {token}"}


def _state(client, params: dict, token: str, registration: str | None = None):
    return client.get(
        "/xapi/activities/state",
        query_string={
            "stateId": "LMS.LaunchData",
            "activityId": params["activityId"],
            "agent": json.dumps(params["actor"]),
            "registration": registration or params["registration"],
        },
        headers=_basic(token),
    )


def test_create_run_writes_launch_data_readable_with_the_fetched_token(app, client, make_run, nep):
    run_id = make_run()
    page = client.get(f"/exercises/runs/{run_id}")
    assert page.status_code == 200
    with app.app_context():
        run = _run(app, run_id)
        code, registration = run.join_code, run.registration
        assert len(run.members) == 4
    assert code in page.get_data(as_text=True)

    params = _join(client, app, run_id)
    assert params["endpoint"] == "http://localhost/xapi/"
    assert params["fetch"].startswith("http://localhost/exercises/fetch/")
    assert params["registration"] == registration
    assert (
        params["activityId"] == "https://training.unmic.example/xapi/activities/exercise/poc-camp"
    )
    assert params["actor"]["account"]["homePage"] == "https://training.unmic.example"

    answer = _fetch(client, params)
    assert answer.status_code == 200
    token = answer.get_json()["auth-token"]
    key, _, secret = base64.b64decode(token).decode().partition(":")
    assert key and secret

    response = _state(client, params, token)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["launchMode"] == "Normal"
    assert data["moveOn"] == "CompletedAndPassed"
    assert data["masteryScore"] == 0.7
    assert data["returnURL"] == f"http://localhost/exercises/runs/{run_id}"
    session_id = data["contextTemplate"]["extensions"][
        "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
    ]
    uuid.UUID(session_id)
    launch = json.loads(data["launchParameters"])
    assert launch["scenario"] == "poc-camp" and launch["lang"] == "en"
    assert isinstance(launch["seed"], int)
    assert [t["id"] for t in launch["teams"]] == ["command", "field"]
    first = launch["teams"][0]["members"][0]
    assert first == {
        "agent": {
            "objectType": "Agent",
            "account": {"homePage": "https://training.unmic.example", "name": nep["people"][0]},
        },
        "role": "company-commander",
    }
    with app.app_context():
        launch_row = db.session.scalar(select(LaunchToken).where(LaunchToken.client_key == key))
        assert launch_row.session_id == session_id and launch_row.used_at is not None
        client_row = db.session.scalar(select(Client).where(Client.key == key))
        assert client_row.scope_set == {"write", "read-own", "no-void"}


def test_fetch_works_once_and_unknown_tokens_are_refused(app, client, make_run):
    run_id = make_run()
    params = _join(client, app, run_id)
    assert "auth-token" in _fetch(client, params).get_json()
    again = _fetch(client, params)
    assert again.status_code == 200
    assert again.get_json()["error-code"] == "1"
    assert "auth-token" not in again.get_json()
    unknown = client.post("/exercises/fetch/not-a-token")
    assert unknown.status_code == 200
    assert unknown.get_json()["error-code"] == "3"
    # Fetching needs no login and no CSRF token.
    client.post("/logout")
    fresh = _join(client, app, run_id)
    assert "auth-token" in _fetch(client, fresh).get_json()


def test_expired_fetch_token_is_refused_with_code_2(app, client, make_run):
    run_id = make_run()
    params = _join(client, app, run_id)
    with app.app_context():
        for launch in _run(app, run_id).launches:
            launch.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.commit()
    assert _fetch(client, params).get_json()["error-code"] == "2"


def test_join_code_expires_and_unknown_codes_get_json_404(app, client, make_run):
    run_id = make_run()
    _join(client, app, run_id)
    with app.app_context():
        run = _run(app, run_id)
        code = run.join_code
        run.join_expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        db.session.commit()
    expired = client.get(f"/exercises/join/{code}")
    assert expired.status_code == 404
    assert "expired" in expired.get_json()["error"]
    assert client.get("/exercises/join/ZZZ-000").status_code == 404
    # A new code from the run page works again.
    assert client.post(f"/exercises/runs/{run_id}/code").status_code == 302
    _join(client, app, run_id)


def test_guessing_join_codes_is_rate_limited(client):
    codes = [client.get(f"/exercises/join/QQQ-{n:03d}").status_code for n in range(21)]
    assert codes[:20] == [404] * 20
    assert codes[20] == 429
    assert "Too many" in client.get("/exercises/join/QQQ-999").get_json()["error"]


def test_run_client_is_held_to_its_registration(app, client, make_run):
    run_id = make_run()
    params = _join(client, app, run_id)
    token = _fetch(client, params).get_json()["auth-token"]
    other = str(uuid.uuid4())
    refused = _state(client, params, token, registration=other)
    assert refused.status_code == 403
    assert "registration" in refused.get_json()["error"]

    def statement(**changes):
        base = {
            "id": str(uuid.uuid4()),
            "actor": params["actor"],
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": params["activityId"] + "/injects/radio-check"},
            "context": {"registration": params["registration"]},
        }
        base.update(changes)
        return base

    def post(body):
        return client.post("/xapi/statements", json=body, headers={**_basic(token)})

    wrong_reg = post(statement(context={"registration": other}))
    assert wrong_reg.status_code == 403
    assert "registration" in wrong_reg.get_json()["error"]
    person = {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "p"}}
    assert post(statement(actor=person)).status_code == 403
    course = "https://training.unmic.example/xapi/activities/course/cyber-hygiene"
    assert post(statement(object={"id": course})).status_code == 403
    assert post([statement(), statement(context={})]).status_code == 403
    assert post(statement()).status_code == 200


def test_closing_revokes_the_clients_and_stops_launches(app, client, make_run):
    run_id = make_run()
    params = _join(client, app, run_id)
    token = _fetch(client, params).get_json()["auth-token"]
    unused = _join(client, app, run_id)
    with app.app_context():
        code = _run(app, run_id).join_code
    response = client.post(f"/exercises/runs/{run_id}/close", follow_redirects=True)
    assert response.status_code == 200
    assert "Run closed" in response.get_data(as_text=True)
    assert _state(client, params, token).status_code == 401
    assert _fetch(client, unused).get_json()["error-code"] == "2"
    assert client.get(f"/exercises/join/{code}").status_code == 404
    assert client.get(f"/exercises/runs/{run_id}/launch.json").status_code == 409
    with app.app_context():
        run = _run(app, run_id)
        assert run.status == "closed" and run.join_code is None


def test_launch_file_carries_a_fresh_launch_url(app, client, make_run):
    run_id = make_run()
    response = client.get(f"/exercises/runs/{run_id}/launch.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert body["portal"] == "http://localhost"
    params = launch_params(body["launch_url"])
    # Opened in a browser by mistake, the launch link explains how to use it (and stays unused).
    page = client.get(body["launch_url"].removeprefix("http://localhost"))
    assert page.status_code == 200
    assert "python -m simulations launch" in page.get_data(as_text=True)
    assert "auth-token" in _fetch(client, params).get_json()


def test_launch_here_only_from_this_computer(app, client, make_run, monkeypatch):
    started = []

    class FakePopen:
        def __init__(self, args, **kwargs):
            started.append((args, kwargs))

    monkeypatch.setattr(services.subprocess, "Popen", FakePopen)
    run_id = make_run()
    page = client.get(f"/exercises/runs/{run_id}").get_data(as_text=True)
    assert "Launch here" in page
    response = client.post(f"/exercises/runs/{run_id}/launch-here", follow_redirects=True)
    assert "starting on this computer" in response.get_data(as_text=True)
    ((args, kwargs),) = started
    assert args[:4] == [sys.executable, "-m", "simulations", "launch"]
    assert launch_params(args[4])["registration"]
    assert kwargs.get("shell") is None and kwargs["start_new_session"] is True

    # Logged in from another computer of the network: no button, and the action is refused.
    remote = app.test_client()
    remote.environ_base["REMOTE_ADDR"] = "10.20.0.7"
    remote.post("/login", data={"username": "controller", "password": "carana-control-2026"})
    page = remote.get(f"/exercises/runs/{run_id}")
    assert page.status_code == 200
    assert "Launch here" not in page.get_data(as_text=True)
    assert remote.post(f"/exercises/runs/{run_id}/launch-here").status_code == 403
    # Behind a reverse proxy on this computer, the proxy's address does not make a request local.
    proxied = app.test_client()
    proxied.environ_base["HTTP_X_FORWARDED_FOR"] = "10.20.0.7"
    proxied.post("/login", data={"username": "controller", "password": "carana-control-2026"})
    page = proxied.get(f"/exercises/runs/{run_id}")
    assert page.status_code == 200
    assert "Launch here" not in page.get_data(as_text=True)
    assert proxied.post(f"/exercises/runs/{run_id}/launch-here").status_code == 403
    assert len(started) == 1


@pytest.mark.parametrize(
    "change,message",
    [
        ({"lang": "zh"}, "choose one of them"),
        ({"scenario": "no-such-scenario"}, "Choose a rotation and a scenario"),
        ({"team-field-0-role": "company-commander"}, "is not a role of the team"),
        ({"team-field-0-person": "SAME"}, "one team and one role only"),
        ({"team-field-0-person": "not-a-uuid"}, "not on the roster"),
    ],
)
def test_bad_input_is_refused_with_a_message(app, client, auth, nep, change, message):
    auth.login("controller", "carana-control-2026")
    form = run_form(nep)
    if change.get("team-field-0-person") == "SAME":
        change = {"team-field-0-person": form["team-command-0-person"]}
    response = client.post("/exercises/new", data={**form, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ExerciseRun.id)) is None


def test_people_from_another_rotation_and_empty_teams_are_refused(app, client, auth, nep):
    auth.login("controller", "carana-control-2026")
    with app.app_context():
        other = preparing_rotation("SENFPU")
        stranger = roster_ids(other, 1)[0]
    form = {**run_form(nep), "team-field-1-person": stranger}
    response = client.post("/exercises/new", data=form)
    assert response.status_code == 400
    assert "roster" in response.get_data(as_text=True)
    empty = {k: v for k, v in run_form(nep).items() if "person" not in k}
    response = client.post("/exercises/new", data=empty)
    assert response.status_code == 400
    assert "at least one person" in response.get_data(as_text=True)


def test_new_run_form_lists_the_roster_and_team_roles(client, auth, nep):
    auth.login("controller", "carana-control-2026")
    page = client.get(f"/exercises/new?rotation={nep['rotation']}&scenario=convoy-ied")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert nep["people"][0] in html
    assert 'name="team-' in html and 'name="lang"' in html
    rotation_page = client.get(f"/rotations/{nep['rotation']}").get_data(as_text=True)
    assert f"/exercises/?rotation={nep['rotation']}" in rotation_page


def test_controller_sees_runs_of_assigned_contingents_only(app, client, auth, make_run):
    run_id = make_run()
    listing = client.get("/exercises/").get_data(as_text=True)
    assert f"/exercises/runs/{run_id}" in listing
    client.post("/logout")
    auth.login("trainer.sen", "carana-trainer-2026")
    assert f"/exercises/runs/{run_id}" not in client.get("/exercises/").get_data(as_text=True)
    for path in ("", "/launch.json", "/plan.csv", "/plan.pdf"):
        assert client.get(f"/exercises/runs/{run_id}{path}").status_code == 404, path
    for path in ("/close", "/code", "/launch-here"):
        assert client.post(f"/exercises/runs/{run_id}{path}").status_code == 404, path
    client.post("/logout")
    auth.login("trainee", "carana-trainee-2026")
    assert client.get(f"/exercises/runs/{run_id}").status_code == 403
    assert client.get("/exercises/").status_code == 403
    client.post("/logout")
    auth.login("analyst", "carana-analyst-2026")
    assert client.get(f"/exercises/runs/{run_id}").status_code == 403


def test_trainer_cannot_create_a_run_for_another_countrys_rotation(app, client, auth, nep):
    auth.login("trainer.sen", "carana-trainer-2026")
    response = client.post("/exercises/new", data=run_form(nep))
    assert response.status_code == 404
    assert client.get(f"/exercises/new?rotation={nep['rotation']}").status_code == 404


def test_a_new_launch_marks_the_unfinished_session_abandoned(app, client, make_run):
    run_id = make_run()
    assert "auth-token" in _fetch(client, _join(client, app, run_id)).get_json()
    with app.app_context():
        first = _run(app, run_id).launches[0].session_id
    assert "auth-token" in _fetch(client, _join(client, app, run_id)).get_json()
    client.post(f"/exercises/runs/{run_id}/close")

    with app.app_context():
        run = _run(app, run_id)
        second = [launch.session_id for launch in run.launches if launch.session_id != first][0]
        rows = [
            json.loads(raw)
            for raw in db.session.scalars(
                select(Statement.raw).where(
                    Statement.registration == uuid.UUID(run.registration),
                    Statement.verb_id == iris.ABANDONED,
                )
            )
        ]
    sessions = sorted(r["context"]["extensions"][SESSION] for r in rows)
    # The first session when the second was launched, the second when the run was closed.
    assert sessions == sorted([first, second])
    assert all(r["result"]["duration"].startswith("PT") for r in rows)


def test_controller_home_page_lists_open_runs_with_their_join_codes(app, client, make_run):
    run_id = make_run()
    with app.app_context():
        code = _run(app, run_id).join_code
    home = client.get("/").get_data(as_text=True)
    assert "Open exercise runs" in home and code in home
    client.post(f"/exercises/runs/{run_id}/close")
    assert code not in client.get("/").get_data(as_text=True)


def test_command_line_lists_renews_and_closes_runs(app, client, runner, make_run):
    run_id = make_run()
    with app.app_context():
        old_code = _run(app, run_id).join_code
    listed = runner.invoke(args=["exercises", "list"])
    assert listed.exit_code == 0
    assert run_id in listed.output and old_code in listed.output and "4 people" in listed.output
    renewed = runner.invoke(args=["exercises", "new-code", run_id])
    assert renewed.exit_code == 0
    new_code = renewed.output.strip()
    assert new_code != old_code
    assert client.get(f"/exercises/join/{old_code}").status_code == 404
    assert client.get(f"/exercises/join/{new_code}").status_code == 200
    closed = runner.invoke(args=["exercises", "close", run_id])
    assert closed.exit_code == 0 and "Closed; 0 result statements" in closed.output
    again = runner.invoke(args=["exercises", "close", run_id])
    assert again.exit_code != 0 and "already closed" in again.output
    assert run_id not in runner.invoke(args=["exercises", "list"]).output
    assert run_id in runner.invoke(args=["exercises", "list", "--all"]).output
    assert runner.invoke(args=["exercises", "close", "nope"]).exit_code != 0
