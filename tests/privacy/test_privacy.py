"""Data protection: export, erasure by the documented rule, complaints."""

import json

from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.auth.models import User
from lms.extensions import db
from lms.org.models import Person, RotationMember
from lms.readiness import services as readiness
from lms.xapi.models import Statement


def _person_with_statements(app):
    with app.app_context():
        key = db.session.scalar(
            select(Statement.actor_key).where(Statement.actor_key.like("account:%"))
        )
        person_id = key.rsplit("|", 1)[1]
        return db.session.get(Person, __import__("uuid").UUID(person_id)).id


def test_admin_exports_everything_about_a_person(client, auth, app, demo):
    person_id = _person_with_statements(app)
    auth.login("admin", "carana-admin-2026")
    response = client.get(f"/privacy/admin/people/{person_id}/export.json")
    assert response.status_code == 200
    document = json.loads(response.data)
    assert document["person"]["id"] == str(person_id)
    assert document["statements"] and document["rotations"]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "privacy.export")
            )
            == 1
        )


def test_erasure_anonymises_statements_and_removes_the_rest(client, auth, app, demo):
    person_id = _person_with_statements(app)
    with app.app_context():
        person = db.session.get(Person, person_id)
        name, number = person.family_name, person.service_number
        key = readiness.actor_key_for(person_id)
        count = db.session.scalar(select(func.count()).where(Statement.actor_key == key))
    auth.login("admin", "carana-admin-2026")
    response = client.post(f"/privacy/admin/people/{person_id}/erase")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Statement.actor_key == key)) == 0
        erased = db.session.scalars(
            select(Statement.raw).where(Statement.actor_key.like("account:%erased-%"))
        ).all()
        assert len(erased) == count
        assert all(str(person_id) not in raw for raw in erased)
        person = db.session.get(Person, person_id)
        assert (
            person.erased_at is not None
            and person.family_name == ""
            and person.service_number != number
        )
        assert (
            db.session.scalar(select(func.count()).where(RotationMember.person_id == person_id))
            == 0
        )
    # Gone from every list and page.
    assert name not in client.get(f"/admin/people?q={number}").get_data(as_text=True)
    assert client.get(f"/people/{person_id}").status_code == 404
    assert client.get(f"/privacy/admin/people/{person_id}/export.json").status_code == 404


def test_erasure_deactivates_the_login(client, auth, app, demo):
    with app.app_context():
        trainee = db.session.scalar(select(User).where(User.username == "trainee"))
        person_id, user_id = trainee.person_id, trainee.id
    auth.login("admin", "carana-admin-2026")
    client.post(f"/privacy/admin/people/{person_id}/erase")
    with app.app_context():
        user = db.session.get(User, user_id)
        assert not user.active and user.roles == set() and user.person_id is None
    other = app.test_client()
    assert (
        other.post(
            "/login", data={"username": "trainee", "password": "carana-trainee-2026"}
        ).status_code
        == 401
    )


def test_only_admins_export_or_erase(client, auth, app, demo):
    person_id = _person_with_statements(app)
    auth.login("trainer.npl", "carana-trainer-2026")
    assert client.get(f"/privacy/admin/people/{person_id}/export.json").status_code == 403
    assert client.post(f"/privacy/admin/people/{person_id}/erase").status_code == 403


def test_complaint_reaches_admins_and_the_answer_comes_back(app, demo):
    trainee = app.test_client()
    trainee.post("/login", data={"username": "trainee", "password": "carana-trainee-2026"})
    empty = trainee.post("/privacy/concerns", data={"subject": "", "body": ""})
    assert empty.status_code == 400
    sent = trainee.post(
        "/privacy/concerns",
        data={"subject": "Photo on the roster", "body": "Why is my unit shown to other countries?"},
    )
    assert sent.status_code == 302
    admin = app.test_client()
    admin.post("/login", data={"username": "admin", "password": "carana-admin-2026"})
    page = admin.get("/privacy/admin").get_data(as_text=True)
    assert "Photo on the roster" in page
    import re

    complaint_id = re.search(r"/privacy/admin/complaints/([0-9a-f-]{36})", page).group(1)
    admin.post(
        f"/privacy/admin/complaints/{complaint_id}",
        data={"answer": "Only your national trainers see your unit."},
    )
    assert "Only your national trainers see your unit." in trainee.get(
        "/privacy/concerns"
    ).get_data(as_text=True)


def test_export_and_erasure_cover_courses_and_certificates(app, demo):
    """The trainee's course enrolment is in the export; erasure withdraws the certificate."""
    from datetime import date

    from lms.catalog.models import Course
    from lms.learning.models import Certificate, Enrolment
    from lms.privacy import services as privacy

    with app.app_context():
        from lms.catalog.cli import import_all
        from lms.config import ROOT

        import_all(
            [ROOT / "courses" / "digital-basics", ROOT / "courses" / "cyber-hygiene"],
            echo=lambda *a, **k: None,
        )
        trainee = db.session.scalar(select(User).where(User.username == "trainee"))
        person = trainee.person
        name = person.full_name
        course = db.session.scalar(select(Course).where(Course.slug == "cyber-hygiene"))
        enrolment = Enrolment(course_id=course.id, person_id=person.id, user_id=trainee.id)
        db.session.add(enrolment)
        db.session.flush()
        db.session.add(
            Certificate(
                enrolment_id=enrolment.id,
                code="TEST-CERT-0001",
                holder_name=person.full_name,
                course_slug="cyber-hygiene",
                course_title={"en": "Cyber hygiene"},
                completed_on=date.today(),
            )
        )
        db.session.commit()
        document = privacy.export_person(None, person)
        assert [c["course"] for c in document["courses"]] == ["cyber-hygiene"]
        privacy.erase_person(None, person)
        db.session.commit()
        cert = db.session.scalar(select(Certificate).where(Certificate.code == "TEST-CERT-0001"))
        assert cert.holder_name == "" and cert.revoked_at is not None
    verify = app.test_client().get("/verify/TEST-CERT-0001").get_data(as_text=True)
    assert "withdrawn" in verify.lower() or "revoked" in verify.lower()
    assert name not in verify
