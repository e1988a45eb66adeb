"""Catalog operations: import checked courses, list and filter them. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select

from lms.catalog import content
from lms.catalog.models import Course, LessonText
from lms.catalog.timeutil import now_ms
from lms.extensions import db


@dataclass
class ImportResult:
    folder: Path
    slug: str | None
    action: str  # created | updated | unchanged | refused | invalid
    version: int | None = None
    problems: list[content.Problem] | None = None
    message: str = ""


def known_slugs() -> set[str]:
    """Courses already imported (none when the database is not set up: checks still run)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return set(db.session.scalars(select(Course.slug)))
    except SQLAlchemyError:
        db.session.rollback()
        return set()


def check_courses(paths: list[Path] | None, root: Path):
    """Load and check courses without touching the database's content."""
    return content.load_courses(paths, root, known_ids=known_slugs())


def import_courses(paths: list[Path] | None, root: Path) -> list[ImportResult]:
    """Import every valid course named by ``paths``; a course with any problem is left out."""
    results = []
    for folder, course, problems in check_courses(paths, root):
        if problems or course is None:
            results.append(
                ImportResult(folder, course.id if course else None, "invalid", problems=problems)
            )
            continue
        results.append(import_course(course))
    db.session.flush()
    return results


def import_course(loaded: content.Course) -> ImportResult:
    """Create or update one course from checked content.

    A higher version replaces the content; progress is kept for lessons whose ids still exist and
    open quiz attempts of the previous version are closed. The same version is left unchanged;
    a lower version is refused.
    """
    from lms.learning.services import course_updated

    row = db.session.scalar(select(Course).where(Course.slug == loaded.id))
    if row is not None and loaded.version == row.version:
        return ImportResult(loaded.folder, loaded.id, "unchanged", loaded.version)
    if row is not None and loaded.version < row.version:
        return ImportResult(
            loaded.folder,
            loaded.id,
            "refused",
            loaded.version,
            message=f"version {loaded.version} is older than the imported version {row.version}",
        )
    action = "updated" if row is not None else "created"
    if row is None:
        row = Course(slug=loaded.id)
        db.session.add(row)
    row.version = loaded.version
    row.topic = loaded.topic
    row.languages = list(loaded.languages)
    row.estimated_minutes = loaded.estimated_minutes
    row.prerequisites = list(loaded.prerequisites)
    row.completion = loaded.completion
    row.validity_months = loaded.validity_months
    row.title = dict(loaded.title)
    row.description = dict(loaded.description)
    row.outline = loaded.outline()
    row.quiz = _quiz_for_storage(loaded.quiz)
    row.images = sorted(loaded.images)
    row.imported_at = now_ms()
    db.session.flush()
    db.session.execute(delete(LessonText).where(LessonText.course_id == row.id))
    db.session.add_all(
        LessonText(course_id=row.id, lesson_id=lesson_id, language=lang, markdown=text)
        for (lesson_id, lang), text in loaded.texts.items()
    )
    db.session.flush()
    if action == "updated":
        course_updated(row)
    return ImportResult(loaded.folder, loaded.id, action, loaded.version)


def _quiz_for_storage(quiz: dict | None) -> dict | None:
    if quiz is None:
        return None
    return {
        **quiz,
        "questions": [{k: v for k, v in q.items() if k != "line"} for q in quiz["questions"]],
    }


def lesson_markdown(course: Course, lesson_id: str, lang: str) -> tuple[str, str] | None:
    """The lesson's Markdown in ``lang``, else in English; with the language it is in."""
    rows = {
        t.language: t.markdown
        for t in db.session.scalars(
            select(LessonText).where(
                LessonText.course_id == course.id,
                LessonText.lesson_id == lesson_id,
                LessonText.language.in_({lang, "en"}),
            )
        )
    }
    if lang in rows and lang in course.languages:
        return rows[lang], lang
    if "en" in rows:
        return rows["en"], "en"
    return None


def catalog(topic: str | None = None, language: str | None = None) -> list[Course]:
    query = select(Course).order_by(Course.slug)
    if topic:
        query = query.where(Course.topic == topic)
    courses = list(db.session.scalars(query))
    if language:
        courses = [c for c in courses if language in c.languages]
    return courses


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))
