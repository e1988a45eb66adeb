"""Enrolments (one xAPI registration each), lesson progress, quiz attempts and certificates."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.catalog.models import Course
from lms.db import Timestamps, UUIDPk, utcnow
from lms.extensions import db
from lms.org.models import Cohort, Person, Rotation


class Enrolment(UUIDPk, Timestamps, db.Model):
    """One attempt of a learner at a course. The id is the xAPI registration of every statement
    about it. A learner takes a course again (after the completion expires) in a new enrolment;
    the newest enrolment of a person and course is the current one (services.enrolment_for)."""

    __tablename__ = "enrolment"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"), index=True)
    # The learner: a person of the roster (enrolled by a trainer) and/or a user account.
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    enrolled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    rotation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rotation.id"), index=True)
    cohort_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cohort.id"))
    required: Mapped[bool] = mapped_column(default=False)
    due_on: Mapped[date | None]
    course_version: Mapped[int] = mapped_column(default=1)
    # Progress, kept for quick pages; every field can be rebuilt from the statements.
    started_at: Mapped[datetime | None]
    last_lesson_id: Mapped[str | None] = mapped_column(String(80))
    passed_at: Mapped[datetime | None]
    best_score: Mapped[float | None]
    completed_at: Mapped[datetime | None]
    expires_on: Mapped[date | None]
    attempts_reset_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
    person: Mapped[Person | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    enrolled_by: Mapped[User | None] = relationship(foreign_keys=[enrolled_by_id])
    rotation: Mapped[Rotation | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    lessons: Mapped[list[LessonProgress]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )
    attempts: Mapped[list[QuizAttempt]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", order_by="QuizAttempt.number"
    )

    @property
    def registration(self) -> str:
        return str(self.id)


class LessonProgress(UUIDPk, db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_id"),)

    enrolment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    enrolment: Mapped[Enrolment] = relationship(back_populates="lessons")


class QuizAttempt(UUIDPk, db.Model):
    """One attempt: the questions drawn, their shuffled order and opaque option ids, the answers."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("enrolment_id", "number"),)

    enrolment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    seed: Mapped[int]
    course_version: Mapped[int]
    language: Mapped[str] = mapped_column(String(8))
    layout: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    score: Mapped[int | None]
    max_score: Mapped[int | None]
    scaled: Mapped[float | None]
    passed: Mapped[bool | None]

    enrolment: Mapped[Enrolment] = relationship(back_populates="attempts")


class Certificate(UUIDPk, db.Model):
    """A certificate of completion; the code is printed on it and checked at /verify/<code>."""

    __tablename__ = "certificate"

    enrolment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(24), unique=True)
    holder_name: Mapped[str] = mapped_column(String(250))
    course_slug: Mapped[str] = mapped_column(String(80))
    course_title: Mapped[dict] = mapped_column(JSON)
    completed_on: Mapped[date]
    expires_on: Mapped[date | None]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    enrolment: Mapped[Enrolment] = relationship()
