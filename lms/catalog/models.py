"""Courses imported from courses/<id>/: metadata, outline, quiz and lesson texts per language."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Timestamps, UUIDPk, utcnow
from lms.extensions import db


class Course(UUIDPk, Timestamps, db.Model):
    __tablename__ = "course"

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    version: Mapped[int]
    topic: Mapped[str] = mapped_column(String(40), index=True)
    languages: Mapped[list] = mapped_column(JSON)
    estimated_minutes: Mapped[int]
    prerequisites: Mapped[list] = mapped_column(JSON, default=list)
    completion: Mapped[str] = mapped_column(String(24))
    validity_months: Mapped[int]
    title: Mapped[dict] = mapped_column(JSON)
    description: Mapped[dict] = mapped_column(JSON)
    outline: Mapped[list] = mapped_column(JSON)
    # The final quiz with its answers: only ever read on the server.
    quiz: Mapped[dict | None] = mapped_column(JSON)
    images: Mapped[list] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    texts: Mapped[list[LessonText]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )

    def text(self, field: dict, lang: str) -> str:
        """One entry of a language map: the language asked for, else English."""
        return field.get(lang) or field.get("en") or next(iter(field.values()), "")

    def language_for(self, lang: str) -> str:
        """The language the course is shown in: the learner's when available, else English."""
        return lang if lang in self.languages else "en"

    def localized_title(self, lang: str) -> str:
        return self.text(self.title, lang)

    def localized_description(self, lang: str) -> str:
        return self.text(self.description, lang)

    @property
    def lesson_ids(self) -> list[str]:
        return [les["id"] for m in self.outline for les in m["lessons"]]

    def lesson(self, lesson_id: str) -> dict | None:
        for module in self.outline:
            for les in module["lessons"]:
                if les["id"] == lesson_id:
                    return {**les, "module": module}
        return None

    def __str__(self) -> str:
        return self.slug


class LessonText(UUIDPk, db.Model):
    __tablename__ = "lesson_text"
    __table_args__ = (UniqueConstraint("course_id", "lesson_id", "language"),)

    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    markdown: Mapped[str] = mapped_column(Text)

    course: Mapped[Course] = relationship(back_populates="texts")
