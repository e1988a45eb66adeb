"""The home page for each role, the HQ overview and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from lms import navigation
from lms.auth.decorators import roles_required
from lms.auth.roles import ADMIN, ANALYST
from lms.extensions import cache, db
from lms.org import services
from lms.org.models import Contingent, Country, Mission, Person, Rotation, RotationMember

bp = Blueprint("main", __name__)
navigation.register(_l("HQ overview"), "main.overview", (ADMIN, ANALYST), 80)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    units = []
    if current_user.has_role("trainer", "controller", "admin"):
        units = list(db.session.scalars(services.visible_contingents(current_user).limit(20)))
    my_rotations = []
    if current_user.person is not None:
        my_rotations = sorted(
            current_user.person.memberships,
            key=lambda m: m.rotation.planned_deployment,
            reverse=True,
        )
    return render_template("main/index.html", units=units, my_rotations=my_rotations)


@bp.route("/overview")
@roles_required(ADMIN, ANALYST)
def overview():
    """Aggregate figures per country and contingent: counts only, no names."""
    rows = db.session.execute(
        select(
            Country.name,
            Country.iso_code,
            Contingent.name,
            Mission.code,
            func.count(func.distinct(Rotation.id)),
            func.count(RotationMember.id),
        )
        .join(Contingent, Contingent.country_id == Country.id)
        .join(Mission, Mission.id == Contingent.mission_id)
        .outerjoin(Rotation, Rotation.contingent_id == Contingent.id)
        .outerjoin(RotationMember, RotationMember.rotation_id == Rotation.id)
        .group_by(Country.name, Country.iso_code, Contingent.name, Mission.code)
        .order_by(Country.name, Contingent.name)
    ).all()
    people = db.session.scalar(select(func.count(Person.id)).where(Person.erased_at.is_(None)))
    return render_template("main/overview.html", rows=rows, people=people)


@bp.route("/healthz")
def healthz():
    status = {"status": "ok", "cache": cache.backend}
    try:
        db.session.execute(text("SELECT 1"))
        status["database"] = "ok"
    except Exception as exc:  # reported, not raised: the check must answer
        db.session.rollback()
        status.update(status="error", database=type(exc).__name__)
        return jsonify(status), 503
    return jsonify(status)


@bp.route("/about")
@login_required
def about():
    return render_template("main/about.html")
