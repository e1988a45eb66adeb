"""A trainer of one country never reaches another country's people, route by route."""

import uuid

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.org.models import Contingent, Country, Person, Rotation, RotationMember


@pytest.fixture
def sen_ids(app, demo):
    """Ids of Senegal's records, by the path parameter names routes use."""
    with app.app_context():
        sen = db.session.scalar(select(Country).where(Country.iso_code == "SEN"))
        contingent = db.session.scalar(select(Contingent).where(Contingent.country_id == sen.id))
        rotation = db.session.scalar(
            select(Rotation).where(Rotation.contingent_id == contingent.id)
        )
        person = db.session.scalar(
            select(Person).join(RotationMember).where(RotationMember.rotation_id == rotation.id)
        )
        return {
            "country_id": sen.id,
            "contingent_id": contingent.id,
            "rotation_id": rotation.id,
            "person_id": person.id,
            "family_name": person.family_name,
            "service_number": person.service_number,
        }


def _routes_with_ids(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments or rule.endpoint == "static":
            continue
        yield rule


def test_every_get_route_with_an_id_refuses_another_countrys_records(app, client, auth, sen_ids):
    auth.login("trainer.npl", "carana-trainer-2026")
    checked = 0
    for rule in _routes_with_ids(app):
        values = {}
        for arg in rule.arguments:
            if arg in sen_ids:
                values[arg] = sen_ids[arg]
            elif arg == "resource":
                values[arg] = "people"
            elif arg.endswith("_id"):
                values[arg] = sen_ids["person_id"] if "person" in arg else uuid.uuid4()
            else:
                values[arg] = "x"
        try:
            url = rule.build(values, append_unknown=False)[1]
        except Exception:  # a converter that refuses these values: nothing to check
            continue
        response = client.get(url)
        # 400/401 are the LRS's answers to a request without its version header or credentials.
        refused = (400, 401, 403, 404) if rule.rule.startswith("/xapi/") else (403, 404)
        assert response.status_code in refused, f"{rule.rule} answered {response.status_code}"
        body = response.get_data(as_text=True)
        assert sen_ids["service_number"] not in body, rule.rule
        checked += 1
    assert checked >= 5


def test_trainer_sees_own_countrys_rotation(app, client, auth):
    from lms import demo as demo_data

    with app.app_context():
        demo_data.load(people=60, seed=3)
        db.session.commit()
        npl = db.session.scalar(select(Country).where(Country.iso_code == "NPL"))
        rotation = db.session.scalar(
            select(Rotation).join(Contingent).where(Contingent.country_id == npl.id)
        )
        rotation_id = rotation.id
    auth.login("trainer.npl", "carana-trainer-2026")
    response = client.get(f"/rotations/{rotation_id}")
    assert response.status_code == 200


def test_lists_and_search_hide_other_countries(app, client, auth, sen_ids):
    auth.login("trainer.npl", "carana-trainer-2026")
    units = client.get("/units").get_data(as_text=True)
    assert "Nepalese infantry battalion" in units
    assert "Senegalese formed police unit" not in units
    found = client.get(f"/people?q={sen_ids['service_number']}").get_data(as_text=True)
    assert "Nobody matches." in found
    assert f">{sen_ids['service_number']}</td>" not in found
    home = client.get("/").get_data(as_text=True)
    assert "Senegalese" not in home


def test_controller_assigned_to_a_contingent_sees_only_it(app, client, auth, sen_ids):
    auth.login("controller", "carana-control-2026")
    units = client.get("/units").get_data(as_text=True)
    assert "Nepalese infantry battalion" in units
    assert "Jordanian level-2 hospital" not in units


@pytest.mark.parametrize(
    "username,password",
    [
        ("trainer.npl", "carana-trainer-2026"),
        ("trainee", "carana-trainee-2026"),
        ("analyst", "carana-analyst-2026"),
    ],
)
def test_non_admins_cannot_open_administration(client, auth, demo, username, password):
    auth.login(username, password)
    for url in ("/admin/", "/admin/people", "/admin/users", "/admin/audit", "/admin/users/new"):
        assert client.get(url).status_code == 403, url


def test_analyst_sees_counts_never_names(app, client, auth, sen_ids):
    auth.login("analyst", "carana-analyst-2026")
    overview = client.get("/overview")
    assert overview.status_code == 200
    text = overview.get_data(as_text=True)
    assert "Senegal" in text
    assert sen_ids["service_number"] not in text
    assert client.get(f"/people/{sen_ids['person_id']}").status_code == 403
    assert client.get("/people").status_code == 403


def test_trainee_cannot_open_rosters(client, auth, sen_ids):
    auth.login("trainee", "carana-trainee-2026")
    assert client.get(f"/rotations/{sen_ids['rotation_id']}").status_code == 403
    assert client.get("/units").status_code == 403
