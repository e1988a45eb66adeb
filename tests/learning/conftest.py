"""Fixtures for the learning tests: the real courses imported, learners, answer helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.catalog import services as catalog
from lms.catalog.models import Course
from lms.extensions import db
from tests import factories

COURSES = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture
def courses(app):
    """Every course of courses/ imported; returns their slugs."""
    with app.app_context():
        results = catalog.import_courses(None, COURSES)
        db.session.commit()
        assert all(r.action == "created" for r in results), [
            (r.slug, r.action, [str(p) for p in r.problems or []]) for r in results
        ]
        return [r.slug for r in results]


@pytest.fixture
def sample(app, tmp_path):
    """The small sample course of tests/catalog/coursekit.py, imported; returns its slug."""
    from tests.catalog import coursekit

    root = tmp_path / "courses"
    root.mkdir()
    coursekit.write_course(root)
    app.config["COURSES_DIR"] = str(root)
    with app.app_context():
        [result] = catalog.import_courses(None, root)
        db.session.commit()
        assert result.action == "created", [str(p) for p in result.problems or []]
    return "sample-course"


@pytest.fixture
def learner(app):
    """A trainee account with a roster record; returns its username."""
    with app.app_context():
        person = factories.create_person(given_name="Asha", family_name="Gurung")
        factories.create_user("asha", roles=("trainee",), person=person, display_name="Asha Gurung")
        db.session.commit()
    return "asha"


def course(slug: str) -> Course:
    return db.session.scalar(db.select(Course).where(Course.slug == slug))


def right_form(course_row: Course, attempt) -> dict[str, list[str]]:
    """The form post that answers every question of an attempt right (read from the course)."""
    by_id = {q["id"]: q for q in course_row.quiz["questions"]}
    form: dict[str, list[str]] = {}
    for index, entry in enumerate(attempt.layout):
        q = by_id[entry["q"]]
        if q["type"] in ("single", "scenario", "multiple"):
            correct = {o["id"] for o in q["options"] if o["correct"]}
            form[f"q{index}"] = [t for t, oid in entry["options"] if oid in correct]
        elif q["type"] == "truefalse":
            form[f"q{index}"] = ["true" if q["answer"] else "false"]
        elif q["type"] == "ordering":
            order = [i["id"] for i in q["items"]]
            for token, item_id in entry["items"]:
                form[f"q{index}-{token}"] = [str(order.index(item_id) + 1)]
        elif q["type"] == "matching":
            rights = {pid: t for t, pid in entry["right"]}
            for token, pair_id in entry["left"]:
                form[f"q{index}-{token}"] = [rights[pair_id]]
    return form


def wrong_form(course_row: Course, attempt) -> dict[str, list[str]]:
    """Every question answered wrong (or left empty where no wrong answer exists)."""
    by_id = {q["id"]: q for q in course_row.quiz["questions"]}
    form: dict[str, list[str]] = {}
    for index, entry in enumerate(attempt.layout):
        q = by_id[entry["q"]]
        if q["type"] in ("single", "scenario"):
            form[f"q{index}"] = [next(t for t, oid in entry["options"] if not _correct(q, oid))]
        elif q["type"] == "truefalse":
            form[f"q{index}"] = ["false" if q["answer"] else "true"]
    return form


def _correct(q, oid) -> bool:
    return next(o for o in q["options"] if o["id"] == oid)["correct"]
