"""The xAPI statements of learning events, and saving them through the LRS.

Every statement carries the enrolment's id as ``context.registration``; cmi5-defined statements
(initialized, completed, passed, failed, terminated) carry the cmi5 category and a session id.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from datetime import datetime

from flask import current_app

from lms.catalog.timeutil import duration, iso
from lms.extensions import db
from lms.learning import quiz as quiz_engine
from lms.xapi import iris
from lms.xapi.portal import portal_authority
from lms.xapi.store import save_statements

_last = [0, 0]  # (milliseconds, counter) of the last statement id
_lock = threading.Lock()


def statement_id() -> str:
    """A time-ordered UUID (RFC 9562 version 7, with a counter within the millisecond).

    The LRS stores a batch in id order, so the statements of one event keep the order they
    were made in (initialized after launched, terminated last) even at the same timestamp.
    """
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last[0]:
            ms, counter = _last[0], _last[1] + 1
            if counter > 0xFFF:
                ms, counter = ms + 1, 0
        else:
            counter = 0
        _last[0], _last[1] = ms, counter
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76 | counter << 64
    value |= 0b10 << 62 | secrets.randbits(62)
    return str(uuid.UUID(int=value))


def base() -> str:
    return current_app.config["ACTIVITY_BASE"]


def course_activity(course) -> dict:
    return {
        "objectType": "Activity",
        "id": iris.activity_id("course", course.slug, base()),
        "definition": {
            "type": iris.COURSE,
            "name": dict(course.title),
            "description": dict(course.description),
        },
    }


def lesson_activity(course, lesson: dict) -> dict:
    return {
        "objectType": "Activity",
        "id": iris.activity_id("lesson", f"{course.slug}/{lesson['id']}", base()),
        "definition": {"type": iris.LESSON, "name": dict(lesson["title"])},
    }


def quiz_activity(course) -> dict:
    return {
        "objectType": "Activity",
        "id": iris.activity_id("quiz", course.slug, base()),
        "definition": {"type": iris.ASSESSMENT, "name": dict(course.title)},
    }


def question_activity(course, question: dict) -> dict:
    return {
        "objectType": "Activity",
        "id": iris.activity_id("question", f"{course.slug}/{question['id']}", base()),
        "definition": quiz_engine.interaction_definition(
            question, course.slug, base(), course.languages
        ),
    }


def _statement(
    actor: dict,
    verb_id: str,
    obj: dict,
    enrolment,
    when: datetime,
    *,
    parents: list[dict] | None = None,
    others: list[dict] | None = None,
    extensions: dict | None = None,
    cmi5: bool = False,
    moveon: bool = False,
    session_id: str | None = None,
    result: dict | None = None,
    language: str | None = None,
) -> dict:
    context: dict = {"registration": str(enrolment.id)}
    activities: dict = {}
    if parents:
        activities["parent"] = parents
    if others:
        activities["other"] = others
    categories = []
    if cmi5:
        categories.append({"id": iris.CMI5_CATEGORY})
    if moveon:
        categories.append({"id": iris.MOVEON_CATEGORY})
    if categories:
        activities["category"] = categories
    if activities:
        context["contextActivities"] = activities
    if session_id or extensions:
        context["extensions"] = {
            **({iris.CMI5_SESSION_ID: session_id} if session_id else {}),
            **(extensions or {}),
        }
    if language:
        context["language"] = language
    statement = {
        "id": statement_id(),
        "actor": actor,
        "verb": iris.verb(verb_id),
        "object": obj,
        "context": context,
        "timestamp": iso(when),
    }
    if result is not None:
        statement["result"] = result
    return statement


def save(statements: list[dict]) -> list[str]:
    return save_statements(db.session, statements, portal_authority(), version="1.0.3")


def launched_course(actor, enrolment, when, session_id, language) -> dict:
    return _statement(
        actor,
        iris.LAUNCHED,
        course_activity(enrolment.course),
        enrolment,
        when,
        session_id=session_id,
        language=language,
    )


def initialized_course(actor, enrolment, when, session_id, language) -> dict:
    return _statement(
        actor,
        iris.INITIALIZED,
        course_activity(enrolment.course),
        enrolment,
        when,
        cmi5=True,
        session_id=session_id,
        language=language,
    )


def launched_lesson(actor, enrolment, lesson, when, session_id, language) -> dict:
    course = enrolment.course
    return _statement(
        actor,
        iris.LAUNCHED,
        lesson_activity(course, lesson),
        enrolment,
        when,
        parents=[course_activity(course)],
        session_id=session_id,
        language=language,
    )


def experienced_lesson(actor, enrolment, lesson, when, session_id, language) -> dict:
    course = enrolment.course
    return _statement(
        actor,
        iris.EXPERIENCED,
        lesson_activity(course, lesson),
        enrolment,
        when,
        parents=[course_activity(course)],
        session_id=session_id,
        language=language,
        result={"completion": True},
    )


def answered(actor, enrolment, question, answer, correct, when, session_id, language) -> dict:
    course = enrolment.course
    return _statement(
        actor,
        iris.ANSWERED,
        question_activity(course, question),
        enrolment,
        when,
        parents=[quiz_activity(course)],
        session_id=session_id,
        language=language,
        result={
            "success": bool(correct),
            "response": quiz_engine.response_string(question, answer),
        },
    )


def quiz_result(actor, enrolment, attempt, when, session_id, language) -> dict:
    """cmi5 passed/failed, about the course (the assignable unit); the quiz in context."""
    course = enrolment.course
    seconds = (attempt.submitted_at - attempt.started_at).total_seconds()
    return _statement(
        actor,
        iris.PASSED if attempt.passed else iris.FAILED,
        course_activity(course),
        enrolment,
        when,
        others=[quiz_activity(course)],
        cmi5=True,
        moveon=bool(attempt.passed),
        session_id=session_id,
        language=language,
        extensions={iris.CMI5_MASTERY_SCORE: course.quiz["pass_mark"]},
        result={
            "score": {
                "scaled": attempt.scaled,
                "raw": attempt.score,
                "min": 0,
                "max": attempt.max_score,
            },
            "success": bool(attempt.passed),
            "duration": duration(seconds),
        },
    )


def completed_course(actor, enrolment, when, session_id, language) -> dict:
    seconds = (when - (enrolment.started_at or when)).total_seconds()
    return _statement(
        actor,
        iris.COMPLETED,
        course_activity(enrolment.course),
        enrolment,
        when,
        cmi5=True,
        moveon=True,
        session_id=session_id,
        language=language,
        result={"completion": True, "duration": duration(seconds)},
    )


def satisfied_course(actor, enrolment, when, session_id, language) -> dict:
    """cmi5: the LMS records that the course's moveOn criteria are met."""
    return _statement(
        actor,
        iris.SATISFIED,
        course_activity(enrolment.course),
        enrolment,
        when,
        cmi5=True,
        moveon=True,
        session_id=session_id,
        language=language,
    )


def terminated_course(actor, enrolment, when, session_id, language, started: datetime) -> dict:
    return _statement(
        actor,
        iris.TERMINATED,
        course_activity(enrolment.course),
        enrolment,
        when,
        cmi5=True,
        session_id=session_id,
        language=language,
        result={"duration": duration((when - started).total_seconds())},
    )
