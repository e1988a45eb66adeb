"""Helpers for the exercise tests: the demo's NEPBATT rotation and a run created through the form."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.org.models import Contingent, Person, Rotation, RotationMember

CONTROLLER = ("controller", "carana-control-2026")


def preparing_rotation(code: str) -> Rotation:
    return db.session.scalar(
        select(Rotation)
        .join(Contingent)
        .where(Contingent.code == code, Rotation.status == "preparing")
    )


def roster_ids(rotation: Rotation, n: int) -> list[str]:
    people = db.session.scalars(
        select(Person.id)
        .join(RotationMember)
        .where(RotationMember.rotation_id == rotation.id)
        .order_by(Person.family_name, Person.id)
        .limit(n)
    )
    return [str(p) for p in people]


@pytest.fixture
def nep(app, demo):
    """Ids of NEPBATT's preparing rotation and four people on its roster."""
    with app.app_context():
        rotation = preparing_rotation("NEPBATT")
        return {"rotation": str(rotation.id), "people": roster_ids(rotation, 4)}


def run_form(nep: dict, scenario: str = "poc-camp", lang: str = "en") -> dict:
    """poc-camp teams: command (company-commander, operations-officer), field (patrol-leader...)."""
    p = nep["people"]
    return {
        "rotation": nep["rotation"],
        "scenario": scenario,
        "lang": lang,
        "team-command-0-person": p[0],
        "team-command-0-role": "company-commander",
        "team-command-1-person": p[1],
        "team-command-1-role": "operations-officer",
        "team-field-0-person": p[2],
        "team-field-0-role": "patrol-leader",
        "team-field-1-person": p[3],
        "team-field-1-role": "civil-military-liaison",
    }


@pytest.fixture
def make_run(client, auth, nep):
    """Log in as the demo controller and create a poc-camp run; return its run id."""

    def make(**overrides) -> str:
        auth.login(*CONTROLLER)
        response = client.post("/exercises/new", data={**run_form(nep), **overrides})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"].rsplit("/", 1)[-1]

    return make


def launch_params(url: str) -> dict:
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
    query["actor"] = json.loads(query["actor"])
    return query
