"""Catalog pages: the course list, a course's page, enrolment, images and trainer enrolment."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from lms import navigation
from lms.audit.services import record
from lms.auth.decorators import roles_required
from lms.auth.roles import ADMIN, TRAINER
from lms.catalog import content, services
from lms.catalog.forms import EnrolRotationForm, PostForm
from lms.extensions import db
from lms.i18n import current_language
from lms.learning import services as learning
from lms.org.models import Cohort, Rotation
from lms.org.scoping import can_see_contingent, can_see_person

bp = Blueprint("catalog", __name__, url_prefix="/courses")

navigation.register(
    _l("Courses"), "catalog.index", ("trainee", "trainer", "admin", "controller"), 40
)

TOPIC_LABELS = {
    "digital-literacy": _l("Digital literacy"),
    "cyber-hygiene": _l("Cyber hygiene"),
    "opsec": _l("Operational security"),
    "information-integrity": _l("Information integrity"),
    "data-ethics": _l("Data protection and ethics"),
    "reporting": _l("Reporting"),
    "safety": _l("Safety"),
    "mission-tools": _l("Mission tools"),
}


def _rotation_links(rotation):
    if current_user.has_role(ADMIN, TRAINER) and can_see_contingent(
        current_user, rotation.contingent
    ):
        return [
            navigation.NavLink(
                _("Enrol this rotation in a course"),
                url_for("catalog.enrol_rotation", rotation_id=rotation.id),
            ),
            navigation.NavLink(
                _("Course progress"),
                url_for("catalog.rotation_progress", rotation_id=rotation.id),
            ),
        ]
    return []


navigation.register_rotation_links(_rotation_links)


STATUS_LABELS = {
    "not-enrolled": _l("Not enrolled"),
    "not-started": _l("Not started"),
    "in-progress": _l("In progress"),
    "completed": _l("Completed"),
    "expired": _l("Expired"),
}

COMPLETION_LABELS = {
    "Completed": _l("Read every lesson"),
    "Passed": _l("Pass the final quiz"),
    "CompletedAndPassed": _l("Read every lesson and pass the final quiz"),
    "CompletedOrPassed": _l("Read every lesson or pass the final quiz"),
}


@bp.app_template_global()
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_global()
def completion_label(rule: str) -> str:
    return str(COMPLETION_LABELS.get(rule, rule))


@bp.app_template_global()
def topic_label(topic: str) -> str:
    return str(TOPIC_LABELS.get(topic, topic))


@bp.route("/")
@login_required
def index():
    lang = request.args.get("lang") or ""
    topic = request.args.get("topic") or ""
    mine = request.args.get("mine") == "1"
    courses = services.catalog(topic=topic or None, language=lang or None)
    enrolments = {e.course_id: e for e in learning.enrolments_of(current_user)}
    if mine:
        rotation = learning.next_rotation(current_user.person)
        required = {item.course.id for item in learning.required_items(current_user, rotation)}
        courses = [c for c in courses if c.id in required]
    db.session.commit()
    return render_template(
        "catalog/index.html",
        courses=courses,
        enrolments=enrolments,
        lang=lang,
        topic=topic,
        mine=mine,
        topics=TOPIC_LABELS,
        ui_lang=current_language(),
        status=learning.status,
    )


def course_or_404(slug: str):
    course = services.course_by_slug(slug)
    if course is None:
        abort(404)
    return course


@bp.route("/<slug>")
@login_required
def course(slug: str):
    course = course_or_404(slug)
    enrolment = learning.enrolment_for(current_user, course)
    lang = current_language()
    shown = course.language_for(lang)
    state = learning.quiz_state(enrolment) if enrolment else None
    read = {p.lesson_id for p in enrolment.lessons if p.read_at} if enrolment else set()
    prerequisites = [services.course_by_slug(s) for s in course.prerequisites]
    certificate = None
    completed = learning.completed_enrolment_for(current_user, course) if enrolment else None
    if completed is not None:
        from lms.learning.models import Certificate

        certificate = db.session.scalar(
            db.select(Certificate).where(Certificate.enrolment_id == completed.id)
        )
    db.session.commit()
    return render_template(
        "catalog/course.html",
        course=course,
        enrolment=enrolment,
        lang=shown,
        fallback=shown != lang,
        state=state,
        read=read,
        prerequisites=[p for p in prerequisites if p],
        status=learning.status(enrolment),
        resume=learning.resume_lesson_id(enrolment) if enrolment else None,
        certificate=certificate,
        can_retake=learning.can_retake(enrolment),
        form=PostForm(),
    )


@bp.route("/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str):
    course = course_or_404(slug)
    if not PostForm().validate_on_submit():
        abort(400)
    learning.enrol_self(current_user, course)
    db.session.commit()
    flash(_("You are enrolled. Start with the first lesson."), "ok")
    return redirect(url_for("catalog.course", slug=slug))


@bp.route("/<slug>/retake", methods=["POST"])
@login_required
def retake(slug: str):
    """Take the course again once the completion has expired (or expires soon)."""
    from lms.learning.routes import refuse

    course = course_or_404(slug)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        learning.retake(current_user, course)
    except learning.NotAllowed:
        refuse(
            _(
                "Your completion of this course is still valid. You can take it again "
                "from %(days)s days before it expires.",
                days=learning.RENEW_DAYS,
            )
        )
    db.session.commit()
    flash(_("A new attempt at the course has begun. Your earlier certificate is kept."), "ok")
    return redirect(url_for("catalog.course", slug=slug))


@bp.route("/<slug>/images/<name>")
def image(slug: str, name: str):
    """An image of the course, served from its images/ folder (checked names only)."""
    course = course_or_404(slug)
    if not content.IMAGE_NAME_RE.match(name) or name not in course.images:
        abort(404)
    folder = Path(current_app.config["COURSES_DIR"]) / course.slug / "images"
    response = send_from_directory(folder, name, max_age=86400)
    if name.endswith(".svg"):
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response


@bp.route("/enrol/rotation/<uuid:rotation_id>", methods=["GET", "POST"])
@roles_required(ADMIN, TRAINER)
def enrol_rotation(rotation_id: uuid.UUID):
    rotation = db.session.get(Rotation, rotation_id)
    if rotation is None or not can_see_contingent(current_user, rotation.contingent):
        abort(404)
    lang = current_language()
    form = EnrolRotationForm()
    courses = services.catalog()
    form.course.choices = [(c.slug, c.localized_title(lang)) for c in courses]
    form.cohort.choices = [("", _("The whole rotation"))] + [
        (str(c.id), c.name) for c in rotation.cohorts
    ]
    if form.validate_on_submit():
        course = services.course_by_slug(form.course.data)
        cohort = None
        if form.cohort.data:
            cohort = db.session.get(Cohort, uuid.UUID(form.cohort.data))
        if course is None:
            abort(400)
        try:
            counts = learning.enrol_rotation(
                current_user, course, rotation, cohort, form.due_on.data
            )
        except learning.NotAllowed:
            abort(403)
        db.session.commit()
        flash(
            _(
                "%(enrolled)s people enrolled in %(course)s; %(already)s were already enrolled.",
                enrolled=counts["enrolled"],
                course=course.localized_title(lang),
                already=counts["already"],
            ),
            "ok",
        )
        return redirect(url_for("org.rotation", rotation_id=rotation.id))
    return render_template("catalog/enrol_rotation.html", form=form, rotation=rotation)


@bp.route("/rotation/<uuid:rotation_id>/progress")
@roles_required(ADMIN, TRAINER)
def rotation_progress(rotation_id: uuid.UUID):
    """A trainer's view of a rotation's progress in one course, with attempt resets."""
    rotation = db.session.get(Rotation, rotation_id)
    if rotation is None or not can_see_contingent(current_user, rotation.contingent):
        abort(404)
    lang = current_language()
    courses = services.catalog()
    chosen = services.course_by_slug(request.args.get("course", "")) if courses else None
    rows = learning.rotation_progress(rotation, chosen) if chosen else []
    if chosen:
        record(current_user, "course.progress_view", f"rotation:{rotation.id}", course=chosen.slug)
        db.session.commit()
    return render_template(
        "catalog/progress.html",
        rotation=rotation,
        courses=courses,
        chosen=chosen,
        rows=rows,
        lang=lang,
        status=learning.status,
        form=PostForm(),
    )


@bp.route("/enrolments/<uuid:enrolment_id>/reset", methods=["POST"])
@roles_required(ADMIN, TRAINER)
def reset_attempts(enrolment_id: uuid.UUID):
    from lms.learning.models import Enrolment

    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.person is None:
        abort(404)
    if not can_see_person(current_user, enrolment.person):
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    learning.reset_attempts(current_user, enrolment)
    db.session.commit()
    flash(_("New quiz attempts given."), "ok")
    rotation = db.session.get(Rotation, _uuid(request.args.get("rotation")))
    if rotation is None:
        return redirect(url_for("org.person", person_id=enrolment.person_id))
    return redirect(
        url_for("catalog.rotation_progress", rotation_id=rotation.id, course=enrolment.course.slug)
    )


def _uuid(value: str | None):
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _person_links(person):
    if current_user.has_role(ADMIN, TRAINER) and can_see_person(current_user, person):
        return [
            navigation.NavLink(_("Courses"), url_for("catalog.person_courses", person_id=person.id))
        ]
    return []


navigation.register_person_links(_person_links)


@bp.route("/person/<uuid:person_id>")
@roles_required(ADMIN, TRAINER)
def person_courses(person_id: uuid.UUID):
    """A trainer's view of one person's courses: status, progress, score, validity."""
    from lms.org.models import Person

    person = db.session.get(Person, person_id)
    if person is None or person.erased_at is not None or not can_see_person(current_user, person):
        abort(404)
    rows = learning.person_progress(person)
    record(current_user, "course.person_view", f"person:{person.id}")
    db.session.commit()
    return render_template(
        "catalog/person.html",
        person=person,
        rows=rows,
        lang=current_language(),
        status=learning.status,
        form=PostForm(),
    )
