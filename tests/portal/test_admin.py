"""Administration: records, unique rules, users with roles and scopes, audit log."""

import re

from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.auth.models import User
from lms.extensions import db
from lms.org.models import Country, Rotation
from tests.factories import create_contingent, create_user


def login_admin(app, auth):
    with app.app_context():
        create_user("boss", roles=("admin",))
        db.session.commit()
    auth.login("boss")


def test_admin_creates_and_edits_a_country(app, client, auth):
    login_admin(app, auth)
    response = client.post(
        "/admin/countries/new", data={"iso_code": "npl", "name": "Nepal", "default_language": "ne"}
    )
    assert response.status_code == 302
    with app.app_context():
        country = db.session.scalar(select(Country).where(Country.iso_code == "NPL"))
        assert country.name == "Nepal"
        country_id = country.id
    response = client.post(
        f"/admin/countries/{country_id}",
        data={
            "iso_code": "NPL",
            "name": "Nepal (Federal Democratic Republic)",
            "default_language": "ne",
        },
    )
    assert response.status_code == 302
    listing = client.get("/admin/countries?q=federal").get_data(as_text=True)
    assert "Federal Democratic Republic" in listing


def test_duplicate_code_is_a_form_error_not_a_crash(app, client, auth):
    login_admin(app, auth)
    data = {"iso_code": "BGD", "name": "Bangladesh", "default_language": "bn"}
    assert client.post("/admin/countries/new", data=data).status_code == 302
    again = client.post("/admin/countries/new", data=data)
    assert again.status_code == 400
    assert "already exists" in again.get_data(as_text=True)


def test_invalid_values_are_reported(app, client, auth):
    login_admin(app, auth)
    response = client.post(
        "/admin/countries/new", data={"iso_code": "N1", "name": "", "default_language": "xx"}
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Three letters" in text


def test_rotation_end_before_start_is_refused(app, client, auth):
    login_admin(app, auth)
    with app.app_context():
        contingent_id = create_contingent().id
        db.session.commit()
    response = client.post(
        "/admin/rotations/new",
        data={
            "contingent_id": str(contingent_id),
            "number": "3",
            "planned_deployment": "2027-03-01",
            "end_date": "2027-01-01",
            "status": "planned",
            "target_ready_share": "0.9",
        },
    )
    assert response.status_code == 400
    ok = client.post(
        "/admin/rotations/new",
        data={
            "contingent_id": str(contingent_id),
            "number": "3",
            "planned_deployment": "2027-03-01",
            "end_date": "2028-03-01",
            "status": "planned",
            "target_ready_share": "0.9",
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Rotation.id))) == 1


def test_record_in_use_cannot_be_deleted(app, client, auth):
    login_admin(app, auth)
    with app.app_context():
        contingent = create_contingent()
        country_id = contingent.country_id
        db.session.commit()
    response = client.post(f"/admin/countries/{country_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Country, country_id) is not None


def test_admin_creates_a_trainer_with_scope_and_temporary_password(app, client, auth):
    login_admin(app, auth)
    with app.app_context():
        contingent = create_contingent()
        country_id = contingent.country_id
        db.session.commit()
    response = client.post(
        "/admin/users/new",
        data={
            "username": "trainer.x",
            "display_name": "Trainer X",
            "locale": "fr",
            "roles": ["trainer"],
            "countries": [str(country_id)],
            "active": "y",
        },
    )
    assert response.status_code == 200
    password = re.search(
        r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)
    ).group(1)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "trainer.x"))
        assert user.roles == {"trainer"}
        assert [s.country_id for s in user.scopes] == [country_id]
        assert user.must_change_password
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "user.create")
            )
            == 1
        )
    other = app.test_client()
    response = other.post("/login", data={"username": "trainer.x", "password": password})
    assert response.headers["Location"].endswith("/account/password")


def test_admin_cannot_remove_own_admin_role(app, client, auth):
    login_admin(app, auth)
    with app.app_context():
        boss_id = db.session.scalar(select(User.id).where(User.username == "boss"))
    response = client.post(
        f"/admin/users/{boss_id}",
        data={
            "username": "boss",
            "display_name": "Boss",
            "locale": "en",
            "roles": ["trainer"],
            "active": "y",
        },
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, boss_id).has_role("admin")


def test_unknown_resource_and_bad_ids_are_404(app, client, auth):
    login_admin(app, auth)
    assert client.get("/admin/spaceships").status_code == 404
    assert client.get("/admin/people/not-a-uuid").status_code == 404
    assert client.get("/admin/people/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/admin/people?page=-4").status_code == 200
    assert client.get("/admin/people?page=abc").status_code == 200
