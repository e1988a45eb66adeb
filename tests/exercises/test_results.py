"""Results of a run from its statements: team and person scores, closing, readiness, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from markupsafe import escape
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.exercises import services
from lms.exercises.models import ExerciseRun
from lms.extensions import db
from lms.readiness import services as readiness
from lms.readiness.models import Requirement
from lms.xapi import iris
from lms.xapi.models import Statement
from lms.xapi.store import save_statements

EXT = "https://training.unmic.example/xapi/extensions/"
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"


def _app_statements(run: ExerciseRun, answers: list[tuple[str, str, str, str, int, int]]):
    """What the desktop app sends: initialized, answered (decision, option, team, role, raw,
    max), completed, passed/failed and terminated, all under one session of the run."""
    session_id = str(uuid.uuid4())
    t0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)

    def statement(verb, obj_id, minute, result=None, ext=None):
        s = {
            "id": str(uuid.uuid4()),
            "actor": run.actor,
            "verb": {"id": verb},
            "object": {"id": obj_id},
            "context": {
                "registration": run.registration,
                "extensions": {SESSION: session_id, **(ext or {})},
            },
            "timestamp": (t0 + dt.timedelta(minutes=minute)).isoformat(),
        }
        if result:
            s["result"] = result
        return s

    out = [statement(iris.INITIALIZED, run.activity_id, 0)]
    raw_sum = max_sum = 0
    for n, (decision, option, team, role, raw, top) in enumerate(answers, start=1):
        raw_sum, max_sum = raw_sum + raw, max_sum + top
        out.append(
            statement(
                iris.ANSWERED,
                f"{run.activity_id}/decisions/{decision}",
                n,
                result={
                    "response": option,
                    "score": {"scaled": raw / top, "raw": raw, "min": 0, "max": top},
                    "extensions": {EXT + "team": team, EXT + "role": role},
                },
                ext={EXT + "exercise-time": f"PT{n * 600}S"},
            )
        )
    scaled = raw_sum / max_sum
    end = len(answers) + 1
    out.append(
        statement(
            iris.COMPLETED,
            run.activity_id,
            end,
            {"completion": True},
            {EXT + "ending": "calm-restored"},
        )
    )
    verb = iris.PASSED if scaled >= run.mastery_score else iris.FAILED
    out.append(statement(verb, run.activity_id, end, {"score": {"scaled": round(scaled, 4)}}))
    out.append(statement(iris.TERMINATED, run.activity_id, end, {"duration": "PT600S"}))
    return out


# Command post: the doctrinal posture (8/9); field team: good liaison (8/9) but warning shots
# over the crowd (3/12), so 11/21 for the team, under the 0.7 pass mark.
ANSWERS = [
    ("posture", "presence", "command", "company-commander", 8, 9),
    ("humanitarian-liaison", "meet-share", "field", "civil-military-liaison", 8, 9),
    ("crowd-response", "warning-shots", "field", "patrol-leader", 3, 12),
]


def _store(app, run_id: str, answers=ANSWERS):
    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        save_statements(db.session, _app_statements(run, answers), services.portal_authority())
        db.session.commit()


def _person_verbs(run: ExerciseRun) -> dict[uuid.UUID, list[str]]:
    found = {}
    for member in run.members:
        key = f"account:https://training.unmic.example|{member.person_id}"
        found[member.person_id] = sorted(
            db.session.scalars(
                select(Statement.verb_id).where(
                    Statement.actor_key == key, Statement.activity_id == run.activity_id
                )
            )
        )
    return found


def test_results_per_team_and_person_and_readiness_on_close(app, client, make_run):
    run_id = make_run()
    _store(app, run_id)
    page = client.get(f"/exercises/runs/{run_id}").get_data(as_text=True)
    assert "Finished" in page and "89%" in page and "52%" in page
    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        rep = services.report(run, "en")
        scores = {t.team_id: t.score for t in rep.teams}
        assert scores == {"command": pytest.approx(8 / 9), "field": pytest.approx(11 / 21)}
        by_role = {p.member.role: (p.score, p.passed) for p in rep.people}
        assert by_role["company-commander"] == (pytest.approx(8 / 9), True)
        assert by_role["patrol-leader"] == (pytest.approx(11 / 21), False)
        assert by_role["operations-officer"][1] is True
        patrol = next(p for p in rep.people if p.member.role == "patrol-leader")
        assert [d.decision_id for d in patrol.decisions] == ["crowd-response"]
        verbs = _person_verbs(run)
        command = [m.person_id for m in run.members if m.team == "command"]
        field = [m.person_id for m in run.members if m.team == "field"]
    # Viewing a finished run recorded the results already; closing adds nothing and is safe twice.
    for person_id in command:
        assert verbs[person_id] == sorted([iris.COMPLETED, iris.PASSED])
    for person_id in field:
        assert verbs[person_id] == sorted([iris.COMPLETED, iris.FAILED])
    closed = client.post(f"/exercises/runs/{run_id}/close", follow_redirects=True)
    assert "0 results recorded" in closed.get_data(as_text=True)
    again = client.post(f"/exercises/runs/{run_id}/close", follow_redirects=True)
    assert "already closed" in again.get_data(as_text=True)
    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        assert _person_verbs(run) == verbs
        judged = db.session.scalar(
            select(Statement.raw).where(
                Statement.statement_id == uuid.UUID(services.result_ids(run, command[0])["passed"])
            )
        )
        assert '"scaled":0.8889' in judged.replace(" ", "")

        # Readiness: an exercise requirement is met by the passed statement, not by a failure.
        requirement = Requirement(
            mission_id=run.rotation.contingent.mission_id,
            title="Protection of civilians tabletop",
            kind="exercise",
            ref="poc-camp",
            rule="passed",
            roles=[],
            validity_months=12,
        )
        db.session.add(requirement)
        db.session.flush()
        rule = readiness.to_rule(requirement)
        assert rule.activity == run.activity_id
        evidence = readiness.evidence_for(command + field, [rule])
        assert all(evidence[p] for p in command)
        assert not any(evidence[p] for p in field)
        db.session.rollback()


def test_closing_an_unplayed_run_records_nothing(app, client, make_run):
    run_id = make_run()
    response = client.post(f"/exercises/runs/{run_id}/close", follow_redirects=True)
    assert "0 results recorded" in response.get_data(as_text=True)
    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        assert run.results_recorded_at is None
        assert all(v == [] for v in _person_verbs(run).values())


def test_closing_mid_exercise_judges_teams_on_their_decisions_so_far(app, client, make_run):
    run_id = make_run()
    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        partial = [
            s
            for s in _app_statements(run, ANSWERS[:1])
            if s["verb"]["id"] in (iris.INITIALIZED, iris.ANSWERED)
        ]
        save_statements(db.session, partial, services.portal_authority())
        db.session.commit()
    page = client.get(f"/exercises/runs/{run_id}").get_data(as_text=True)
    assert "In progress" in page
    response = client.post(f"/exercises/runs/{run_id}/close", follow_redirects=True)
    assert "2 results recorded" in response.get_data(as_text=True)
    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        verbs = _person_verbs(run)
        for member in run.members:
            expected = [iris.PASSED] if member.team == "command" else []
            assert verbs[member.person_id] == expected


def test_after_action_review_in_french_and_improvement_plan_exports(app, client, make_run):
    run_id = make_run()
    _store(app, run_id)
    with app.app_context():
        from lms.exercises import scenarios

        crowd = scenarios.get("poc-camp").decision("crowd-response")
    shots, interpose = crowd.option("warning-shots"), crowd.option("interpose")
    client.post("/language", data={"lang": "fr"})
    html = client.get(f"/exercises/runs/{run_id}").get_data(as_text=True)
    assert str(escape(crowd.prompt["fr"])) in html
    assert str(escape(shots.explanation["fr"])) in html
    assert str(escape(interpose.label["fr"])) in html
    assert "05:40" in html and "05:50" in html  # exercise clock: start 05:30 + 10 and 20 min

    client.post("/language", data={"lang": "en"})
    plan = client.get(f"/exercises/runs/{run_id}/plan.csv")
    assert plan.status_code == 200 and plan.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(plan.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2  # the header and the one decision doctrine would take otherwise
    assert rows[1][4] == crowd.prompt["en"]
    assert rows[1][5] == shots.label["en"] and rows[1][6] == "25%"
    assert rows[1][8] == interpose.label["en"] and rows[1][9] == interpose.explanation["en"]

    pdf = client.get(f"/exercises/runs/{run_id}/plan.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and len(pdf.data) > 2000
    with app.app_context():
        exports = db.session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "exercise.plan_export")
        ).all()
        assert sorted(d["format"] for d in exports) == ["csv", "pdf"]


def test_a_replay_adds_a_pass_after_a_failure_and_nothing_after_a_pass(app, client, make_run):
    run_id = make_run()
    _store(app, run_id)  # field team fails (11/21), command post passes
    client.get(f"/exercises/runs/{run_id}")
    better = [
        ("posture", "fortify-base", "command", "company-commander", 2, 9),
        ("humanitarian-liaison", "meet-share", "field", "civil-military-liaison", 8, 9),
        ("crowd-response", "interpose", "field", "patrol-leader", 11, 12),
    ]
    _store(app, run_id, better)  # second session: field passes (19/21), command fails (2/9)
    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        assert services.report(run).sessions == 2
        assert services.record_results(run) == 2  # a pass for each of the field team
        verbs = _person_verbs(run)
        for member in run.members:
            if member.team == "field":
                expected = [iris.COMPLETED, iris.FAILED, iris.PASSED]
            else:
                expected = [iris.COMPLETED, iris.PASSED]
            assert verbs[member.person_id] == sorted(expected), member.team
        assert services.record_results(run) == 0


def test_improvement_plan_pdf_in_arabic(app, client, make_run):
    run_id = make_run()
    _store(app, run_id)
    client.post("/language", data={"lang": "ar"})
    page = client.get(f"/exercises/runs/{run_id}").get_data(as_text=True)
    assert 'dir="rtl"' in page and 'dir="ltr"' in page  # identifiers stay left-to-right
    pdf = client.get(f"/exercises/runs/{run_id}/plan.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF") and b"NotoSansArabic" in pdf.data


def test_a_persons_exercise_results_page(app, client, auth, make_run):
    run_id = make_run()
    _store(app, run_id)
    client.get(f"/exercises/runs/{run_id}")  # a finished run: results recorded
    with app.app_context():
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
        by_team = {m.team: str(m.person_id) for m in run.members}
    person_page = client.get(f"/people/{by_team['field']}").get_data(as_text=True)
    assert f"/exercises/people/{by_team['field']}" in person_page
    field = client.get(f"/exercises/people/{by_team['field']}").get_data(as_text=True)
    assert "Tamba camp" in field and "52%" in field and "not passed" in field
    command = client.get(f"/exercises/people/{by_team['command']}").get_data(as_text=True)
    assert "89%" in command and "badge ok" in command
    client.post("/logout")
    auth.login("trainer.sen", "carana-trainer-2026")
    assert client.get(f"/exercises/people/{by_team['field']}").status_code == 404
