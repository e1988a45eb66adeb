"""The lesson player, the quiz, the learner's page, certificates and their public verification."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from lms import navigation
from lms.catalog import services as catalog
from lms.catalog.forms import PostForm
from lms.catalog.render import render_lesson
from lms.catalog.timeutil import iso
from lms.extensions import db
from lms.i18n import current_language
from lms.learning import quiz as quiz_engine
from lms.learning import services
from lms.learning.models import QuizAttempt

bp = Blueprint("learning", __name__)


def refuse(message: str, code: int = 400):
    """Stop the request with an error page that says what was wrong."""
    from werkzeug.exceptions import BadRequest, Forbidden

    exc = Forbidden() if code == 403 else BadRequest()
    exc.lms_message = message
    raise exc


navigation.register(_l("My learning"), "learning.mine", ("trainee",), 35)


def _home_section():
    if not current_user.is_authenticated or not current_user.has_role("trainee"):
        return None
    overview = services.learner_overview(current_user)
    return Markup(  # noqa: S704 (a rendered template)
        render_template(
            "learning/_home.html",
            overview=overview,
            lang=current_language(),
            status=services.status,
        )
    )


navigation.register_home_section(_home_section)


def learning_session(enrolment) -> services.Session:
    """The learning session of this enrolment in this login; opening one records launched."""
    sessions = session.get("learning", {})
    entry = sessions.get(str(enrolment.id))
    if entry:
        return services.Session(
            entry["id"], datetime.fromisoformat(entry["started"].replace("Z", "+00:00"))
        )
    started = services.start_session(current_user, enrolment, current_language())
    sessions[str(enrolment.id)] = {"id": started.id, "started": iso(started.started)}
    session["learning"] = sessions
    return started


def _enrolment_or_redirect(slug: str):
    course = catalog.course_by_slug(slug)
    if course is None:
        abort(404)
    enrolment = services.enrolment_for(current_user, course)
    return course, enrolment


@bp.route("/learn/")
@login_required
def mine():
    overview = services.learner_overview(current_user)
    db.session.commit()
    return render_template(
        "learning/mine.html", overview=overview, lang=current_language(), status=services.status
    )


@bp.route("/learn/<slug>/")
@login_required
def resume(slug: str):
    course, enrolment = _enrolment_or_redirect(slug)
    if enrolment is None:
        return redirect(url_for("catalog.course", slug=slug))
    return redirect(
        url_for("learning.lesson", slug=slug, lesson_id=services.resume_lesson_id(enrolment))
    )


@bp.route("/learn/<slug>/lessons/<lesson_id>")
@login_required
def lesson(slug: str, lesson_id: str):
    course, enrolment = _enrolment_or_redirect(slug)
    if enrolment is None:
        flash(_("Enrol in the course to read its lessons."), "error")
        return redirect(url_for("catalog.course", slug=slug))
    meta = course.lesson(lesson_id)
    if meta is None:
        abort(404)
    lang = current_language()
    found = catalog.lesson_markdown(course, lesson_id, lang)
    if found is None:
        abort(404)
    text, text_lang = found
    learning = learning_session(enrolment)
    row = services.open_lesson(current_user, enrolment, lesson_id, learning, text_lang)
    db.session.commit()
    ids = course.lesson_ids
    body = render_lesson(
        text,
        set(course.images),
        lambda name: url_for("catalog.image", slug=course.slug, name=name),
    )
    return render_template(
        "learning/lesson.html",
        course=course,
        lesson=meta,
        body=body,
        lang=text_lang,
        fallback=text_lang != lang,
        read=row.read_at is not None,
        position=ids.index(lesson_id) + 1,
        total=len(ids),
        previous_id=services.next_lesson_id(course, lesson_id, -1),
        next_id=services.next_lesson_id(course, lesson_id, 1),
        form=PostForm(),
    )


@bp.route("/learn/<slug>/lessons/<lesson_id>/read", methods=["POST"])
@login_required
def mark_read(slug: str, lesson_id: str):
    course, enrolment = _enrolment_or_redirect(slug)
    if enrolment is None or course.lesson(lesson_id) is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    lang = current_language()
    shown = course.language_for(lang)
    services.mark_read(current_user, enrolment, lesson_id, learning_session(enrolment), shown)
    db.session.commit()
    following = services.next_lesson_id(course, lesson_id, 1)
    if following:
        return redirect(url_for("learning.lesson", slug=slug, lesson_id=following))
    flash(_("You have reached the end of the lessons."), "ok")
    return redirect(url_for("catalog.course", slug=slug))


@bp.route("/learn/<slug>/print")
@login_required
def print_view(slug: str):
    """Every lesson of the course on one page, for printing or reading offline."""
    course, enrolment = _enrolment_or_redirect(slug)
    if enrolment is None:
        return redirect(url_for("catalog.course", slug=slug))
    lang = current_language()
    lessons = []
    for module in course.outline:
        for meta in module["lessons"]:
            found = catalog.lesson_markdown(course, meta["id"], lang)
            if found:
                body = render_lesson(
                    found[0],
                    set(course.images),
                    lambda name: url_for("catalog.image", slug=course.slug, name=name),
                )
                lessons.append((module, meta, body, found[1]))
    return render_template(
        "learning/print.html", course=course, lessons=lessons, lang=course.language_for(lang)
    )


@bp.route("/learn/<slug>/leave", methods=["POST"])
@login_required
def leave(slug: str):
    course, enrolment = _enrolment_or_redirect(slug)
    if enrolment is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    sessions = session.get("learning", {})
    if str(enrolment.id) in sessions:
        services.end_session(
            current_user,
            enrolment,
            learning_session(enrolment),
            course.language_for(current_language()),
        )
        sessions.pop(str(enrolment.id))
        session["learning"] = sessions
        db.session.commit()
    flash(_("Your progress is saved. You can continue later where you left off."), "ok")
    return redirect(url_for("learning.mine"))


# -- quiz ----------------------------------------------------------------------------------


@bp.route("/learn/<slug>/quiz", methods=["POST"])
@login_required
def start_quiz(slug: str):
    course, enrolment = _enrolment_or_redirect(slug)
    if enrolment is None or course.quiz is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start_attempt(
            current_user, enrolment, course.language_for(current_language())
        )
    except services.NotAllowed:
        flash(_("You cannot start a new attempt now."), "error")
        return redirect(url_for("catalog.course", slug=slug))
    db.session.commit()
    return redirect(url_for("learning.attempt", slug=slug, attempt_id=attempt.id))


def _attempt_or_404(slug: str, attempt_id: uuid.UUID):
    course, enrolment = _enrolment_or_redirect(slug)
    attempt = db.session.get(QuizAttempt, attempt_id)
    if enrolment is None or attempt is None or attempt.enrolment_id != enrolment.id:
        abort(404)
    return course, enrolment, attempt


def _questions(course, attempt) -> list[tuple[int, dict, dict]]:
    by_id = {q["id"]: q for q in course.quiz["questions"]}
    return [
        (i, entry, by_id[entry["q"]])
        for i, entry in enumerate(attempt.layout)
        if entry["q"] in by_id
    ]


@bp.route("/learn/<slug>/quiz/<uuid:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(slug: str, attempt_id: uuid.UUID):
    course, enrolment, attempt = _attempt_or_404(slug, attempt_id)
    lang = attempt.language
    if request.method == "POST":
        if not PostForm().validate_on_submit():
            abort(400)
        if attempt.submitted_at is not None:
            refuse(_("This attempt was already submitted; its answers cannot change."))
        form = {k: v for k, v in request.form.to_dict(flat=False).items() if k != "csrf_token"}
        try:
            services.submit_attempt(current_user, attempt, form, learning_session(enrolment), lang)
        except quiz_engine.TamperedAnswer:
            db.session.rollback()
            refuse(_("These answers do not belong to this attempt. Nothing was counted."))
        except services.LearningError:
            db.session.rollback()
            flash(
                _("The course was updated since this attempt began. Start a new attempt."), "error"
            )
            return redirect(url_for("catalog.course", slug=slug))
        db.session.commit()
        return redirect(url_for("learning.attempt", slug=slug, attempt_id=attempt.id))
    if attempt.submitted_at is None:
        return render_template(
            "learning/quiz.html",
            course=course,
            attempt=attempt,
            questions=_questions(course, attempt),
            lang=lang,
            field_name=quiz_engine.field_name,
            form=PostForm(),
        )
    by_id = {q["id"]: q for q in course.quiz["questions"]}
    correct = {
        e["q"]: quiz_engine.is_correct(by_id[e["q"]], (attempt.answers or {}).get(e["q"]))
        for e in attempt.layout
        if e["q"] in by_id
    }
    return render_template(
        "learning/review.html",
        course=course,
        enrolment=enrolment,
        attempt=attempt,
        questions=_questions(course, attempt),
        answers=attempt.answers or {},
        correct=correct,
        lang=lang,
        state=services.quiz_state(enrolment),
        form=PostForm(),
    )


# -- certificates --------------------------------------------------------------------------


@bp.route("/learn/<slug>/certificate.pdf")
@login_required
def certificate(slug: str):
    from lms.learning.certificates import certificate_pdf

    course = catalog.course_by_slug(slug)
    if course is None:
        abort(404)
    # The newest completed attempt: an older certificate stays available during a retake.
    enrolment = services.completed_enrolment_for(current_user, course)
    if enrolment is None:
        abort(404)
    cert = services.issue_certificate(enrolment)
    db.session.commit()
    pdf = certificate_pdf(cert, current_language())
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{course.slug}.pdf"'},
    )


@bp.route("/verify/<code>")
def verify(code: str):
    """Public: is this certificate genuine and still valid? Name, course and dates only."""
    cert = services.certificate_by_code(code)
    if cert is None:
        return render_template("learning/verify.html", cert=None, code=code[:40]), 404
    from datetime import date

    today = date.today()
    person = cert.enrolment.person if cert.enrolment else None
    erased = person is not None and person.erased_at is not None
    withdrawn = cert.revoked_at is not None or erased
    valid = not withdrawn and (cert.expires_on is None or cert.expires_on >= today)
    lang = current_language()
    title = cert.course_title.get(lang) or cert.course_title.get("en", cert.course_slug)
    return render_template(
        "learning/verify.html",
        cert=cert,
        valid=valid,
        withdrawn=withdrawn,
        name="" if erased else cert.holder_name,
        title=title,
        code=cert.code,
    )
