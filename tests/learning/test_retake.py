"""Taking a course again: a new enrolment (a new registration) once the completion expires."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, select

from lms.auth.models import User
from lms.catalog.timeutil import now_ms
from lms.extensions import db
from lms.learning import services
from lms.learning.models import Certificate, Enrolment
from lms.org.models import Person, Rotation
from lms.readiness import engine
from lms.readiness.models import Requirement
from lms.readiness.services import person_readiness
from lms.xapi.models import Statement
from tests import factories
from tests.learning.conftest import course, right_form
from tests.learning.test_learning import SLUG, enrol_and_read_all, enrolment_of, start_attempt


def complete(client, app) -> None:
    """Read every lesson and pass the quiz (the sample course needs both)."""
    enrol_and_read_all(client, app)
    url, attempt, crs = start_attempt(client, app)
    assert client.post(url, data=right_form(crs, attempt)).status_code == 302


def enrolments() -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).order_by(Enrolment.created_at)))


def registrations() -> dict[str, int]:
    rows = db.session.execute(
        select(Statement.registration, func.count()).group_by(Statement.registration)
    )
    return {str(r): n for r, n in rows}


def rotation_with_requirement(person_id):
    person = db.session.get(Person, person_id)
    rotation = factories.create_rotation(planned_deployment=date.today() + timedelta(days=90))
    factories.add_member(rotation, person)
    db.session.add(
        Requirement(
            mission_id=rotation.contingent.mission_id,
            title="Sample course",
            kind="course",
            ref=SLUG,
            rule="completed",
            validity_months=12,
        )
    )
    db.session.commit()
    return rotation.id


def readiness_state(person_id, rotation_id) -> str:
    person = db.session.get(Person, person_id)
    rotation = db.session.get(Rotation, rotation_id)
    [item] = person_readiness(person, rotation).items
    return item.state


def test_retake_after_expiry_makes_the_learner_ready_again(
    client, auth, app, sample, learner, monkeypatch
):
    with app.app_context():
        person_id = db.session.scalar(select(User).where(User.username == learner)).person_id
        rotation_id = rotation_with_requirement(person_id)
    # The first completion, 14 months ago: valid for 12 months, so expired now.
    monkeypatch.setattr(services, "now_ms", lambda: now_ms() - timedelta(days=426))
    auth.login(learner)
    complete(client, app)
    monkeypatch.undo()
    with app.app_context():
        [first] = enrolments()
        first_id, first_expiry = first.id, first.expires_on
        assert first_expiry < date.today()
        assert services.status(first) == "expired"
        assert readiness_state(person_id, rotation_id) == engine.EXPIRED
        old_count = registrations()[str(first_id)]
    page = client.get(f"/courses/{SLUG}").text
    assert "Take this course again" in page

    assert client.post(f"/courses/{SLUG}/retake").status_code == 302
    with app.app_context():
        first, second = enrolments()
        assert first.id == first_id and second.id != first_id
        assert enrolment_of(learner).id == second.id  # the newest is the current one
        assert second.person_id == person_id and second.completed_at is None
        assert services.status(enrolment_of(learner)) == "not-started"
        assert first.completed_at is not None and first.expires_on == first_expiry
        second_id = second.id
        # The learner's page follows the new attempt: required once, nothing expiring.
        user = db.session.scalar(select(User).where(User.username == learner))
        overview = services.learner_overview(user)
        assert overview.expiring == []
        assert [i.enrolment.id for i in overview.required] == [second_id]
    page = client.get(f"/courses/{SLUG}").text
    assert "Take this course again" not in page and "Start the first lesson" in page

    # The new attempt starts fresh and records its statements under its own registration.
    complete(client, app)
    with app.app_context():
        first, second = enrolments()
        assert second.completed_at is not None and second.expires_on > date.today()
        assert {q.enrolment_id for q in second.attempts} == {second_id}
        assert len(second.lessons) == len(course(SLUG).lesson_ids)
        counts = registrations()
        assert counts[str(first_id)] == old_count
        assert counts[str(second_id)] > 0
        raws = db.session.scalars(select(Statement.raw).where(Statement.registration == second_id))
        verbs = {json.loads(r)["verb"]["id"].rsplit("/", 1)[-1] for r in raws}
        assert {"launched", "experienced", "passed", "completed", "satisfied"} <= verbs
        certificates = db.session.scalars(select(Certificate)).all()
        assert {c.enrolment_id for c in certificates} == {first_id, second_id}
        assert readiness_state(person_id, rotation_id) == engine.DONE
        # The learner's page lists the course once, with the current enrolment.
        user = db.session.scalar(select(User).where(User.username == learner))
        assert [e.id for e in services.enrolments_of(user)] == [second_id]
    assert "Take this course again" not in client.get(f"/courses/{SLUG}").text


def test_retake_refused_while_valid_and_early_renewal_keeps_the_certificate(
    client, auth, app, sample, learner
):
    auth.login(learner)
    complete(client, app)
    page = client.get(f"/courses/{SLUG}").text
    assert "Take this course again" not in page
    refused = client.post(f"/courses/{SLUG}/retake")
    assert refused.status_code == 400
    assert "still valid" in refused.text
    with app.app_context():
        assert len(enrolments()) == 1
        # Time passes: the completion now expires in 30 days, within the renewal window.
        [first] = enrolments()
        soon = date.today() + timedelta(days=30)
        first.expires_on = soon
        cert = db.session.scalar(select(Certificate))
        cert.expires_on = soon
        code = cert.code
        db.session.commit()
    assert "Take this course again" in client.get(f"/courses/{SLUG}").text
    assert client.post(f"/courses/{SLUG}/retake").status_code == 302
    with app.app_context():
        assert len(enrolments()) == 2
    # The earlier certificate stays downloadable and genuine until its expiry date.
    pdf = client.get(f"/learn/{SLUG}/certificate.pdf")
    assert pdf.status_code == 200 and code.encode() in pdf.data
    auth.logout()
    assert "genuine and valid" in client.get(f"/verify/{code}").text
    with app.app_context():
        db.session.scalar(select(Certificate)).expires_on = date.today() - timedelta(days=1)
        db.session.commit()
    assert "has expired" in client.get(f"/verify/{code}").text


def test_retake_needs_a_completed_course_and_csrf(client, auth, app, sample, learner):
    auth.login(learner)
    assert client.post(f"/courses/{SLUG}/retake").status_code == 400  # not enrolled
    client.post(f"/courses/{SLUG}/enrol")
    assert client.post(f"/courses/{SLUG}/retake").status_code == 400  # not completed
    with app.app_context():
        assert len(enrolments()) == 1


def test_trainer_enrolment_renews_expired_completions(app, sample):
    with app.app_context():
        trainer = factories.create_user("trainer.renew", roles=("trainer",))
        rotation = factories.create_rotation()
        expired, valid, new = (factories.create_person() for _ in range(3))
        crs = course(SLUG)
        long_ago = now_ms() - timedelta(days=400)
        for person, expires in ((expired, date.today() - timedelta(days=5)), (valid, None)):
            db.session.add(
                Enrolment(
                    course=crs,
                    person_id=person.id,
                    completed_at=long_ago,
                    expires_on=expires or date.today() + timedelta(days=300),
                )
            )
        db.session.flush()
        counts = services.enrol_people(trainer, crs, [expired, valid, new], rotation)
        db.session.commit()
        assert counts == {"enrolled": 2, "already": 1}
        per_person = {
            p.id: db.session.scalars(select(Enrolment).where(Enrolment.person_id == p.id)).all()
            for p in (expired, valid, new)
        }
        assert [len(per_person[p.id]) for p in (expired, valid, new)] == [2, 1, 1]
        renewed = next(e for e in per_person[expired.id] if e.completed_at is None)
        assert renewed.required and renewed.rotation_id == rotation.id
        assert renewed.enrolled_by_id == trainer.id
        # Enrolling again changes nothing: the renewed enrolment is the current one.
        again = services.enrol_people(trainer, crs, [expired, valid, new], rotation)
        assert again == {"enrolled": 0, "already": 3}
