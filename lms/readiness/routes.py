"""Readiness dashboards, transcripts, waivers, requirements and exports."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lms import navigation
from lms.audit.services import record
from lms.auth.decorators import roles_required
from lms.auth.roles import ADMIN, ANALYST, CONTROLLER, TRAINER
from lms.extensions import db
from lms.navigation import NavLink
from lms.org import scoping
from lms.org.models import PERSON_ROLES, Contingent, Mission, Person, Rotation
from lms.org.routes import get_visible_contingent, get_visible_rotation, page_arg, parse_uuid
from lms.org.services import Page
from lms.readiness import charts, engine, services
from lms.readiness.forms import RequirementForm, SignOffForm, WaiverForm
from lms.readiness.models import ReadinessReport, Requirement

bp = Blueprint("readiness", __name__, url_prefix="/readiness")
STAFF = (ADMIN, TRAINER, CONTROLLER)

navigation.register(_l("Readiness"), "readiness.index", (ADMIN, TRAINER, CONTROLLER, ANALYST), 25)


def _rotation_links(rotation):
    if current_user.has_role(*STAFF):
        return [
            NavLink(
                _("Readiness dashboard"), url_for("readiness.rotation", rotation_id=rotation.id)
            )
        ]
    return []


def _person_links(person):
    if current_user.has_role(*STAFF):
        return [NavLink(_("Training history"), url_for("readiness.person", person_id=person.id))]
    return []


navigation.register_rotation_links(_rotation_links)
navigation.register_person_links(_person_links)

STATE_LABELS = {
    engine.DONE: _l("done"),
    engine.EXPIRING: _l("expires before deployment"),
    engine.MISSING: _l("missing"),
    engine.OVERDUE: _l("overdue"),
    engine.EXPIRED: _l("expired"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@bp.app_context_processor
def _helpers():
    return {"state_label": state_label}


@bp.app_template_filter("requirement_name")
def requirement_name(key: str) -> str:
    """The title of a requirement from its id (the key of an engine rule)."""
    req = db.session.get(Requirement, parse_uuid(key)) if parse_uuid(key) else None
    return req.title if req else key


@bp.route("/")
@roles_required(ADMIN, TRAINER, CONTROLLER, ANALYST)
def index():
    """Rotations to follow: the trainer's own; for HQ, every rotation, by country."""
    if current_user.has_role(ANALYST) and not current_user.has_role(ADMIN, TRAINER, CONTROLLER):
        return redirect(url_for("readiness.hq"))
    contingents = list(
        db.session.scalars(
            select(Contingent)
            .where(scoping.contingent_clause(current_user))
            .order_by(Contingent.name)
        )
    )
    return render_template("readiness/index.html", contingents=contingents)


def _filters():
    role = request.args.get("role") or None
    if role not in PERSON_ROLES:
        role = None
    return role, parse_uuid(request.args.get("subunit"))


@bp.route("/rotations/<uuid:rotation_id>")
@roles_required(*STAFF)
def rotation(rotation_id):
    rot = get_visible_rotation(rotation_id)
    role, subunit_id = _filters()
    # Audit first: committing expires loaded objects, so it comes before the figures are read.
    record(
        current_user,
        "readiness.view",
        f"rotation:{rot.id}",
        role=role,
        subunit=str(subunit_id or ""),
    )
    db.session.commit()
    view = services.rotation_readiness(rot, role=role, subunit_id=subunit_id)
    search = request.args.get("q", "").strip().lower()[:100]
    sort = request.args.get("sort", "missing")
    people = view.not_ready if request.args.get("show") != "all" else view.rows
    if search:
        people = [
            r
            for r in people
            if search in r.person.full_name.lower() or search in r.person.service_number.lower()
        ]
    if sort == "name":
        people = sorted(people, key=lambda r: (r.person.family_name, r.person.given_name))
    else:
        people = sorted(people, key=lambda r: (-len(r.status.missing), r.person.family_name))
    per_page = 50
    page = Page(items=[], page=page_arg(), per_page=per_page, total=len(people))
    page.page = min(page.page, page.pages)
    people = people[(page.page - 1) * per_page : page.page * per_page]
    page.items = people
    trend_chart = charts.line_chart(
        view.trend,
        projection=view.projection,
        target=rot.target_ready_share,
        end=rot.planned_deployment,
        title=_("Share of people ready, day by day"),
        desc=_(
            "Ready today: %(share)s. Target: %(target)s by %(date)s.",
            share=f"{view.share_ready:.0%}",
            target=f"{rot.target_ready_share:.0%}",
            date=rot.planned_deployment.isoformat(),
        ),
    )
    req_chart = charts.bar_chart(
        [(r.title, met / total) for r, met, total in view.per_requirement()],
        title=_("Completion per requirement"),
        desc=_("Share of the people each requirement applies to who meet it."),
    )
    waiver_form = WaiverForm()
    waiver_form.requirement_id.choices = [(r.id, r.title) for r in view.requirements]
    return render_template(
        "readiness/rotation.html",
        rotation=rot,
        view=view,
        people=people,
        page=page,
        role=role,
        subunit_id=subunit_id,
        search=search,
        sort=sort,
        trend_chart=trend_chart,
        req_chart=req_chart,
        waiver_form=waiver_form,
        signoff_form=SignOffForm(),
        reports=list(
            db.session.scalars(
                select(ReadinessReport)
                .where(ReadinessReport.rotation_id == rot.id)
                .order_by(ReadinessReport.signed_at.desc())
            )
        ),
        roles=PERSON_ROLES,
    )


@bp.route("/rotations/<uuid:rotation_id>/waive/<uuid:person_id>", methods=["POST"])
@roles_required(ADMIN, TRAINER)
def waive(rotation_id, person_id):
    rot = get_visible_rotation(rotation_id)
    person = db.session.get(Person, person_id)
    if person is None or not any(m.rotation_id == rot.id for m in person.memberships):
        abort(404)
    form = WaiverForm()
    form.requirement_id.choices = [
        (r.id, r.title) for r in services.requirements_for(rot.contingent.mission_id)
    ]
    if not form.validate_on_submit():
        flash(_("The waiver was not recorded: choose a requirement and a reason."), "error")
        return redirect(url_for("readiness.rotation", rotation_id=rot.id)), 303
    requirement = db.session.get(Requirement, form.requirement_id.data)
    services.waive(current_user, person, requirement, form.reason.data, form.note.data or "")
    db.session.commit()
    flash(
        _(
            "Waiver recorded for %(name)s: %(requirement)s.",
            name=person.full_name,
            requirement=requirement.title,
        ),
        "info",
    )
    return redirect(
        request.form.get("back")
        if (request.form.get("back") or "").startswith("/readiness/")
        else url_for("readiness.rotation", rotation_id=rot.id),
        303,
    )


@bp.route("/people/<uuid:person_id>")
@roles_required(*STAFF)
def person(person_id):
    person = db.session.get(Person, person_id)
    if person is None or person.erased_at or not scoping.can_see_person(current_user, person):
        abort(404)
    rotations = sorted(
        (m.rotation for m in person.memberships), key=lambda r: r.planned_deployment, reverse=True
    )
    statuses = [(r, services.person_readiness(person, r)) for r in rotations]
    history = services.transcript(person)
    record(current_user, "readiness.transcript", f"person:{person.id}")
    db.session.commit()
    return render_template(
        "readiness/person.html",
        person=person,
        statuses=statuses,
        history=history,
    )


def _csv_stream(header: list[str], rows):
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        yield "\ufeff" + buffer.getvalue()
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(row)
            yield buffer.getvalue()

    return generate()


@bp.route("/rotations/<uuid:rotation_id>/readiness.csv")
@roles_required(*STAFF)
def export_csv(rotation_id):
    rot = get_visible_rotation(rotation_id)
    view = services.rotation_readiness(rot, trend_days=0)
    header = [
        "service_number",
        "family_name",
        "given_name",
        "rank",
        "role",
        "subunit",
        "ready",
        "missing",
        "expiring",
    ]
    # Plain rows, made before the response streams (the database session ends with the request).
    rows = [
        [
            r.person.service_number,
            r.person.family_name,
            r.person.given_name,
            r.person.rank,
            r.person.role,
            r.member.subunit.name if r.member.subunit else "",
            "yes" if r.status.ready else "no",
            "; ".join(_title(view, i.rule.key) for i in r.status.missing),
            "; ".join(_title(view, i.rule.key) for i in r.status.expiring),
        ]
        for r in view.rows
    ]
    record(current_user, "readiness.export_csv", f"rotation:{rot.id}", people=view.total)
    db.session.commit()
    filename = f"readiness-{rot.contingent.code}-{rot.number}.csv"
    return Response(
        stream_with_context(_csv_stream(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _title(view, key: str) -> str:
    for r in view.requirements:
        if str(r.id) == key:
            return r.title
    return key


@bp.route("/rotations/<uuid:rotation_id>/pseudonymised.csv")
@roles_required(ADMIN, ANALYST)
def export_pseudonymised(rotation_id):
    rot = db.session.get(Rotation, rotation_id)
    if rot is None:
        abort(404)
    view = services.rotation_readiness(rot, trend_days=0)
    header = ["pseudonym", "country", "contingent", "rotation", "role", "ready"] + [
        r.title for r in view.requirements
    ]
    rows = []
    for r in view.rows:
        states = {i.rule.key: i.state for i in r.status.items}
        rows.append(
            [
                services.pseudonym(r.person.id),
                rot.contingent.country.iso_code,
                rot.contingent.code,
                rot.number,
                r.person.role,
                "yes" if r.status.ready else "no",
            ]
            + [states.get(str(q.id), "n/a") for q in view.requirements]
        )
    record(current_user, "readiness.export_pseudonymised", f"rotation:{rot.id}", people=view.total)
    db.session.commit()
    return Response(
        stream_with_context(_csv_stream(header, rows)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="readiness-{rot.contingent.code}-{rot.number}-pseudonymised.csv"'
        },
    )


@bp.route("/rotations/<uuid:rotation_id>/sign", methods=["POST"])
@roles_required(ADMIN, TRAINER)
def sign(rotation_id):
    rot = get_visible_rotation(rotation_id)
    form = SignOffForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm that you have checked the figures."), "error")
        return redirect(url_for("readiness.rotation", rotation_id=rot.id), 303)
    view = services.rotation_readiness(rot, trend_days=0)
    figures = {
        "people": view.total,
        "ready": view.ready_count,
        "share_ready": round(view.share_ready, 4),
        "target": rot.target_ready_share,
        "deployment": rot.planned_deployment.isoformat(),
        "requirements": [
            {"title": r.title, "met": met, "of": total} for r, met, total in view.per_requirement()
        ],
        "subunits": [
            {"name": n, "ready": ready, "of": total} for n, ready, total in view.per_subunit()
        ],
    }
    report = ReadinessReport(
        rotation_id=rot.id, signed_by_id=current_user.id, note=form.note.data or "", figures=figures
    )
    db.session.add(report)
    db.session.flush()
    record(
        current_user,
        "readiness.sign",
        f"rotation:{rot.id}",
        report=str(report.id),
        share=figures["share_ready"],
    )
    db.session.commit()
    flash(_("Report signed. You can download it below."), "info")
    return redirect(url_for("readiness.rotation", rotation_id=rot.id) + "#reports", 303)


@bp.route("/reports/<uuid:report_id>.pdf")
@roles_required(*STAFF)
def report_pdf(report_id):
    report = db.session.get(ReadinessReport, report_id)
    if report is None or not scoping.can_see_contingent(current_user, report.rotation.contingent):
        abort(404)
    from lms.readiness.pdf import readiness_report_pdf

    data = readiness_report_pdf(report)
    record(current_user, "readiness.export_pdf", f"report:{report.id}")
    db.session.commit()
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="readiness-{report.rotation.contingent.code}-{report.rotation.number}.pdf"'
        },
    )


@bp.route("/contingents/<uuid:contingent_id>/compare")
@roles_required(*STAFF)
def compare_rotations(contingent_id):
    contingent = get_visible_contingent(contingent_id)
    views = [services.rotation_readiness(r, trend_days=0) for r in contingent.rotations[-4:]]
    chart = charts.bar_chart(
        [(_("rotation %(n)s", n=v.rotation.number), v.share_ready) for v in views],
        title=_("Share ready per rotation"),
        desc=_("Each bar is one rotation of %(unit)s.", unit=contingent.name),
    )
    record(current_user, "readiness.compare_rotations", f"contingent:{contingent.id}")
    db.session.commit()
    return render_template(
        "readiness/compare.html", title=contingent.name, views=views, chart=chart, by="rotation"
    )


@bp.route("/missions/<uuid:mission_id>/compare")
@roles_required(ADMIN, TRAINER, CONTROLLER, ANALYST)
def compare_countries(mission_id):
    mission = db.session.get(Mission, mission_id)
    if mission is None:
        abort(404)
    stmt = select(Contingent).where(Contingent.mission_id == mission.id).order_by(Contingent.name)
    if not current_user.has_role(ADMIN, ANALYST):
        stmt = stmt.where(scoping.contingent_clause(current_user))
    views = []
    for contingent in db.session.scalars(stmt):
        upcoming = [
            r for r in contingent.rotations if r.status in ("planned", "preparing", "deployed")
        ]
        if upcoming:
            views.append(services.rotation_readiness(upcoming[-1], trend_days=0))
    chart = charts.bar_chart(
        [
            (f"{v.rotation.contingent.country.name} — {v.rotation.contingent.code}", v.share_ready)
            for v in views
        ],
        title=_("Share ready per country"),
        desc=_(
            "The next or current rotation of each contingent in %(mission)s.", mission=mission.code
        ),
    )
    record(current_user, "readiness.compare_countries", f"mission:{mission.id}")
    db.session.commit()
    return render_template(
        "readiness/compare.html", title=mission.name, views=views, chart=chart, by="country"
    )


@bp.route("/hq")
@roles_required(ADMIN, ANALYST)
def hq():
    """HQ: aggregate readiness of every contingent's current and next rotation, without names."""
    missions = list(db.session.scalars(select(Mission).order_by(Mission.code)))
    rows = []
    for contingent in db.session.scalars(select(Contingent).order_by(Contingent.name)):
        for r in contingent.rotations:
            if r.status in ("preparing", "deployed", "planned"):
                v = services.rotation_readiness(r, trend_days=0)
                rows.append((r, v.total, v.ready_count, v.share_ready))
    record(current_user, "readiness.hq_view", "")
    db.session.commit()
    return render_template("readiness/hq.html", rows=rows, missions=missions)


# --- Requirements ---------------------------------------------------------------------------


def _requirement_form(obj=None):
    form = RequirementForm(obj=obj)
    form.mission_id.choices = [
        (m.id, f"{m.code} — {m.name}")
        for m in db.session.scalars(select(Mission).order_by(Mission.code))
    ]
    return form


@bp.route("/requirements")
@roles_required(ADMIN, TRAINER)
def requirements():
    reqs = list(
        db.session.scalars(select(Requirement).order_by(Requirement.kind, Requirement.title))
    )
    return render_template("readiness/requirements.html", requirements=reqs, roles=PERSON_ROLES)


@bp.route("/requirements/new", methods=["GET", "POST"])
@bp.route("/requirements/<uuid:requirement_id>", methods=["GET", "POST"])
@roles_required(ADMIN, TRAINER)
def edit_requirement(requirement_id=None):
    req = None
    if requirement_id:
        req = db.session.get(Requirement, requirement_id)
        if req is None:
            abort(404)
    form = _requirement_form(req)
    if form.validate_on_submit():
        creating = req is None
        req = req or Requirement()
        form.populate_obj(req)
        if creating:
            db.session.add(req)
        db.session.flush()
        record(
            current_user,
            f"requirement.{'create' if creating else 'update'}",
            f"requirement:{req.id}",
            title=req.title,
        )
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("readiness.requirements"))
    status = 400 if request.method == "POST" else 200
    return render_template("readiness/requirement_form.html", form=form, requirement=req), status


def home_section():
    """For a trainer: one line per followed rotation with its share ready."""
    if not current_user.is_authenticated or not current_user.has_role(TRAINER):
        return None
    rotations = db.session.scalars(
        select(Rotation)
        .join(Contingent)
        .where(
            scoping.contingent_clause(current_user), Rotation.status.in_(["preparing", "planned"])
        )
        .limit(6)
    ).all()
    if not rotations:
        return None
    views = [services.rotation_readiness(r, trend_days=0) for r in rotations]
    return Markup(render_template("readiness/_home.html", views=views))  # noqa: S704 (autoescaped template)


navigation.register_home_section(home_section)
