"""`flask courses check/import`: problems with file:line, nothing imported from a broken course,
versioning that keeps learners' progress."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from lms.catalog import services
from lms.catalog.models import Course, LessonText
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import LessonProgress
from tests import factories
from tests.catalog import coursekit

COURSES = Path(__file__).resolve().parents[2] / "courses"


def test_check_every_course(runner):
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 0, result.output
    assert "course(s) valid" in result.output


def test_check_reports_file_and_line_and_fails(runner, tmp_path):
    quiz = coursekit.quiz_data()
    quiz["questions"][0]["options"][0]["correct"] = True
    folder = coursekit.write_course(tmp_path, quiz=quiz)
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code != 0
    assert "sample-course/quiz.yaml:" in result.output
    assert "exactly one correct option, found 2" in result.output


def test_import_leaves_out_a_broken_course(app, runner, tmp_path):
    good = coursekit.write_course(tmp_path)
    bad_data = coursekit.course_data("broken-course")
    bad = coursekit.write_course(tmp_path, bad_data, texts={"first": "# Heading\n\nToo short."})
    result = runner.invoke(args=["courses", "import", str(good), str(bad)])
    assert result.exit_code != 0
    assert "broken-course/lessons/en/first.md:1: level-1 heading" in result.output
    assert "sample-course: created (version 1)" in result.output
    with app.app_context():
        assert db.session.scalar(select(Course.slug)) == "sample-course"
        assert db.session.scalar(select(func.count()).select_from(Course)) == 1


def test_import_every_shipped_course(app, runner):
    result = runner.invoke(args=["courses", "import"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        slugs = set(db.session.scalars(select(Course.slug)))
        assert {p.name for p in COURSES.iterdir() if (p / "course.yaml").exists()} == slugs
        course = services.course_by_slug("cyber-hygiene")
        texts = db.session.scalar(
            select(func.count()).select_from(LessonText).where(LessonText.course_id == course.id)
        )
        assert texts == len(course.lesson_ids) * len(course.languages)
    again = runner.invoke(args=["courses", "import"])
    assert again.exit_code == 0
    assert "unchanged" in again.output


def test_higher_version_keeps_progress_where_lessons_remain(app, tmp_path):
    folder = coursekit.write_course(tmp_path, coursekit.course_data(lessons=("first", "second")))
    with app.app_context():
        [result] = services.import_courses([folder], tmp_path)
        assert result.action == "created"
        user = factories.create_user("reader")
        course = services.course_by_slug("sample-course")
        enrolment = learning.enrol_self(user, course)
        session = learning.start_session(user, enrolment, "en")
        learning.mark_read(user, enrolment, "first", session, "en")
        learning.mark_read(user, enrolment, "second", session, "en")
        learning.start_attempt(user, enrolment, "en")
        db.session.commit()

        # Version 2 drops "second" and adds "third".
        coursekit.write_course(
            tmp_path, coursekit.course_data(version=2, lessons=("first", "third"))
        )
        [result] = services.import_courses([folder], tmp_path)
        assert result.action == "updated"
        db.session.commit()
        rows = set(db.session.scalars(select(LessonProgress.lesson_id)))
        assert rows == {"first"}
        db.session.refresh(enrolment)
        assert enrolment.course_version == 2
        assert all(a.submitted_at for a in enrolment.attempts)  # the open attempt was closed
        assert services.course_by_slug("sample-course").lesson_ids == ["first", "third"]

        # An older version is refused.
        coursekit.write_course(tmp_path, coursekit.course_data(version=1))
        [result] = services.import_courses([folder], tmp_path)
        assert result.action == "refused"
        assert services.course_by_slug("sample-course").version == 2


def test_demo_load_imports_the_courses(app, runner):
    result = runner.invoke(args=["demo", "load", "--people", "40"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert services.course_by_slug("cyber-hygiene") is not None
