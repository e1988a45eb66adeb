"""Keeps the LRS credentials of an exercise run to that run, and notices when a run ends.

The LRS client a fetch token creates has the scopes ``write``, ``read-own`` and ``no-void``;
scopes cannot name a registration, so this check runs before the LRS handles a request made
with such a client's key: statements must be the run's (its actor, its registration, its
activity or an activity below it) and state documents must be the run's registration and
activity. Everything else (other clients, portal users) passes through untouched.

After the LRS has stored a ``terminated`` statement of a run, the per-person results are recorded
for readiness (the same operation as closing the run, idempotent).
"""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, g, request

from lms.exercises import services
from lms.exercises.models import ExerciseRun
from lms.extensions import db
from lms.xapi import iris, keys
from lms.xapi.auth import parse_basic

log = logging.getLogger(__name__)

DOCUMENT_WRITES = {"PUT", "POST", "DELETE"}


def _refuse(message: str) -> Response:
    body = json.dumps({"error": message, "status": 403})
    return Response(body, status=403, mimetype="application/json")


def _authorization() -> str | None:
    header = request.headers.get("Authorization")
    if header:
        return header
    if "method" in request.args and request.method == "POST":
        return request.form.get("Authorization")
    return None


def _activity_ok(run: ExerciseRun, activity_id: object) -> bool:
    return isinstance(activity_id, str) and (
        activity_id == run.activity_id or activity_id.startswith(run.activity_id + "/")
    )


def _statement_problem(run: ExerciseRun, statement: object, index: int) -> str | None:
    if not isinstance(statement, dict):
        return None  # the LRS answers malformed statements itself
    actor = statement.get("actor")
    if not isinstance(actor, dict) or keys.agent_key(actor) != keys.agent_key(run.actor):
        return f"statements[{index}].actor: an exercise run's credentials record only as its controller"
    context = statement.get("context") if isinstance(statement.get("context"), dict) else {}
    if str(context.get("registration", "")).lower() != run.registration:
        return (
            f"statements[{index}].context.registration: not the registration of this exercise run"
        )
    obj = statement.get("object") if isinstance(statement.get("object"), dict) else {}
    if obj.get("objectType", "Activity") != "Activity" or not _activity_ok(run, obj.get("id")):
        return f"statements[{index}].object: not an activity of this exercise run"
    return None


def check_request() -> Response | None:
    if not request.path.startswith("/xapi/"):
        return None
    parsed = parse_basic(_authorization())
    if parsed is None:
        return None
    run = services.run_for_client(parsed[0])
    if run is None:
        return None
    if "method" in request.args:
        return _refuse("an exercise run's credentials do not use the alternate request syntax")
    path = request.path.rstrip("/")
    g.exercise_run_id = run.id
    if path == "/xapi/statements" and request.method in ("PUT", "POST"):
        try:
            payload = json.loads(request.get_data(cache=True) or b"null")
        except ValueError:
            return None
        statements = payload if isinstance(payload, list) else [payload]
        for index, statement in enumerate(statements):
            problem = _statement_problem(run, statement, index)
            if problem:
                return _refuse(problem)
        g.exercise_terminated = any(
            isinstance(s, dict)
            and isinstance(s.get("verb"), dict)
            and s["verb"].get("id") == iris.TERMINATED
            for s in statements
        )
        return None
    if path == "/xapi/activities/state":
        registration = str(request.args.get("registration", "")).lower()
        if registration != run.registration:
            return _refuse("registration: not the registration of this exercise run")
        if not _activity_ok(run, request.args.get("activityId")):
            return _refuse("activityId: not an activity of this exercise run")
        return None
    profile = path in ("/xapi/activities/profile", "/xapi/agents/profile")
    if profile and request.method in DOCUMENT_WRITES:
        return _refuse("an exercise run's credentials may not change profile documents")
    return None


def record_on_termination(response: Response) -> Response:
    if not g.get("exercise_terminated") or response.status_code not in (200, 204):
        return response
    run = db.session.get(ExerciseRun, g.exercise_run_id)
    if run is None:
        return response
    try:
        services.record_results(run)
        db.session.commit()
    except Exception:  # the app's statements are stored; closing the run records the results
        db.session.rollback()
        log.exception("recording the results of exercise run %s failed", run.id)
    return response


def init_app(app: Flask) -> None:
    app.before_request(check_request)
    app.after_request(record_on_termination)
