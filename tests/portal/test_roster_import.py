"""Roster CSV import: every row checked, every problem reported by line, all or nothing."""

import io

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.org.models import Person, RotationMember
from lms.org.services import import_roster
from tests.factories import create_person, create_rotation, create_user

HEADER = (
    "service_number,given_name,family_name,rank,role,preferred_language,subunit,position,email\n"
)


@pytest.fixture
def rotation_id(app):
    with app.app_context():
        rotation = create_rotation()
        db.session.commit()
        return rotation.id


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_good_roster_imports_everyone(app, rotation_id):
    from lms.org.models import Rotation

    data = (
        HEADER + "NA-1001,Ram,Thapa,Sergeant,patrol-leader,ne,Alpha Company,Section commander,\n"
        "NA-1002,Sita,Gurung,Corporal,infantry,en,Bravo Company,,sita@example.org\n"
    ).encode()
    with app.app_context():
        report = import_roster(db.session.get(Rotation, rotation_id), data, None)
        db.session.commit()
        assert report.ok and report.created == 2 and report.added == 2
        person = db.session.scalar(select(Person).where(Person.service_number == "NA-1001"))
        assert person.role == "patrol-leader" and person.preferred_language == "ne"
        member = db.session.scalar(
            select(RotationMember).where(RotationMember.person_id == person.id)
        )
        assert member.subunit.name == "Alpha Company"


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(app, rotation_id):
    from lms.org.models import Rotation

    data = (
        HEADER
        + "NA-2001,Ram,Thapa,Sergeant,infantry,ne,Alpha Company,,\n"
        + "NA-2002,,Gurung,Corporal,astronaut,xx,Delta Company,,not-an-email\n"
        + "NA 2003!,Hari,Rai,,,,,,\n"
        + "NA-2001,Ram,Thapa,Sergeant,infantry,ne,,,\n"
    ).encode()
    with app.app_context():
        report = import_roster(db.session.get(Rotation, rotation_id), data, None)
        lines = {(p.line, p.code) for p in report.problems}
        assert (3, "missing") in lines
        assert (3, "role") in lines and (3, "language") in lines
        assert (3, "subunit") in lines and (3, "email") in lines
        assert (4, "service_number") in lines
        assert (5, "duplicate") in lines
        assert not any(line == 2 for line, _ in lines)
        db.session.rollback()
        assert _count(Person) == 0
        assert _count(RotationMember) == 0


def test_known_person_is_updated_and_keeps_identity(app, rotation_id):
    from lms.org.models import Rotation

    with app.app_context():
        rotation = db.session.get(Rotation, rotation_id)
        person = create_person(
            country=rotation.contingent.country, service_number="NA-3001", family_name="Old"
        )
        person_id = person.id
        db.session.commit()
        report = import_roster(
            rotation, (HEADER + "na-3001,Bishnu,Karki,Captain,staff-officer,en,,,\n").encode(), None
        )
        db.session.commit()
        assert report.updated == 1 and report.created == 0
        assert db.session.get(Person, person_id).family_name == "Karki"


def test_file_level_errors(app, rotation_id):
    from lms.org.models import Rotation

    with app.app_context():
        rotation = db.session.get(Rotation, rotation_id)
        assert import_roster(rotation, b"", None).file_error[0] == "empty"
        assert import_roster(rotation, b"name,age\nx,1\n", None).file_error[0] == "columns"
        assert (
            import_roster(rotation, (HEADER.strip() + ",shoe_size\n").encode(), None).file_error[0]
            == "unknown_columns"
        )
        assert (
            import_roster(
                rotation,
                "service_number,given_name,family_name\nA-1,Zoë,Ü\n".encode("latin-1"),
                None,
            ).file_error[0]
            == "encoding"
        )


def test_upload_page_lists_problems(app, client, auth, rotation_id):
    with app.app_context():
        create_user("boss", roles=("admin",))
        db.session.commit()
    auth.login("boss")
    bad = (HEADER + "NA-1,,Thapa,,,,,,\n").encode()
    response = client.post(
        f"/rotations/{rotation_id}/import",
        data={"file": (io.BytesIO(bad), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Line 2" in response.get_data(as_text=True)
    good = (HEADER + "NA-1,Ram,Thapa,,,,,,\n").encode()
    response = client.post(
        f"/rotations/{rotation_id}/import",
        data={"file": (io.BytesIO(good), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


def test_cli_import_reports_each_bad_line_and_exits_non_zero(app, runner, rotation_id, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "NA-9,,Thapa,,,,,,\nNA-10,Hari,Rai,,,zz,,,\n", encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(rotation_id), str(bad)])
    assert result.exit_code != 0
    assert "bad.csv:2:" in result.output and "bad.csv:3:" in result.output
    assert "nothing was imported" in result.output
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "NA-9,Ram,Thapa,,,,,,\n", encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(rotation_id), str(good)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 rows" in result.output
    result = runner.invoke(args=["roster", "import", "NOPE:1", str(good)])
    assert result.exit_code != 0 and "no rotation" in result.output
