"""Data protection: complaints from any user, and an administrator's export and erasure."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms import navigation
from lms.admin.forms import ConfirmForm
from lms.audit.services import record
from lms.auth.decorators import roles_required
from lms.auth.roles import ADMIN
from lms.db import utcnow
from lms.extensions import db
from lms.org.models import Person
from lms.privacy import services
from lms.privacy.models import Complaint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
navigation.register_admin_link(_l("Data protection: complaints, export, erasure"), "privacy.admin")


class ComplaintForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Your concern"), validators=[DataRequired(), Length(max=5000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=5000)])


@bp.route("/concerns", methods=["GET", "POST"])
@login_required
def concerns():
    """Any user can raise a concern about how their data is used, and read the answers."""
    form = ComplaintForm()
    if form.validate_on_submit():
        complaint = Complaint(
            user_id=current_user.id, subject=form.subject.data.strip(), body=form.body.data.strip()
        )
        db.session.add(complaint)
        db.session.flush()
        record(current_user, "privacy.complaint", f"complaint:{complaint.id}")
        db.session.commit()
        flash(
            _(
                "Your concern has been sent to the administrators. Their answer will appear on this page."
            ),
            "info",
        )
        return redirect(url_for("privacy.concerns"))
    mine = list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.user_id == current_user.id)
            .order_by(Complaint.created_at.desc())
        )
    )
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/concerns.html", form=form, complaints=mine), status


@bp.route("/admin")
@roles_required(ADMIN)
def admin():
    term = request.args.get("q", "").strip()[:100]
    people = services.search_people(term) if term else []
    complaints = list(
        db.session.scalars(
            select(Complaint)
            .order_by(Complaint.status.desc(), Complaint.created_at.desc())
            .limit(100)
        )
    )
    return render_template(
        "privacy/admin.html",
        people=people,
        term=term,
        complaints=complaints,
        confirm=ConfirmForm(),
        answer_form=AnswerForm(),
    )


@bp.route("/admin/complaints/<uuid:complaint_id>", methods=["POST"])
@roles_required(ADMIN)
def answer(complaint_id):
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write an answer before sending it."), "error")
        return redirect(url_for("privacy.admin")), 303
    complaint.answer = form.answer.data.strip()
    complaint.status = "answered"
    complaint.answered_by_id = current_user.id
    complaint.answered_at = utcnow()
    record(current_user, "privacy.answer", f"complaint:{complaint.id}")
    db.session.commit()
    flash(_("Answer sent."), "info")
    return redirect(url_for("privacy.admin"), 303)


def _person(person_id) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        abort(404)
    return person


@bp.route("/admin/people/<uuid:person_id>/export.json")
@roles_required(ADMIN)
def export(person_id):
    person = _person(person_id)
    document = services.export_person(current_user, person)
    db.session.commit()
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="person-{person.id}.json"'},
    )


@bp.route("/admin/people/<uuid:person_id>/erase", methods=["POST"])
@roles_required(ADMIN)
def erase(person_id):
    person = _person(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = services.erase_person(current_user, person)
    db.session.commit()
    flash(
        _(
            "The person's data was erased: %(n)s statements anonymised, %(m)s rotation places removed.",
            n=result["statements"],
            m=result["memberships"],
        ),
        "info",
    )
    return redirect(url_for("privacy.admin"), 303)
