"""Exercise runs: list, create, run page, launch (join code, launch file, fetch), results."""

from __future__ import annotations

import csv
import io
import uuid

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from lms import navigation
from lms.audit.services import record
from lms.auth.decorators import roles_required
from lms.auth.roles import ADMIN, CONTROLLER, TRAINER
from lms.exercises import scenarios, services
from lms.exercises.models import RUN_STATUSES, ExerciseRun
from lms.extensions import cache, csrf, db
from lms.navigation import NavLink
from lms.org.models import Person, Rotation
from lms.org.scoping import can_see_contingent, can_see_person

bp = Blueprint("exercises", __name__, url_prefix="/exercises")

STAFF = (ADMIN, TRAINER, CONTROLLER)
ROWS_PER_TEAM = 6
JOIN_LIMIT = 20  # wrong join codes per address and window
JOIN_WINDOW = 600  # seconds
LOOPBACK = {"127.0.0.1", "::1"}

navigation.register(_l("Exercises"), "exercises.index", STAFF, 40)


def _rotation_links(rotation) -> list[NavLink]:
    if not current_user.is_authenticated or not current_user.has_role(*STAFF):
        return []
    return [NavLink(_("Scenario exercises"), url_for("exercises.index", rotation=str(rotation.id)))]


navigation.register_rotation_links(_rotation_links)


def _person_links(person) -> list[NavLink]:
    if not current_user.is_authenticated or not current_user.has_role(*STAFF):
        return []
    return [NavLink(_("Exercise results"), url_for("exercises.person", person_id=person.id))]


navigation.register_person_links(_person_links)


def _home_section():
    """For an exercise controller: the open runs of their contingents, with their join codes."""
    if not current_user.is_authenticated or not current_user.has_role(CONTROLLER):
        return None
    runs = db.session.scalars(
        services.visible_runs(current_user).where(ExerciseRun.status == "open").limit(6)
    ).all()
    return Markup(render_template("exercises/_home.html", runs=runs))  # noqa: S704 (autoescaped template)


navigation.register_home_section(_home_section)


class ActionForm(FlaskForm):
    """An empty form: the CSRF token of the run page's buttons."""


def portal() -> str:
    return request.host_url.rstrip("/")


def parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def visible_run(run_id: uuid.UUID) -> ExerciseRun:
    run = db.session.get(ExerciseRun, run_id)
    if run is None or not services.can_see_run(current_user, run):
        abort(404)
    return run


def visible_rotation(rotation_id: uuid.UUID | None) -> Rotation | None:
    if rotation_id is None:
        return None
    rotation = db.session.get(Rotation, rotation_id)
    if rotation is None or not can_see_contingent(current_user, rotation.contingent):
        abort(404)
    return rotation


def ui_lang() -> str:
    return str(get_locale() or "en").split("_")[0]


def is_local_request() -> bool:
    """A request from this very computer: loopback, and not relayed by a proxy for someone else."""
    if request.remote_addr not in LOOPBACK:
        return False
    relayed = request.headers.get("X-Forwarded-For") or request.headers.get("X-Real-IP")
    if relayed and any(part.strip() not in LOOPBACK for part in relayed.split(",")):
        return False
    return "Forwarded" not in request.headers


@bp.app_template_global("exercise_title")
def exercise_title(scenario_id: str, lang: str | None = None) -> str:
    return scenarios.title(scenario_id, lang or ui_lang())


@bp.app_template_global("exercise_team_role")
def exercise_team_role(scenario_id: str, team: str, role: str, lang: str | None = None) -> str:
    scenario = scenarios.get(scenario_id)
    if scenario is None:
        return f"{team} · {role}"
    lang = lang or ui_lang()
    return (
        f"{scenarios.team_name(scenario, team, lang)} · {scenarios.role_name(scenario, role, lang)}"
    )


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"


# --- pages -----------------------------------------------------------------------------------


@bp.route("/")
@roles_required(*STAFF)
def index():
    rotation = visible_rotation(parse_uuid(request.args.get("rotation")))
    runs = list(
        db.session.scalars(
            services.visible_runs(current_user, rotation.id if rotation else None).limit(200)
        )
    )
    grouped: dict = {}
    for run in runs:
        grouped.setdefault(run.rotation, []).append(run)
    return render_template(
        "exercises/index.html",
        rotation=rotation,
        grouped=grouped,
        rotations=services.visible_rotations(current_user),
        statuses=RUN_STATUSES,
        catalogue=scenarios.all_scenarios(),
        lang=ui_lang(),
    )


def _member_choices(scenario) -> tuple[list[services.MemberChoice], list[str]]:
    """The (team, person, role) rows of the form; rows without a person are skipped."""
    choices, errors = [], []
    for team in scenario.teams:
        for i in range(ROWS_PER_TEAM):
            person = request.form.get(f"team-{team.id}-{i}-person", "").strip()
            role = request.form.get(f"team-{team.id}-{i}-role", "").strip()
            if not person:
                continue
            person_id = parse_uuid(person)
            if person_id is None:
                errors.append(_("A person chosen in a team is not on the roster."))
                continue
            choices.append(services.MemberChoice(team.id, person_id, role))
    return choices, errors


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    form = ActionForm()
    source = request.form if request.method == "POST" else request.args
    rotation = visible_rotation(parse_uuid(source.get("rotation")))
    scenario = scenarios.get(source.get("scenario", ""))
    lang = source.get("lang") or ""
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            errors.append(_("The form has expired. Reload the page and try again."))
        elif rotation is None or scenario is None:
            errors.append(_("Choose a rotation and a scenario."))
        else:
            choices, errors = _member_choices(scenario)
            if not errors:
                try:
                    run = services.create_run(
                        current_user, rotation, scenario.id, lang, choices, portal=portal()
                    )
                except services.RunError as exc:
                    errors.append(str(exc))
                else:
                    record(current_user, "exercise.create", f"exercise_run:{run.id}")
                    db.session.commit()
                    flash(_("Exercise run created. Give the join code to the players."), "info")
                    return redirect(url_for("exercises.run", run_id=run.id))
        db.session.rollback()
        status = 400
    return render_template(
        "exercises/new.html",
        form=form,
        rotation=rotation,
        rotations=services.visible_rotations(current_user),
        scenario=scenario,
        catalogue=scenarios.all_scenarios(),
        lang=lang,
        ui=ui_lang(),
        people=services.roster(rotation) if rotation is not None else [],
        rows=range(ROWS_PER_TEAM),
        chosen=request.form,
        errors=errors,
    ), status


@bp.route("/people/<uuid:person_id>")
@roles_required(*STAFF)
def person(person_id):
    someone = db.session.get(Person, person_id)
    if someone is None or someone.erased_at or not can_see_person(current_user, someone):
        abort(404)
    runs = [r for r in services.person_runs(someone) if services.can_see_run(current_user, r.run)]
    record(current_user, "exercise.person_results", f"person:{someone.id}")
    db.session.commit()
    return render_template("exercises/person.html", person=someone, runs=runs, lang=ui_lang())


@bp.route("/runs/<uuid:run_id>")
@roles_required(*STAFF)
def run(run_id):
    run = visible_run(run_id)
    rep = services.report(run, ui_lang())
    if rep.status == "finished" and run.results_recorded_at is None:
        services.record_results(run)
    record(current_user, "exercise.view", f"exercise_run:{run.id}")
    db.session.commit()
    scenario = scenarios.get(run.scenario_id)
    return render_template(
        "exercises/run.html",
        run=run,
        report=rep,
        scenario=scenario,
        form=ActionForm(),
        local=is_local_request(),
        statuses=RUN_STATUSES,
        now=services.utcnow(),
    )


@bp.route("/runs/<uuid:run_id>/close", methods=["POST"])
@roles_required(*STAFF)
def close(run_id):
    run = visible_run(run_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not run.is_open:
        flash(_("This run is already closed."), "info")
        return redirect(url_for("exercises.run", run_id=run.id))
    recorded = services.close_run(run)
    record(current_user, "exercise.close", f"exercise_run:{run.id}", results=recorded)
    db.session.commit()
    flash(
        _(
            "Run closed. %(n)d results recorded for readiness; its launch links no longer work.",
            n=recorded,
        ),
        "info",
    )
    return redirect(url_for("exercises.run", run_id=run.id))


@bp.route("/runs/<uuid:run_id>/code", methods=["POST"])
@roles_required(*STAFF)
def renew_code(run_id):
    run = visible_run(run_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not run.is_open:
        abort(409)
    code = services.assign_join_code(run)
    record(current_user, "exercise.join_code", f"exercise_run:{run.id}")
    db.session.commit()
    flash(_("New join code: %(code)s", code=code), "info")
    return redirect(url_for("exercises.run", run_id=run.id))


@bp.route("/runs/<uuid:run_id>/launch.json")
@roles_required(*STAFF)
def launch_file(run_id):
    run = visible_run(run_id)
    if not run.is_open:
        return jsonify({"error": _("This run is closed.")}), 409
    url = services.new_launch(run, portal(), via="file")
    record(current_user, "exercise.launch_file", f"exercise_run:{run.id}")
    db.session.commit()
    response = jsonify({"launch_url": url, "portal": portal()})
    response.headers["Content-Disposition"] = (
        f'attachment; filename="exercise-{run.scenario_id}-{run.registration[:8]}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/runs/<uuid:run_id>/launch-here", methods=["POST"])
@roles_required(*STAFF)
def launch_here(run_id):
    run = visible_run(run_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not is_local_request():
        abort(403)
    if not run.is_open:
        abort(409)
    url = services.new_launch(run, portal(), via="local")
    db.session.commit()
    try:
        services.launch_here(url)
    except OSError as exc:
        flash(_("The exercise app could not be started: %(error)s", error=str(exc)), "error")
    else:
        record(current_user, "exercise.launch_here", f"exercise_run:{run.id}")
        db.session.commit()
        flash(_("The exercise app is starting on this computer."), "info")
    return redirect(url_for("exercises.run", run_id=run.id))


@bp.route("/runs/<uuid:run_id>/plan.csv")
@roles_required(*STAFF)
def plan_csv(run_id):
    run = visible_run(run_id)
    rep = services.report(run, ui_lang())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("No."),
            _("Exercise time"),
            _("Team"),
            _("Role"),
            _("Decision point"),
            _("Decision taken"),
            _("Score"),
            _("What happened"),
            _("What doctrine asks"),
            _("Why"),
            _("Owner"),
            _("Status"),
        ]
    )
    for number, item in enumerate(rep.improvements, start=1):
        writer.writerow(
            [
                number,
                item.clock,
                item.team,
                item.role,
                item.title,
                item.option,
                percent(item.score),
                item.explanation,
                item.best_option,
                item.best_explanation,
                item.role,
                _("Open"),
            ]
        )
    record(current_user, "exercise.plan_export", f"exercise_run:{run.id}", format="csv")
    db.session.commit()
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="improvement-plan-{run.scenario_id}.csv"'
        },
    )


# --- the desktop app's side (no login) ---------------------------------------------------------


@bp.route("/fetch/<token>", methods=["POST"])
@csrf.exempt
def fetch(token):
    """cmi5 fetch URL: the auth token once; later calls get an error object (HTTP 200)."""
    answer = services.fetch(token[:100], portal())
    if "auth-token" in answer:
        db.session.commit()
    else:
        db.session.rollback()
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/join/<code>")
def join(code):
    """Exchange a join code for a launch URL (each answer carries a new one-time token)."""
    key = f"exercise-join:{request.remote_addr or 'unknown'}"
    if int(cache.get(key) or 0) >= JOIN_LIMIT:
        return jsonify({"error": _("Too many wrong join codes. Wait ten minutes.")}), 429
    run = services.run_for_code(code[:32])
    if run is None:
        cache.incr(key, JOIN_WINDOW)  # only wrong codes count: guessing is what is limited
        return jsonify({"error": _("Unknown or expired join code.")}), 404
    url = services.new_launch(run, portal(), via="join")
    db.session.commit()
    response = jsonify({"launch_url": url})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/launch")
def launch_page():
    """What a person sees who opens a launch link in a browser: how to start the app with it."""
    return render_template("exercises/launch.html", url=request.url)


@bp.route("/runs/<uuid:run_id>/plan.pdf")
@roles_required(*STAFF)
def plan_pdf(run_id):
    from lms.exercises.pdf import improvement_plan_pdf

    run = visible_run(run_id)
    rep = services.report(run, ui_lang())
    body = improvement_plan_pdf(rep, scenarios.title(run.scenario_id, rep.lang), run.rotation.label)
    record(current_user, "exercise.plan_export", f"exercise_run:{run.id}", format="pdf")
    db.session.commit()
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="improvement-plan-{run.scenario_id}.pdf"'
        },
    )
