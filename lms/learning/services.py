"""Learning operations: enrolment, lesson progress, quiz attempts, completion, certificates.

Services take plain arguments (the acting user first when there is one), record the xAPI
statements of what happens and flush; the request handler commits once.
"""

from __future__ import annotations

import json
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, or_, select

from lms.audit.services import record as audit
from lms.auth.models import User
from lms.catalog.models import Course
from lms.catalog.timeutil import add_months, now_ms
from lms.extensions import db
from lms.learning import quiz as quiz_engine
from lms.learning import statements as st
from lms.learning.models import Certificate, Enrolment, LessonProgress, QuizAttempt
from lms.org.models import Cohort, Person, Rotation
from lms.org.scoping import can_see_contingent
from lms.xapi import iris


class LearningError(Exception):
    """A rule of the course refuses the action; the message is shown to the learner."""


class NotAllowed(LearningError):
    pass


@dataclass
class Session:
    """A learning session (cmi5 session): its id and when it began."""

    id: str
    started: datetime


# -- enrolment -----------------------------------------------------------------------------


RENEW_DAYS = 60  # a completion may be renewed this many days before it expires


def _owner_clauses(user: User) -> list:
    clauses = [Enrolment.user_id == user.id]
    if user.person_id:
        clauses.append(Enrolment.person_id == user.person_id)
    return clauses


def _newest_first():
    return (Enrolment.created_at.desc(), Enrolment.id.desc())


def enrolment_for(user: User, course: Course) -> Enrolment | None:
    """The user's current enrolment in the course (made for them, or for their roster record):
    the newest, since a learner takes a course again in a new enrolment."""
    found = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.course_id == course.id, or_(*_owner_clauses(user)))
        .order_by(*_newest_first())
        .limit(1)
    )
    if found is not None and found.user_id is None:
        found.user_id = user.id
    return found


def completed_enrolment_for(user: User, course: Course) -> Enrolment | None:
    """The newest completed enrolment: its certificate is the one the learner holds."""
    return db.session.scalar(
        select(Enrolment)
        .where(
            Enrolment.course_id == course.id,
            Enrolment.completed_at.is_not(None),
            or_(*_owner_clauses(user)),
        )
        .order_by(*_newest_first())
        .limit(1)
    )


def newest_by(enrolments, key=lambda e: e.course_id) -> dict:
    """The current (newest) enrolment among these for each key: by course, or by person."""
    newest: dict = {}
    for e in enrolments:
        kept = newest.get(key(e))
        if kept is None or (e.created_at, e.id) > (kept.created_at, kept.id):
            newest[key(e)] = e
    return newest


def enrolments_of(user: User) -> list[Enrolment]:
    """The user's current enrolments, one per course."""
    found = db.session.scalars(select(Enrolment).where(or_(*_owner_clauses(user))))
    return list(newest_by(found).values())


def enrol_self(user: User, course: Course) -> Enrolment:
    existing = enrolment_for(user, course)
    if existing is not None:
        return existing
    enrolment = Enrolment(
        course=course, user_id=user.id, person_id=user.person_id, course_version=course.version
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def can_retake(enrolment: Enrolment | None, today: date | None = None) -> bool:
    """A completed course can be taken again once the completion has expired, or early when it
    expires within RENEW_DAYS days."""
    today = today or date.today()
    return (
        enrolment is not None
        and enrolment.completed_at is not None
        and enrolment.expires_on is not None
        and enrolment.expires_on <= today + timedelta(days=RENEW_DAYS)
    )


def _new_attempt(previous: Enrolment, today: date, enrolled_by: User | None = None) -> Enrolment:
    """A new enrolment (a new registration) after a completed one; the previous one stays."""
    enrolment = Enrolment(
        course=previous.course,
        person_id=previous.person_id,
        user_id=previous.user_id,
        enrolled_by_id=enrolled_by.id if enrolled_by else previous.enrolled_by_id,
        rotation_id=previous.rotation_id,
        cohort_id=previous.cohort_id,
        required=previous.required,
        due_on=previous.due_on if previous.due_on and previous.due_on >= today else None,
        course_version=previous.course.version,
    )
    db.session.add(enrolment)
    return enrolment


def retake(user: User, course: Course, today: date | None = None) -> Enrolment:
    """The learner takes the course again: a new enrolment, the old one and its certificate kept
    as history. Refused while the completion stays valid beyond RENEW_DAYS days."""
    today = today or date.today()
    current = enrolment_for(user, course)
    if not can_retake(current, today):
        raise NotAllowed("the completion is still valid")
    enrolment = _new_attempt(current, today)
    db.session.flush()
    return enrolment


def enrol_people(
    actor: User,
    course: Course,
    people: list[Person],
    rotation: Rotation | None,
    cohort: Cohort | None = None,
    due_on: date | None = None,
    today: date | None = None,
) -> dict[str, int]:
    """Enrol roster people in a course as required for a rotation; keep existing progress.
    People whose completion has expired (or expires within RENEW_DAYS) get a new enrolment."""
    today = today or date.today()
    counts = {"enrolled": 0, "already": 0}
    accounts = {
        u.person_id: u
        for u in db.session.scalars(select(User).where(User.person_id.in_([p.id for p in people])))
    }
    existing = newest_by(
        db.session.scalars(
            select(Enrolment).where(
                Enrolment.course_id == course.id,
                Enrolment.person_id.in_([p.id for p in people]),
            )
        ),
        key=lambda e: e.person_id,
    )
    for person in people:
        account = accounts.get(person.id)
        enrolment = existing.get(person.id)
        if enrolment is None and account is not None:
            enrolment = db.session.scalar(
                select(Enrolment)
                .where(Enrolment.course_id == course.id, Enrolment.user_id == account.id)
                .order_by(*_newest_first())
                .limit(1)
            )
            if enrolment is not None:
                enrolment.person_id = person.id
        if enrolment is not None and can_retake(enrolment, today):
            enrolment = _new_attempt(enrolment, today, enrolled_by=actor)
            counts["enrolled"] += 1
        elif enrolment is not None:
            counts["already"] += 1
        else:
            enrolment = Enrolment(
                course=course,
                person_id=person.id,
                user_id=account.id if account else None,
                course_version=course.version,
                enrolled_by_id=actor.id,
            )
            db.session.add(enrolment)
            counts["enrolled"] += 1
        enrolment.required = True
        enrolment.rotation_id = rotation.id if rotation else enrolment.rotation_id
        enrolment.cohort_id = cohort.id if cohort else enrolment.cohort_id
        if due_on:
            enrolment.due_on = due_on
    db.session.flush()
    return counts


def enrol_rotation(
    actor: User,
    course: Course,
    rotation: Rotation,
    cohort: Cohort | None = None,
    due_on: date | None = None,
) -> dict[str, int]:
    """A trainer enrols a whole rotation, or one of its cohorts, in a course."""
    if not can_see_contingent(actor, rotation.contingent):
        raise NotAllowed("this rotation is outside the units assigned to you")
    if cohort is not None and cohort.rotation_id != rotation.id:
        raise NotAllowed("this cohort does not belong to the rotation")
    people = [m.person for m in cohort.members] if cohort else [m.person for m in rotation.members]
    people = [p for p in people if p.erased_at is None]
    counts = enrol_people(actor, course, people, rotation, cohort, due_on)
    audit(
        actor,
        "course.enrol",
        f"rotation:{rotation.id}",
        course=course.slug,
        cohort=str(cohort.id) if cohort else None,
        **counts,
    )
    return counts


# -- sessions and lessons ------------------------------------------------------------------


def start_session(user: User, enrolment: Enrolment, language: str) -> Session:
    """The learner opens the course: launched and initialized (cmi5)."""
    now = now_ms()
    session = Session(str(uuid.uuid4()), now)
    if enrolment.started_at is None:
        enrolment.started_at = now
    actor = user.xapi_agent()
    st.save(
        [
            st.launched_course(actor, enrolment, now, session.id, language),
            st.initialized_course(actor, enrolment, now, session.id, language),
        ]
    )
    return session


def end_session(user: User, enrolment: Enrolment, session: Session, language: str) -> None:
    now = now_ms()
    st.save(
        [
            st.terminated_course(
                user.xapi_agent(), enrolment, now, session.id, language, session.started
            )
        ]
    )


def progress_rows(enrolment: Enrolment) -> dict[str, LessonProgress]:
    return {p.lesson_id: p for p in enrolment.lessons}


def open_lesson(
    user: User, enrolment: Enrolment, lesson_id: str, session: Session, language: str
) -> LessonProgress:
    """The learner opens a lesson: the first time, a launched statement and resume point."""
    course = enrolment.course
    lesson = course.lesson(lesson_id)
    if lesson is None:
        raise LearningError("no such lesson")
    row = progress_rows(enrolment).get(lesson_id)
    if row is None:
        now = now_ms()
        row = LessonProgress(enrolment=enrolment, lesson_id=lesson_id, opened_at=now)
        db.session.add(row)
        enrolment.last_lesson_id = lesson_id
        st.save(
            [st.launched_lesson(user.xapi_agent(), enrolment, lesson, now, session.id, language)]
        )
        db.session.flush()
    return row


def mark_read(
    user: User, enrolment: Enrolment, lesson_id: str, session: Session, language: str
) -> bool:
    """The learner has read the lesson: experienced; completion is checked. True when new."""
    course = enrolment.course
    lesson = course.lesson(lesson_id)
    if lesson is None:
        raise LearningError("no such lesson")
    row = open_lesson(user, enrolment, lesson_id, session, language)
    if row.read_at is not None:
        return False
    now = now_ms()
    row.read_at = now
    enrolment.last_lesson_id = lesson_id
    st.save(
        [st.experienced_lesson(user.xapi_agent(), enrolment, lesson, now, session.id, language)]
    )
    db.session.flush()
    check_completion(user, enrolment, session, language)
    return True


def next_lesson_id(course: Course, lesson_id: str | None, step: int = 1) -> str | None:
    ids = course.lesson_ids
    if lesson_id not in ids:
        return ids[0] if ids and step > 0 else None
    index = ids.index(lesson_id) + step
    return ids[index] if 0 <= index < len(ids) else None


def resume_lesson_id(enrolment: Enrolment) -> str:
    """Where to resume: the first unread lesson after the last one worked on, else the first."""
    course = enrolment.course
    ids = course.lesson_ids
    read = {p.lesson_id for p in enrolment.lessons if p.read_at}
    last = enrolment.last_lesson_id if enrolment.last_lesson_id in ids else None
    if last and last not in read:
        return last
    start = ids.index(last) + 1 if last else 0
    for lesson_id in ids[start:] + ids[:start]:
        if lesson_id not in read:
            return lesson_id
    return last or ids[0]


# -- completion ----------------------------------------------------------------------------


def all_read(enrolment: Enrolment) -> bool:
    read = {p.lesson_id for p in enrolment.lessons if p.read_at}
    return set(enrolment.course.lesson_ids) <= read


def move_on_satisfied(rule: str, completed: bool, passed: bool) -> bool:
    """cmi5 moveOn."""
    return {
        "Completed": completed,
        "Passed": passed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
        "NotApplicable": True,
    }[rule]


def check_completion(user: User, enrolment: Enrolment, session: Session, language: str) -> bool:
    """Record completion once the course's rule holds; return True when it was just reached."""
    if enrolment.completed_at is not None:
        return False
    course = enrolment.course
    if not move_on_satisfied(
        course.completion, all_read(enrolment), enrolment.passed_at is not None
    ):
        return False
    now = now_ms()
    enrolment.completed_at = now
    enrolment.expires_on = add_months(now.date(), course.validity_months)
    actor = user.xapi_agent()
    st.save(
        [
            st.completed_course(actor, enrolment, now, session.id, language),
            st.satisfied_course(actor, enrolment, now, session.id, language),
            # cmi5: terminated is the session's last statement.
            st.terminated_course(
                actor,
                enrolment,
                now + timedelta(milliseconds=1),
                session.id,
                language,
                session.started,
            ),
        ]
    )
    issue_certificate(enrolment)
    db.session.flush()
    return True


def status(enrolment: Enrolment | None, today: date | None = None) -> str:
    """not-enrolled, not-started, in-progress, completed or expired."""
    today = today or date.today()
    if enrolment is None:
        return "not-enrolled"
    if enrolment.completed_at is not None:
        if enrolment.expires_on and enrolment.expires_on < today:
            return "expired"
        return "completed"
    if enrolment.started_at is None and not enrolment.lessons:
        return "not-started"
    return "in-progress"


# -- quiz ----------------------------------------------------------------------------------


@dataclass
class QuizState:
    can_start: bool
    open_attempt: QuizAttempt | None
    attempts_used: int
    attempts_left: int
    wait_until: datetime | None
    passed: bool
    reason: str  # "", "passed", "no-attempts", "wait", "no-quiz"


def counted_attempts(enrolment: Enrolment) -> list[QuizAttempt]:
    return [
        a
        for a in enrolment.attempts
        if a.submitted_at
        and (enrolment.attempts_reset_at is None or a.submitted_at > enrolment.attempts_reset_at)
    ]


def quiz_state(enrolment: Enrolment, now: datetime | None = None) -> QuizState:
    quiz = enrolment.course.quiz
    now = now or now_ms()
    open_attempt = next((a for a in enrolment.attempts if a.submitted_at is None), None)
    if quiz is None:
        return QuizState(False, None, 0, 0, None, False, "no-quiz")
    used = counted_attempts(enrolment)
    left = max(0, quiz["max_attempts"] - len(used))
    passed = enrolment.passed_at is not None
    if passed:
        return QuizState(False, None, len(used), left, None, True, "passed")
    if open_attempt is not None:
        return QuizState(True, open_attempt, len(used), left, None, False, "")
    if left <= 0:
        return QuizState(False, None, len(used), 0, None, False, "no-attempts")
    last = max(used, key=lambda a: a.submitted_at, default=None)
    if last is not None and not last.passed and quiz["wait_minutes"]:
        until = last.submitted_at + timedelta(minutes=quiz["wait_minutes"])
        if until > now:
            return QuizState(False, None, len(used), left, until, False, "wait")
    return QuizState(True, None, len(used), left, None, False, "")


def start_attempt(user: User, enrolment: Enrolment, language: str) -> QuizAttempt:
    state = quiz_state(enrolment)
    if state.open_attempt is not None:
        return state.open_attempt
    if not state.can_start:
        raise NotAllowed(state.reason)
    quiz = enrolment.course.quiz
    seed = random.SystemRandom().randrange(1, 2**31 - 1)
    number = max((a.number for a in enrolment.attempts), default=0) + 1
    attempt = QuizAttempt(
        enrolment=enrolment,
        number=number,
        seed=seed,
        course_version=enrolment.course.version,
        language=language,
        layout=[_jsonable(e) for e in quiz_engine.draw(quiz, seed)],
        started_at=now_ms(),
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _jsonable(entry: dict) -> dict:
    return json.loads(json.dumps(entry))


def submit_attempt(
    user: User, attempt: QuizAttempt, form: dict, session: Session, language: str
) -> quiz_engine.Score:
    """Score an attempt. Raises TamperedAnswer (nothing counted) or LearningError."""
    if attempt.submitted_at is not None:
        raise quiz_engine.TamperedAnswer("this attempt was already submitted")
    enrolment = attempt.enrolment
    course = enrolment.course
    if attempt.course_version != course.version:
        raise LearningError("the course was updated; start a new attempt")
    answers = quiz_engine.parse_answers(attempt.layout, form)
    result = quiz_engine.score(course.quiz, attempt.layout, answers)
    now = now_ms()
    attempt.answers = _jsonable(answers)
    attempt.submitted_at = now
    attempt.score = result.points
    attempt.max_score = result.maximum
    attempt.scaled = result.scaled
    attempt.passed = result.passed
    by_id = {q["id"]: q for q in course.quiz["questions"]}
    actor = user.xapi_agent()
    batch = [
        st.answered(
            actor,
            enrolment,
            by_id[e["q"]],
            answers.get(e["q"]),
            result.correct[e["q"]],
            now,
            session.id,
            language,
        )
        for e in attempt.layout
    ]
    batch.append(st.quiz_result(actor, enrolment, attempt, now, session.id, language))
    st.save(batch)
    enrolment.best_score = max(enrolment.best_score or 0.0, result.scaled)
    if result.passed and enrolment.passed_at is None:
        enrolment.passed_at = now
    db.session.flush()
    check_completion(user, enrolment, session, language)
    return result


def reset_attempts(actor: User, enrolment: Enrolment) -> None:
    """A trainer gives a learner a new set of attempts."""
    enrolment.attempts_reset_at = now_ms()
    audit(actor, "quiz.reset", f"enrolment:{enrolment.id}", course=enrolment.course.slug)
    db.session.flush()


def course_updated(course: Course) -> None:
    """After a new version: drop progress on lessons that no longer exist and open attempts."""
    lesson_ids = set(course.lesson_ids)
    enrolment_ids = select(Enrolment.id).where(Enrolment.course_id == course.id)
    db.session.execute(
        delete(LessonProgress).where(
            LessonProgress.enrolment_id.in_(enrolment_ids),
            LessonProgress.lesson_id.not_in(lesson_ids),
        )
    )
    db.session.execute(
        delete(QuizAttempt).where(
            QuizAttempt.enrolment_id.in_(enrolment_ids), QuizAttempt.submitted_at.is_(None)
        )
    )
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.course_id == course.id)):
        db.session.expire(enrolment)
        enrolment.course_version = course.version
    db.session.flush()


@dataclass
class ProgressRow:
    person: Person
    enrolment: Enrolment | None
    read: int
    lessons: int
    state: QuizState | None


def rotation_progress(rotation: Rotation, course: Course) -> list[ProgressRow]:
    """Each member of the rotation and their progress in the course (for their trainer)."""
    members = sorted(
        (m.person for m in rotation.members if m.person.erased_at is None),
        key=lambda p: (p.family_name, p.given_name),
    )
    enrolments = newest_by(
        db.session.scalars(
            select(Enrolment).where(
                Enrolment.course_id == course.id,
                Enrolment.person_id.in_([p.id for p in members]),
            )
        ),
        key=lambda e: e.person_id,
    )
    total = len(course.lesson_ids)
    rows = []
    for person in members:
        e = enrolments.get(person.id)
        read = sum(1 for p in e.lessons if p.read_at) if e else 0
        rows.append(ProgressRow(person, e, read, total, quiz_state(e) if e else None))
    return rows


def person_progress(person: Person) -> list[ProgressRow]:
    """Every enrolment of one person, with their progress; a course's newest attempt first."""
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.person_id == person.id))
    rows = [
        ProgressRow(
            person,
            e,
            sum(1 for p in e.lessons if p.read_at),
            len(e.course.lesson_ids),
            quiz_state(e),
        )
        for e in enrolments
    ]
    rows.sort(key=lambda r: (r.enrolment.created_at, r.enrolment.id), reverse=True)
    return sorted(rows, key=lambda r: r.enrolment.course.slug)


# -- certificates --------------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def holder_name(enrolment: Enrolment) -> str:
    if enrolment.person is not None:
        return enrolment.person.full_name
    return enrolment.user.display_name if enrolment.user else ""


def issue_certificate(enrolment: Enrolment) -> Certificate | None:
    if enrolment.completed_at is None:
        return None
    values = {
        "holder_name": holder_name(enrolment),
        "course_slug": enrolment.course.slug,
        "course_title": dict(enrolment.course.title),
        "completed_on": enrolment.completed_at.date(),
        "expires_on": enrolment.expires_on,
    }
    cert = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))
    if cert is None:
        cert = Certificate(enrolment_id=enrolment.id, code=new_code(), **values)
        db.session.add(cert)
    else:
        for key, value in values.items():
            setattr(cert, key, value)
    db.session.flush()
    return cert


def certificate_by_code(code: str) -> Certificate | None:
    code = code.strip().upper()
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


# -- a person's data (for the data protection export and erasure) --------------------------


def export_learning(person: Person) -> list[dict]:
    """Everything the learning area keeps about a person, as plain data."""
    out = []
    for e in db.session.scalars(select(Enrolment).where(Enrolment.person_id == person.id)):
        cert = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == e.id))
        out.append(
            {
                "course": e.course.slug,
                "registration": str(e.id),
                "required": e.required,
                "due_on": e.due_on.isoformat() if e.due_on else None,
                "started_at": e.started_at.isoformat() if e.started_at else None,
                "completed_at": e.completed_at.isoformat() if e.completed_at else None,
                "expires_on": e.expires_on.isoformat() if e.expires_on else None,
                "best_score": e.best_score,
                "lessons_read": sorted(p.lesson_id for p in e.lessons if p.read_at),
                "attempts": [
                    {
                        "number": a.number,
                        "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                        "score": a.score,
                        "max_score": a.max_score,
                        "passed": a.passed,
                    }
                    for a in e.attempts
                ],
                "certificate": cert.code if cert else None,
            }
        )
    return out


def erase_learning(person: Person) -> int:
    """On erasure: certificates lose the name and are withdrawn; return how many."""
    now = now_ms()
    certs = list(
        db.session.scalars(
            select(Certificate)
            .join(Enrolment, Enrolment.id == Certificate.enrolment_id)
            .where(Enrolment.person_id == person.id)
        )
    )
    for cert in certs:
        cert.holder_name = ""
        cert.revoked_at = cert.revoked_at or now
    db.session.flush()
    return len(certs)


# -- the learner's page --------------------------------------------------------------------


def next_rotation(person: Person | None, today: date | None = None) -> Rotation | None:
    if person is None:
        return None
    today = today or date.today()
    upcoming = [
        m.rotation
        for m in person.memberships
        if m.rotation.status in ("planned", "preparing") or m.rotation.planned_deployment >= today
    ]
    upcoming = [r for r in upcoming if r.status != "completed"]
    return min(upcoming, key=lambda r: r.planned_deployment, default=None)


@dataclass
class Item:
    """A course on the learner's page, with the learner's enrolment when there is one."""

    course: Course
    enrolment: Enrolment | None = None
    due_on: date | None = None

    @property
    def expires_on(self) -> date | None:
        return self.enrolment.expires_on if self.enrolment else None


@dataclass
class Overview:
    rotation: Rotation | None
    required: list[Item]
    due: list[Item]
    expiring: list[Item]
    others: list[Item]


def readiness_courses(person: Person | None, rotation: Rotation | None) -> dict[str, date | None]:
    """Courses the readiness requirements of the rotation's mission ask of this person's role,
    with their due dates."""
    if person is None or rotation is None:
        return {}
    from lms.readiness.models import Requirement

    found: dict[str, date | None] = {}
    for req in db.session.scalars(
        select(Requirement).where(
            Requirement.mission_id == rotation.contingent.mission_id,
            Requirement.kind == "course",
            Requirement.active.is_(True),
        )
    ):
        if req.roles and person.role not in req.roles:
            continue
        due = None
        if req.due_days_before is not None:
            due = rotation.planned_deployment - timedelta(days=req.due_days_before)
        found[req.ref] = due
    return found


def required_items(user: User, rotation: Rotation | None) -> list[Item]:
    """Courses required for the next rotation: enrolled as required by a trainer, or asked by
    the readiness requirements for the learner's role."""
    enrolments = {e.course_id: e for e in enrolments_of(user)}
    items: dict[uuid.UUID, Item] = {}
    if rotation is not None:
        for e in enrolments.values():
            if e.required and e.rotation_id == rotation.id:
                items[e.course_id] = Item(e.course, e, e.due_on)
    wanted = readiness_courses(user.person, rotation)
    if wanted:
        for course in db.session.scalars(select(Course).where(Course.slug.in_(list(wanted)))):
            due = wanted[course.slug]
            if course.id in items:
                items[course.id].due_on = items[course.id].due_on or due
            else:
                items[course.id] = Item(course, enrolments.get(course.id), due)
    return sorted(items.values(), key=lambda i: (i.due_on or date.max, i.course.slug))


def learner_overview(user: User, today: date | None = None, horizon_days: int = 90) -> Overview:
    today = today or date.today()
    rotation = next_rotation(user.person, today)
    required = required_items(user, rotation)
    required_ids = {i.course.id for i in required}
    enrolled = [Item(e.course, e, e.due_on) for e in enrolments_of(user)]
    due = sorted(
        (
            i
            for i in required + [i for i in enrolled if i.course.id not in required_ids]
            if i.due_on and (i.enrolment is None or i.enrolment.completed_at is None)
        ),
        key=lambda i: i.due_on,
    )
    expiring = sorted(
        (
            i
            for i in enrolled
            if i.expires_on and i.expires_on <= today + timedelta(days=horizon_days)
        ),
        key=lambda i: i.expires_on,
    )
    others = [i for i in enrolled if i.course.id not in required_ids]
    return Overview(rotation, required, due, expiring, others)


# -- rebuilding progress from the statements -----------------------------------------------


def rebuild_progress(registration: uuid.UUID | str) -> Enrolment:
    """Rebuild an enrolment's progress rows and fields from its xAPI statements alone."""
    from lms.xapi.formats import parse_timestamp
    from lms.xapi.models import Statement

    enrolment_id = uuid.UUID(str(registration))
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise LearningError("no such enrolment")
    course = enrolment.course
    base = st.base()
    lesson_prefix = iris.activity_id("lesson", f"{course.slug}/x", base)[:-1]
    course_iri = iris.activity_id("course", course.slug, base)
    raws = db.session.scalars(
        select(Statement.raw)
        .where(
            Statement.registration == enrolment_id,
            Statement.voided.is_(False),
            Statement.voiding.is_(False),
        )
        .order_by(Statement.timestamp, Statement.seq)
    )
    opened: dict[str, datetime] = {}
    read: dict[str, datetime] = {}
    fields: dict = {
        "started_at": None,
        "last_lesson_id": None,
        "passed_at": None,
        "best_score": None,
        "completed_at": None,
    }
    for raw in raws:
        statement = json.loads(raw)
        verb = statement["verb"]["id"]
        object_id = statement["object"].get("id", "")
        when = parse_timestamp(statement["timestamp"])
        if object_id.startswith(lesson_prefix):
            lesson_id = object_id[len(lesson_prefix) :]
            if verb == iris.LAUNCHED:
                opened.setdefault(lesson_id, when)
                fields["last_lesson_id"] = lesson_id
            elif verb == iris.EXPERIENCED:
                opened.setdefault(lesson_id, when)
                read.setdefault(lesson_id, when)
                fields["last_lesson_id"] = lesson_id
        elif object_id == course_iri and verb in (iris.PASSED, iris.FAILED):
            scaled = statement.get("result", {}).get("score", {}).get("scaled")
            if scaled is not None:
                fields["best_score"] = max(fields["best_score"] or 0.0, scaled)
            if verb == iris.PASSED and fields["passed_at"] is None:
                fields["passed_at"] = when
        elif object_id == course_iri:
            if verb == iris.LAUNCHED and fields["started_at"] is None:
                fields["started_at"] = when
            elif verb == iris.COMPLETED and fields["completed_at"] is None:
                fields["completed_at"] = when
    valid = set(course.lesson_ids)
    db.session.execute(delete(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id))
    db.session.flush()
    db.session.expire(enrolment, ["lessons"])
    for lesson_id, when in opened.items():
        if lesson_id in valid:
            db.session.add(
                LessonProgress(
                    enrolment_id=enrolment.id,
                    lesson_id=lesson_id,
                    opened_at=when,
                    read_at=read.get(lesson_id),
                )
            )
    for key, value in fields.items():
        setattr(enrolment, key, value)
    enrolment.expires_on = (
        add_months(fields["completed_at"].date(), course.validity_months)
        if fields["completed_at"]
        else None
    )
    db.session.flush()
    return enrolment
