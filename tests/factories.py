"""Small factories with keyword overrides. Call them inside an app context; they flush."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from lms.auth import services as accounts
from lms.auth.models import UserScope
from lms.extensions import db
from lms.org.models import Contingent, Country, Mission, Person, Rotation, RotationMember, SubUnit

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def create_country(**kw) -> Country:
    n = next(_seq)
    country = Country(
        iso_code=kw.pop("iso_code", f"X{n % 26 + 65:c}{(n // 26) % 26 + 65:c}"),
        name=kw.pop("name", f"Country {n}"),
        **kw,
    )
    db.session.add(country)
    db.session.flush()
    return country


def create_mission(**kw) -> Mission:
    n = next(_seq)
    mission = Mission(
        code=kw.pop("code", f"M{n}"),
        name=kw.pop("name", f"Mission {n}"),
        host_country=kw.pop("host_country", "Carana"),
        **kw,
    )
    db.session.add(mission)
    db.session.flush()
    return mission


def create_contingent(**kw) -> Contingent:
    n = next(_seq)
    subunits = kw.pop("subunits", ("Alpha Company", "Bravo Company"))
    contingent = Contingent(
        country=kw.pop("country", None) or create_country(),
        mission=kw.pop("mission", None) or create_mission(),
        code=kw.pop("code", f"UNIT{n}"),
        name=kw.pop("name", f"Unit {n}"),
        kind=kw.pop("kind", "infantry-battalion"),
        **kw,
    )
    db.session.add(contingent)
    for name in subunits:
        db.session.add(SubUnit(contingent=contingent, name=name, kind="company"))
    db.session.flush()
    return contingent


def create_rotation(**kw) -> Rotation:
    rotation = Rotation(
        contingent=kw.pop("contingent", None) or create_contingent(),
        number=kw.pop("number", next(_seq)),
        planned_deployment=kw.pop("planned_deployment", date.today() + timedelta(days=60)),
        status=kw.pop("status", "preparing"),
        **kw,
    )
    db.session.add(rotation)
    db.session.flush()
    return rotation


def create_person(**kw) -> Person:
    n = next(_seq)
    person = Person(
        country=kw.pop("country", None) or create_country(),
        service_number=kw.pop("service_number", f"SN-{n:06d}"),
        given_name=kw.pop("given_name", "Test"),
        family_name=kw.pop("family_name", f"Person{n}"),
        rank=kw.pop("rank", "Sergeant"),
        **kw,
    )
    db.session.add(person)
    db.session.flush()
    return person


def add_member(rotation: Rotation, person: Person, subunit=None) -> RotationMember:
    member = RotationMember(rotation=rotation, person=person, subunit=subunit)
    db.session.add(member)
    db.session.flush()
    return member


def create_user(
    username: str | None = None,
    roles=("trainee",),
    password: str = PASSWORD,
    countries=(),
    contingents=(),
    **kw,
):
    user = accounts.create_user(
        username or f"user{next(_seq)}",
        password,
        kw.pop("display_name", "Test User"),
        set(roles),
        **kw,
    )
    user.scopes = [UserScope(country=c) for c in countries] + [
        UserScope(contingent=c) for c in contingents
    ]
    db.session.flush()
    return user
