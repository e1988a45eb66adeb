"""Units, rotations, rosters and people, as trainers and controllers see them (scoped)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from lms import navigation
from lms.audit.services import record
from lms.auth.decorators import roles_required
from lms.auth.roles import ADMIN, CONTROLLER, TRAINER
from lms.extensions import db
from lms.org import scoping, services
from lms.org.models import Contingent, Person, Rotation

bp = Blueprint("org", __name__)

STAFF = (ADMIN, TRAINER, CONTROLLER)
navigation.register(_l("Units"), "org.contingents", STAFF, 20)
navigation.register(_l("People"), "org.people", STAFF, 30)


def parse_uuid(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def page_arg() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def get_visible_contingent(contingent_id: uuid.UUID) -> Contingent:
    contingent = db.session.get(Contingent, contingent_id)
    if contingent is None or not scoping.can_see_contingent(current_user, contingent):
        abort(404)
    return contingent


def get_visible_rotation(rotation_id: uuid.UUID) -> Rotation:
    rotation = db.session.get(Rotation, rotation_id)
    if rotation is None or not scoping.can_see_contingent(current_user, rotation.contingent):
        abort(404)
    return rotation


@bp.route("/units")
@roles_required(*STAFF)
def contingents():
    search = request.args.get("q", "").strip()[:100]
    page = services.paginate(
        services.visible_contingents(current_user, search),
        page_arg(),
        current_app.config["PAGE_SIZE"],
    )
    return render_template("org/contingents.html", page=page, search=search)


@bp.route("/units/<uuid:contingent_id>")
@roles_required(*STAFF)
def contingent(contingent_id):
    unit = get_visible_contingent(contingent_id)
    return render_template("org/contingent.html", contingent=unit)


@bp.route("/rotations/<uuid:rotation_id>")
@roles_required(*STAFF)
def rotation(rotation_id):
    rot = get_visible_rotation(rotation_id)
    search = request.args.get("q", "").strip()[:100]
    subunit_id = parse_uuid(request.args.get("subunit"))
    page = services.paginate(
        services.roster_query(rot, search, subunit_id), page_arg(), current_app.config["PAGE_SIZE"]
    )
    record(current_user, "roster.view", f"rotation:{rot.id}", page=page.page)
    db.session.commit()
    return render_template(
        "org/rotation.html", rotation=rot, page=page, search=search, subunit_id=subunit_id
    )


class RosterUploadForm(FlaskForm):
    file = FileField(validators=[FileRequired()])
    confirm = BooleanField()


@bp.route("/rotations/<uuid:rotation_id>/import", methods=["GET", "POST"])
@roles_required(ADMIN, TRAINER)
def import_roster(rotation_id):
    rot = get_visible_rotation(rotation_id)
    form = RosterUploadForm()
    report = None
    status = 200
    if form.validate_on_submit():
        data = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        report = services.import_roster(rot, data, current_user)
        if report.ok:
            db.session.commit()
            flash(
                _(
                    "Roster imported: %(rows)d rows, %(created)d new people, %(added)d added to the rotation.",
                    rows=report.rows,
                    created=report.created,
                    added=report.added,
                ),
                "info",
            )
            return redirect(url_for("org.rotation", rotation_id=rot.id))
        db.session.rollback()
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("org/import.html", rotation=rot, form=form, report=report), status


@bp.route("/people")
@roles_required(*STAFF)
def people():
    search = request.args.get("q", "").strip()[:100]
    page = services.paginate(
        services.people_query(current_user, search), page_arg(), current_app.config["PAGE_SIZE"]
    )
    if search:
        record(current_user, "people.search", "", query=search, results=page.total)
        db.session.commit()
    return render_template("org/people.html", page=page, search=search)


@bp.route("/people/<uuid:person_id>")
@roles_required(*STAFF)
def person(person_id):
    person = db.session.get(Person, person_id)
    if person is None or person.erased_at or not scoping.can_see_person(current_user, person):
        abort(404)
    record(current_user, "person.view", f"person:{person.id}")
    db.session.commit()
    memberships = sorted(
        person.memberships, key=lambda m: m.rotation.planned_deployment, reverse=True
    )
    return render_template("org/person.html", person=person, memberships=memberships)
