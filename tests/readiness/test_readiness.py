"""Readiness from the LRS: dashboards, waivers, exports, scoping and audit."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.org.models import Contingent, Country, Person, Rotation, RotationMember
from lms.readiness import services
from lms.readiness.models import Requirement
from lms.xapi.models import Statement


def _rotation(iso: str, status: str = "preparing") -> Rotation:
    return db.session.scalar(
        select(Rotation)
        .join(Contingent)
        .join(Country)
        .where(Country.iso_code == iso, Rotation.status == status)
    )


@pytest.fixture
def npl_next(app, demo):
    with app.app_context():
        return _rotation("NPL").id


def share(html: str) -> str:
    return re.search(r'id="share-ready">([^<]+)<', html).group(1)


def test_readiness_is_computed_from_statements(app, demo):
    with app.app_context():
        rotation = _rotation("NPL")
        view = services.rotation_readiness(rotation)
        assert view.total == len(rotation.members)
        assert view.requirements and view.trend
        # Every ready person has evidence in the LRS for each requirement of their role.
        ready = [r for r in view.rows if r.status.ready]
        for row in ready[:5]:
            key = services.actor_key_for(row.person.id)
            assert db.session.scalar(select(func.count()).where(Statement.actor_key == key)) >= 6
        # Remove the evidence: nobody is ready any more.
        db.session.query(Statement).delete()
        assert services.rotation_readiness(rotation).ready_count == 0


def test_dashboard_filters_and_scoping(client, auth, app, npl_next):
    auth.login("trainer.npl", "carana-trainer-2026")
    page = client.get(f"/readiness/rotations/{npl_next}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and share(html).endswith("%")
    with app.app_context():
        rotation = db.session.get(Rotation, npl_next)
        subunit = rotation.contingent.subunits[1]
        in_subunit = {m.person.family_name for m in rotation.members if m.subunit_id == subunit.id}
    filtered = client.get(
        f"/readiness/rotations/{npl_next}?subunit={subunit.id}&show=all"
    ).get_data(as_text=True)
    names = set(
        re.findall(r"</a>\s*(?:<span[^>]*>[^<]*</span>)?</td>\s*<td>([^<]*)</td>", filtered)
    )
    assert names <= {subunit.name}
    assert in_subunit
    with app.app_context():
        sen = _rotation("SEN").id
    assert client.get(f"/readiness/rotations/{sen}").status_code == 404
    assert client.get(f"/readiness/rotations/{sen}/readiness.csv").status_code == 404


def test_waiver_is_a_statement_changes_readiness_and_is_audited(client, auth, app, npl_next):
    auth.login("trainer.npl", "carana-trainer-2026")
    with app.app_context():
        rotation = db.session.get(Rotation, npl_next)
        view = services.rotation_readiness(rotation)
        # Someone missing exactly one requirement becomes ready once it is waived.
        row = next(r for r in view.rows if len(r.status.missing) == 1)
        person_id, req_key = row.person.id, row.status.missing[0].rule.key
        before = view.ready_count
    response = client.post(
        f"/readiness/rotations/{npl_next}/waive/{person_id}",
        data={
            "requirement_id": req_key,
            "reason": "Equivalent Outside Activity",
            "note": "National course 2026",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        rotation = db.session.get(Rotation, npl_next)
        assert services.rotation_readiness(rotation).ready_count == before + 1
        waived = db.session.scalar(select(Statement).where(Statement.verb_id.like("%waived")))
        assert '"Equivalent Outside Activity"' in waived.raw
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "readiness.waive")
            )
            == 1
        )


def test_waiver_refuses_bad_reason_and_foreign_person(client, auth, app, npl_next):
    auth.login("trainer.npl", "carana-trainer-2026")
    with app.app_context():
        rotation = db.session.get(Rotation, npl_next)
        person_id = rotation.members[0].person_id
        req_id = db.session.scalar(select(Requirement.id))
        in_rotation = select(RotationMember.person_id).where(RotationMember.rotation_id == npl_next)
        other = db.session.scalar(select(Person.id).where(Person.id.not_in(in_rotation)))
    bad = client.post(
        f"/readiness/rotations/{npl_next}/waive/{person_id}",
        data={"requirement_id": str(req_id), "reason": "Because"},
    )
    assert bad.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Statement.verb_id.like("%waived"))) == 0
    assert (
        client.post(
            f"/readiness/rotations/{npl_next}/waive/{other}",
            data={"requirement_id": str(req_id), "reason": "Administrative"},
        ).status_code
        == 404
    )


def test_csv_export_lists_everyone_with_what_they_miss(client, auth, app, npl_next):
    auth.login("trainer.npl", "carana-trainer-2026")
    response = client.get(f"/readiness/rotations/{npl_next}/readiness.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    with app.app_context():
        rotation = db.session.get(Rotation, npl_next)
        assert len(rows) == len(rotation.members)
        view = services.rotation_readiness(rotation)
    assert sum(r["ready"] == "yes" for r in rows) == view.ready_count
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "readiness.export_csv")
            )
            == 1
        )


def test_pseudonymised_export_has_no_names_or_service_numbers(client, auth, app, npl_next):
    auth.login("analyst", "carana-analyst-2026")
    text = client.get(f"/readiness/rotations/{npl_next}/pseudonymised.csv").get_data(as_text=True)
    with app.app_context():
        rotation = db.session.get(Rotation, npl_next)
        for m in rotation.members:
            assert m.person.service_number not in text
            assert f",{m.person.family_name}," not in text
    assert text.count("\nP-") == len(rotation.members)
    assert client.get(f"/readiness/rotations/{npl_next}").status_code == 403
    hq = client.get("/readiness/hq").get_data(as_text=True)
    assert "Nepal" in hq


def test_trainer_cannot_download_pseudonymised_hq_export(client, auth, npl_next):
    auth.login("trainer.npl", "carana-trainer-2026")
    assert client.get(f"/readiness/rotations/{npl_next}/pseudonymised.csv").status_code == 403


def test_signed_report_pdf(client, auth, app, npl_next):
    auth.login("trainer.npl", "carana-trainer-2026")
    unsigned = client.post(f"/readiness/rotations/{npl_next}/sign", data={"note": "x"})
    assert unsigned.status_code == 303
    client.post(
        f"/readiness/rotations/{npl_next}/sign",
        data={"note": "Checked with the company commanders.", "confirm": "y"},
    )
    page = client.get(f"/readiness/rotations/{npl_next}").get_data(as_text=True)
    report_id = re.search(r"/readiness/reports/([0-9a-f-]{36})\.pdf", page).group(1)
    pdf = client.get(f"/readiness/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    auth.logout()
    auth.login("trainer.sen", "carana-trainer-2026")
    assert client.get(f"/readiness/reports/{report_id}.pdf").status_code == 404


def test_transcript_shows_training_across_rotations(client, auth, app, demo):
    with app.app_context():
        # A person who served in the previous rotation and serves again in the next one.
        returning = db.session.scalar(
            select(Person)
            .join(RotationMember)
            .group_by(Person.id)
            .having(func.count(RotationMember.id) > 1)
        )
        person_id = returning.id
        country = returning.country.iso_code
    login = {"NPL": "trainer.npl", "SEN": "trainer.sen"}.get(country)
    if login is None:
        auth.login("admin", "carana-admin-2026")
    else:
        auth.login(login, "carana-trainer-2026")
    page = client.get(f"/readiness/people/{person_id}").get_data(as_text=True)
    assert page.count("<h2>") >= 3  # two rotations and the completed-training table


def test_requirements_are_managed_and_validated(client, auth, app):
    with app.app_context():
        from tests.factories import create_mission, create_user

        mission_id = create_mission().id
        create_user("boss", roles=("admin",))
        db.session.commit()
    auth.login("boss")
    bad = client.post(
        "/readiness/requirements/new",
        data={
            "mission_id": str(mission_id),
            "title": "X",
            "kind": "course",
            "ref": "Not An Id",
            "rule": "completed",
            "validity_months": "0",
        },
    )
    assert bad.status_code == 400
    ok = client.post(
        "/readiness/requirements/new",
        data={
            "mission_id": str(mission_id),
            "title": "Cyber hygiene",
            "kind": "course",
            "ref": "cyber-hygiene",
            "rule": "completed",
            "validity_months": "24",
            "roles": ["staff-officer"],
            "active": "y",
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        req = db.session.scalar(select(Requirement).where(Requirement.title == "Cyber hygiene"))
        assert req.roles == ["staff-officer"] and req.validity_months == 24


def test_only_statements_the_portal_recorded_count(app, demo):
    """A completion posted by another authority (a learner, an outside client) is not evidence."""
    import uuid
    from datetime import UTC, datetime

    from lms.xapi import iris
    from lms.xapi.store import save_statements

    with app.app_context():
        rotation = _rotation("NPL")
        view = services.rotation_readiness(rotation)
        row = next(r for r in view.rows if len(r.status.missing) == 1)
        rule = row.status.missing[0].rule
        statement = {
            "id": str(uuid.uuid4()),
            "actor": services.person_agent(row.person),
            "verb": iris.verb(iris.PASSED if iris.PASSED in rule.verbs else iris.COMPLETED),
            "object": {"objectType": "Activity", "id": rule.activity},
            "timestamp": datetime.now(UTC).isoformat(),
        }
        self_made = {
            "objectType": "Agent",
            "account": {"homePage": "https://elsewhere.example", "name": "me"},
        }
        save_statements(db.session, [statement], self_made)
        db.session.commit()
        assert services.rotation_readiness(rotation).ready_count == view.ready_count
        statement["id"] = str(uuid.uuid4())
        save_statements(db.session, [statement], services.portal_authority())
        db.session.commit()
        assert services.rotation_readiness(rotation).ready_count == view.ready_count + 1


def test_signed_report_pdf_in_arabic_with_remarks_in_other_scripts(client, auth, app, npl_next):
    auth.login("trainer.npl", "carana-trainer-2026")
    client.post("/language", data={"lang": "ar", "next": "/"})
    note = "تمت مراجعة الأرقام مع قادة السرايا — कम्पनी कमाण्डरहरूसँग जाँच गरियो"
    client.post(f"/readiness/rotations/{npl_next}/sign", data={"note": note, "confirm": "y"})
    page = client.get(f"/readiness/rotations/{npl_next}").get_data(as_text=True)
    report_id = re.search(r"/readiness/reports/([0-9a-f-]{36})\.pdf", page).group(1)
    pdf = client.get(f"/readiness/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # The Arabic and Devanagari fonts are both embedded: each script is drawn with its own font.
    for font in (b"NotoSansArabic", b"NotoSansDevanagari"):
        assert font in pdf.data, font
