"""Trainer enrolment of rotations and cohorts (scoped), the catalog filters, the learner's page."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from lms.auth.models import User
from lms.extensions import db
from lms.learning import services
from lms.learning.models import Enrolment
from lms.org.models import Contingent, Rotation


def nepbatt_next_rotation() -> Rotation:
    trainee = db.session.scalar(select(User).where(User.username == "trainee"))
    return services.next_rotation(trainee.person)


def login(client, username: str, password: str) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302


def test_trainer_enrols_a_rotation_they_can_see(client, app, demo, courses):
    with app.app_context():
        rotation = nepbatt_next_rotation()
        rotation_id, members = rotation.id, len(rotation.members)
    login(client, "trainer.npl", "carana-trainer-2026")
    page = client.get(f"/rotations/{rotation_id}")
    assert "Enrol this rotation in a course" in page.text
    form = client.get(f"/courses/enrol/rotation/{rotation_id}")
    assert form.status_code == 200
    due = (date.today() + timedelta(days=30)).isoformat()
    response = client.post(
        f"/courses/enrol/rotation/{rotation_id}",
        data={"course": "cyber-hygiene", "cohort": "", "due_on": due},
    )
    assert response.status_code == 302
    with app.app_context():
        enrolments = list(db.session.scalars(select(Enrolment)))
        assert len(enrolments) == members
        assert all(e.required and e.rotation_id == rotation_id for e in enrolments)
        assert all(e.due_on.isoformat() == due for e in enrolments)
        assert any(e.user_id for e in enrolments)  # the trainee's account is linked
    # Enrolling again keeps the existing enrolments.
    client.post(f"/courses/enrol/rotation/{rotation_id}", data={"course": "cyber-hygiene"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == members

    # The trainee sees the course as required for the next rotation, and what is due.
    client.post("/logout")
    login(client, "trainee", "carana-trainee-2026")
    mine = client.get("/learn/")
    assert mine.status_code == 200
    assert "/courses/cyber-hygiene" in mine.text
    home = client.get("/")
    assert "/courses/cyber-hygiene" in home.text
    catalog = client.get("/courses/?mine=1").text
    with app.app_context():
        trainee = db.session.scalar(select(User).where(User.username == "trainee"))
        rotation = services.next_rotation(trainee.person)
        required = {i.course.slug for i in services.required_items(trainee, rotation)}
        from_readiness = set(services.readiness_courses(trainee.person, rotation))
    assert "cyber-hygiene" in required and from_readiness <= required
    for slug in courses:
        assert (f'href="/courses/{slug}"' in catalog) == (slug in required), slug


def test_readiness_requirements_make_courses_required(client, app, demo, courses):
    """Without any enrolment, the mission's readiness requirements for the trainee's role show
    on the learner's page, not enrolled yet, with their due dates."""
    from lms.readiness.models import Requirement

    with app.app_context():
        trainee = db.session.scalar(select(User).where(User.username == "trainee"))
        trainee.locale = "en"
        rotation = services.next_rotation(trainee.person)
        mission_id = rotation.contingent.mission_id
        db.session.add(
            Requirement(
                mission_id=mission_id,
                title="Information integrity",
                kind="course",
                ref="information-integrity",
                rule="completed",
                roles=[trainee.person.role],
                validity_months=24,
                due_days_before=14,
            )
        )
        db.session.commit()
        due = rotation.planned_deployment - timedelta(days=14)
        items = {i.course.slug: i for i in services.required_items(trainee, rotation)}
        assert items["information-integrity"].enrolment is None
        assert items["information-integrity"].due_on == due
    login(client, "trainee", "carana-trainee-2026")
    mine = client.get("/learn/").text
    assert 'href="/courses/information-integrity"' in mine
    assert "Not enrolled" in mine


def test_trainer_cannot_enrol_another_countrys_rotation(client, app, demo, courses):
    with app.app_context():
        rotation_id = nepbatt_next_rotation().id
    login(client, "trainer.sen", "carana-trainer-2026")
    assert client.get(f"/courses/enrol/rotation/{rotation_id}").status_code == 404
    response = client.post(
        f"/courses/enrol/rotation/{rotation_id}", data={"course": "cyber-hygiene"}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_trainees_cannot_enrol_rotations(client, app, demo, courses):
    with app.app_context():
        rotation_id = nepbatt_next_rotation().id
    login(client, "trainee", "carana-trainee-2026")
    assert client.get(f"/courses/enrol/rotation/{rotation_id}").status_code == 403


def test_enrol_rotation_service_checks_scope_and_cohort(app, demo, courses):
    from lms.catalog.services import course_by_slug

    with app.app_context():
        sen = db.session.scalar(select(User).where(User.username == "trainer.sen"))
        npl = db.session.scalar(select(User).where(User.username == "trainer.npl"))
        rotation = nepbatt_next_rotation()
        course = course_by_slug("opsec-social-media")
        try:
            services.enrol_rotation(sen, course, rotation)
            raise AssertionError("a trainer enrolled a rotation outside their scope")
        except services.NotAllowed:
            pass
        other = db.session.scalar(
            select(Rotation).join(Contingent).where(Contingent.code != "NEPBATT")
        )
        cohort = other.cohorts[0]
        try:
            services.enrol_rotation(npl, course, rotation, cohort)
            raise AssertionError("a cohort of another rotation was accepted")
        except services.NotAllowed:
            pass
        cohort = rotation.cohorts[0]
        counts = services.enrol_rotation(npl, course, rotation, cohort)
        assert counts["enrolled"] == len(cohort.members) > 0


def test_catalog_filters(client, app, demo, courses):
    login(client, "trainee", "carana-trainee-2026")
    everything = client.get("/courses/").text
    for slug in courses:
        assert f"/courses/{slug}" in everything
    arabic = client.get("/courses/?lang=ur").text
    assert "/courses/cyber-hygiene" in arabic
    assert '/courses/mission-digital-tools"' not in arabic
    topic = client.get("/courses/?topic=opsec").text
    assert "/courses/opsec-social-media" in topic
    assert '/courses/cyber-hygiene"' not in topic


def test_trainer_sees_progress_and_gives_new_attempts(client, app, demo, courses):
    from lms.catalog.services import course_by_slug
    from lms.learning.models import QuizAttempt

    with app.app_context():
        npl = db.session.scalar(select(User).where(User.username == "trainer.npl"))
        trainee = db.session.scalar(select(User).where(User.username == "trainee"))
        rotation = nepbatt_next_rotation()
        course = course_by_slug("data-protection")
        services.enrol_rotation(npl, course, rotation)
        enrolment = services.enrolment_for(trainee, course)
        session = services.start_session(trainee, enrolment, "en")
        for _ in range(course.quiz["max_attempts"]):
            attempt = services.start_attempt(trainee, enrolment, "en")
            services.submit_attempt(trainee, attempt, {}, session, "en")
            attempt.submitted_at -= timedelta(days=1)
        db.session.commit()
        assert services.quiz_state(enrolment).reason == "no-attempts"
        rotation_id, enrolment_id = rotation.id, enrolment.id
    login(client, "trainer.sen", "carana-trainer-2026")
    assert client.get(f"/courses/rotation/{rotation_id}/progress").status_code == 404
    assert client.post(f"/courses/enrolments/{enrolment_id}/reset").status_code == 404
    client.post("/logout")
    login(client, "trainer.npl", "carana-trainer-2026")
    page = client.get(f"/courses/rotation/{rotation_id}/progress?course=data-protection")
    assert page.status_code == 200
    assert f"/courses/enrolments/{enrolment_id}/reset" in page.text
    response = client.post(f"/courses/enrolments/{enrolment_id}/reset?rotation={rotation_id}")
    assert response.status_code == 302
    with app.app_context():
        from lms.learning.models import Enrolment

        enrolment = db.session.get(Enrolment, enrolment_id)
        assert services.quiz_state(enrolment).can_start
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 3


def test_trainer_sees_a_persons_courses(client, app, demo, courses):
    from lms.catalog.services import course_by_slug

    with app.app_context():
        npl = db.session.scalar(select(User).where(User.username == "trainer.npl"))
        trainee = db.session.scalar(select(User).where(User.username == "trainee"))
        services.enrol_rotation(npl, course_by_slug("cyber-hygiene"), nepbatt_next_rotation())
        db.session.commit()
        person_id = trainee.person_id
    login(client, "trainer.npl", "carana-trainer-2026")
    assert f"/courses/person/{person_id}" in client.get(f"/people/{person_id}").text
    page = client.get(f"/courses/person/{person_id}")
    assert page.status_code == 200 and "Cyber hygiene" in page.text
    with app.app_context():
        from lms.audit.models import AuditEntry

        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"course.enrol", "course.person_view"} <= actions
    client.post("/logout")
    login(client, "trainer.sen", "carana-trainer-2026")
    assert client.get(f"/courses/person/{person_id}").status_code == 404
