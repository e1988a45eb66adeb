"""Administration pages: the organisation's records, user accounts and role assignments."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from lms import navigation
from lms.admin import forms
from lms.audit.models import AuditEntry
from lms.audit.services import record
from lms.auth import services as accounts
from lms.auth.decorators import roles_required
from lms.auth.models import User
from lms.auth.roles import ADMIN, TRAINEE
from lms.extensions import db
from lms.org.models import (
    Cohort,
    CohortMember,
    Contingent,
    Country,
    Mission,
    Person,
    Rotation,
    RotationMember,
    SubUnit,
)
from lms.org.routes import page_arg
from lms.org.services import like, paginate

bp = Blueprint("admin", __name__, url_prefix="/admin")
navigation.register(_l("Administration"), "admin.index", (ADMIN,), 90)


@bp.before_request
@roles_required(ADMIN)
def require_admin():
    return None


def _country_choices():
    return [(c.id, str(c)) for c in db.session.scalars(select(Country).order_by(Country.name))]


def _mission_choices():
    return [
        (m.id, f"{m.code} — {m.name}")
        for m in db.session.scalars(select(Mission).order_by(Mission.code))
    ]


def _contingent_choices():
    return [
        (c.id, c.name) for c in db.session.scalars(select(Contingent).order_by(Contingent.name))
    ]


def _rotation_choices():
    rows = db.session.scalars(
        select(Rotation).join(Contingent).order_by(Contingent.name, Rotation.number)
    )
    return [(r.id, r.label) for r in rows]


def _subunit_choices():
    rows = db.session.scalars(
        select(SubUnit).join(Contingent).order_by(Contingent.name, SubUnit.name)
    )
    return [(None, "—")] + [(s.id, f"{s.contingent.name} / {s.name}") for s in rows]


@dataclass
class Resource:
    model: type
    form: type
    title: object
    singular: object
    columns: list[tuple[str, object]]
    search: list = field(default_factory=list)
    order: list = field(default_factory=list)
    choices: dict = field(default_factory=dict)


RESOURCES: dict[str, Resource] = {
    "countries": Resource(
        Country,
        forms.CountryForm,
        _l("Countries"),
        _l("country"),
        [
            ("iso_code", _l("ISO code")),
            ("name", _l("Name")),
            ("default_language", _l("Default language")),
        ],
        [Country.name, Country.iso_code],
        [Country.name],
    ),
    "missions": Resource(
        Mission,
        forms.MissionForm,
        _l("Missions"),
        _l("mission"),
        [("code", _l("Code")), ("name", _l("Name")), ("host_country", _l("Host country"))],
        [Mission.code, Mission.name],
        [Mission.code],
    ),
    "contingents": Resource(
        Contingent,
        forms.ContingentForm,
        _l("Contingents"),
        _l("contingent"),
        [
            ("code", _l("Code")),
            ("name", _l("Name")),
            ("country", _l("Country")),
            ("mission", _l("Mission")),
        ],
        [Contingent.name, Contingent.code],
        [Contingent.name],
        {"country_id": _country_choices, "mission_id": _mission_choices},
    ),
    "subunits": Resource(
        SubUnit,
        forms.SubUnitForm,
        _l("Sub-units"),
        _l("sub-unit"),
        [("name", _l("Name")), ("kind", _l("Kind")), ("contingent", _l("Contingent"))],
        [SubUnit.name],
        [SubUnit.name],
        {"contingent_id": _contingent_choices, "parent_id": _subunit_choices},
    ),
    "rotations": Resource(
        Rotation,
        forms.RotationForm,
        _l("Rotations"),
        _l("rotation"),
        [
            ("contingent", _l("Contingent")),
            ("number", _l("Number")),
            ("planned_deployment", _l("Deployment")),
            ("status", _l("Status")),
        ],
        [],
        [Rotation.planned_deployment.desc()],
        {"contingent_id": _contingent_choices},
    ),
    "cohorts": Resource(
        Cohort,
        forms.CohortForm,
        _l("Cohorts"),
        _l("cohort"),
        [("name", _l("Name")), ("rotation", _l("Rotation")), ("subunit", _l("Sub-unit"))],
        [Cohort.name],
        [Cohort.name],
        {"rotation_id": _rotation_choices, "subunit_id": _subunit_choices},
    ),
    "people": Resource(
        Person,
        forms.PersonForm,
        _l("People"),
        _l("person"),
        [
            ("service_number", _l("Service number")),
            ("rank", _l("Rank")),
            ("family_name", _l("Family name")),
            ("given_name", _l("Given name")),
            ("country", _l("Country")),
        ],
        [Person.family_name, Person.given_name, Person.service_number],
        [Person.family_name, Person.given_name],
    ),
}
RESOURCES["people"].choices = {"country_id": _country_choices}


def _resource(name: str) -> Resource:
    res = RESOURCES.get(name)
    if res is None:
        abort(404)
    return res


def _bind_choices(res: Resource, form) -> None:
    for field_name, loader in res.choices.items():
        getattr(form, field_name).choices = loader()


@bp.route("/")
def index():
    counts = {
        name: db.session.scalar(select(func.count()).select_from(res.model))
        for name, res in RESOURCES.items()
    }
    counts["users"] = db.session.scalar(select(func.count()).select_from(User))
    return render_template("admin/index.html", resources=RESOURCES, counts=counts)


@bp.route("/<resource>")
def list_records(resource):
    res = _resource(resource)
    search = request.args.get("q", "").strip()[:100]
    stmt = select(res.model)
    if search and res.search:
        stmt = stmt.where(
            or_(*[func.lower(col).like(like(search), escape="\\") for col in res.search])
        )
    if res.model is Person:
        stmt = stmt.where(Person.erased_at.is_(None))
    stmt = stmt.order_by(*res.order)
    page = paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("admin/list.html", res=res, name=resource, page=page, search=search)


def _fill_cohort(cohort: Cohort) -> None:
    stmt = select(RotationMember.person_id).where(RotationMember.rotation_id == cohort.rotation_id)
    if cohort.subunit_id:
        stmt = stmt.where(RotationMember.subunit_id == cohort.subunit_id)
    for person_id in db.session.scalars(stmt):
        db.session.add(CohortMember(cohort=cohort, person_id=person_id))
    db.session.flush()


def _save(form, obj, resource: str, creating: bool):
    """Write the form into the record; a clash with a unique rule becomes a form error."""
    fill = form._fields.pop("fill", None)
    try:
        form.populate_obj(obj)
    finally:
        if fill is not None:
            form._fields["fill"] = fill
    if creating:
        db.session.add(obj)
    try:
        db.session.flush()
        if creating and fill is not None and fill.data:
            _fill_cohort(obj)
        record(
            current_user, f"{resource}.{'create' if creating else 'update'}", f"{resource}:{obj.id}"
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.form_errors.append(_("A record with the same code, number or name already exists."))
        return None
    flash(_("Saved."), "info")
    return redirect(url_for("admin.list_records", resource=resource))


@bp.route("/<resource>/new", methods=["GET", "POST"])
def create_record(resource):
    res = _resource(resource)
    form = res.form()
    _bind_choices(res, form)
    if form.validate_on_submit():
        result = _save(form, res.model(), resource, creating=True)
        if result is not None:
            return result
    status = 400 if request.method == "POST" else 200
    return render_template("admin/form.html", res=res, name=resource, form=form, obj=None), status


@bp.route("/<resource>/<uuid:record_id>", methods=["GET", "POST"])
def edit_record(resource, record_id):
    res = _resource(resource)
    obj = db.session.get(res.model, record_id)
    if obj is None:
        abort(404)
    form = res.form(obj=obj)
    _bind_choices(res, form)
    if "fill" in form._fields:
        form._fields.pop("fill")
    if form.validate_on_submit():
        result = _save(form, obj, resource, creating=False)
        if result is not None:
            return result
    status = 400 if request.method == "POST" else 200
    extra = {}
    if isinstance(obj, Person):
        extra["login"] = db.session.scalar(select(User).where(User.person_id == obj.id))
    return render_template(
        "admin/form.html",
        res=res,
        name=resource,
        form=form,
        obj=obj,
        delete_form=forms.ConfirmForm(),
        **extra,
    ), status


@bp.route("/<resource>/<uuid:record_id>/delete", methods=["POST"])
def delete_record(resource, record_id):
    res = _resource(resource)
    obj = db.session.get(res.model, record_id)
    if obj is None:
        abort(404)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    db.session.delete(obj)
    try:
        record(current_user, f"{resource}.delete", f"{resource}:{record_id}")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("This record is still used by other records and cannot be deleted."), "error")
        return redirect(url_for("admin.edit_record", resource=resource, record_id=record_id))
    flash(_("Deleted."), "info")
    return redirect(url_for("admin.list_records", resource=resource))


@bp.route("/people/<uuid:person_id>/login", methods=["POST"])
def create_login_for_person(person_id):
    person = db.session.get(Person, person_id)
    if person is None or person.erased_at:
        abort(404)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    if db.session.scalar(select(User).where(User.person_id == person.id)):
        flash(_("This person already has a login."), "error")
        return redirect(url_for("admin.edit_record", resource="people", record_id=person.id))
    username = f"{person.country.iso_code}-{person.service_number}".lower()
    temporary = accounts.generate_password()
    try:
        user = accounts.create_user(
            username,
            temporary,
            person.full_name,
            {TRAINEE},
            email=person.email,
            locale=person.preferred_language,
            must_change_password=True,
            person=person,
        )
    except accounts.AccountError:
        flash(_("This username is already taken."), "error")
        return redirect(url_for("admin.edit_record", resource="people", record_id=person.id))
    record(current_user, "user.create", f"user:{user.id}", person=str(person.id))
    db.session.commit()
    return render_template("admin/password_shown.html", user=user, password=temporary)


# --- Users ---------------------------------------------------------------------------------


def _user_form(obj=None):
    form = forms.UserForm(obj=obj)
    form.countries.choices = _country_choices()
    form.contingents.choices = _contingent_choices()
    if obj is not None and request.method == "GET":
        form.roles.data = sorted(obj.roles)
        form.countries.data = [s.country_id for s in obj.scopes if s.country_id]
        form.contingents.data = [s.contingent_id for s in obj.scopes if s.contingent_id]
    return form


@bp.route("/users")
def users():
    search = request.args.get("q", "").strip()[:100]
    stmt = select(User).order_by(User.username)
    if search:
        pattern = like(search)
        stmt = stmt.where(
            or_(
                func.lower(User.username).like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    page = paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("admin/users.html", page=page, search=search)


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    form = _user_form()
    if form.validate_on_submit():
        temporary = accounts.generate_password()
        try:
            user = accounts.create_user(
                form.username.data,
                temporary,
                form.display_name.data,
                form.roles.data,
                email=form.email.data,
                locale=form.locale.data,
                must_change_password=True,
            )
        except accounts.AccountError as exc:
            from lms.auth.routes import ACCOUNT_ERRORS

            form.username.errors.append(str(ACCOUNT_ERRORS.get(str(exc), exc)))
        else:
            user.active = form.active.data
            accounts.set_scopes(user, form.countries.data, form.contingents.data)
            record(current_user, "user.create", f"user:{user.id}", roles=sorted(form.roles.data))
            db.session.commit()
            return render_template("admin/password_shown.html", user=user, password=temporary)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<uuid:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        other = accounts.get_user_by_username(form.username.data)
        if other is not None and other.id != user.id:
            form.username.errors.append(_("This username is already taken."))
        elif user.id == current_user.id and (ADMIN not in form.roles.data or not form.active.data):
            form.roles.errors.append(
                _("You cannot remove your own administrator role or deactivate yourself.")
            )
        else:
            user.username = form.username.data
            user.display_name = form.display_name.data
            user.email = form.email.data or None
            user.locale = form.locale.data
            user.active = form.active.data
            accounts.set_roles(user, form.roles.data)
            accounts.set_scopes(user, form.countries.data, form.contingents.data)
            record(current_user, "user.update", f"user:{user.id}", roles=sorted(form.roles.data))
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/user_form.html", form=form, user=user, reset_form=forms.ConfirmForm()
    ), status


@bp.route("/users/<uuid:user_id>/reset-password", methods=["POST"])
def reset_password(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    temporary = accounts.reset_password(user)
    record(current_user, "user.reset_password", f"user:{user.id}")
    db.session.commit()
    return render_template("admin/password_shown.html", user=user, password=temporary)


@bp.route("/audit")
def audit():
    action = request.args.get("action", "").strip()[:60]
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc())
    if action:
        stmt = stmt.where(AuditEntry.action.like(like(action), escape="\\"))
    page = paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("admin/audit.html", page=page, action=action)
