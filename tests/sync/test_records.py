"""Records between HQ and a kit: rosters and accounts down, people and results up, conflicts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from lms.org.models import Person, RotationMember
from lms.sync import services
from lms.sync.models import Change, Conflict
from tests import factories
from tests.sync.conftest import transfer


def _roster(app, code="BANBAT-1", people=3):
    with app.app_context():
        rotation = factories.create_rotation(
            contingent=factories.create_contingent(code=code, name=f"Battalion {code}")
        )
        ids = []
        for n in range(people):
            person = factories.create_person(family_name=f"Rahman{n}")
            factories.add_member(rotation, person)
            ids.append(str(person.id))
        user = factories.create_user(f"{code.lower()}-lead")
        user.person_id = person.id
        db.session.flush()
        user_id = str(user.id)
        db.session.commit()
        return str(rotation.id), ids, user_id


def test_roster_and_accounts_go_down_and_new_people_come_up(paired, hq, kit, tmp_path):
    hq_id, kit_id = paired
    rotation_id, people, user_id = _roster(hq)

    result = transfer(hq, kit, tmp_path / "down.kitbundle", kit_id)
    assert result.records.applied >= 3 + 3 + 1
    with kit.app_context():
        assert {str(p.id) for p in db.session.scalars(select(Person))} == set(people)
        user = db.session.get(User, __import__("uuid").UUID(user_id))
        assert user.username == "banbat-1-lead" and user.password_hash  # can log in offline

        # At the kit: a person joins the rotation, another one's rank is corrected.
        rotation = db.session.get(
            RotationMember, next(iter(db.session.scalars(select(RotationMember.id))))
        ).rotation
        newcomer = factories.create_person(
            country=rotation.contingent.country, family_name="Okafor", given_name="Chidi"
        )
        factories.add_member(rotation, newcomer)
        fixed = db.session.scalars(select(Person).where(Person.family_name == "Rahman1")).one()
        fixed.rank = "Corporal"
        db.session.commit()
        newcomer_id = str(newcomer.id)

    up = transfer(kit, hq, tmp_path / "up.kitbundle")
    assert (up.records.conflicts, up.records.refused) == (0, 0)
    with hq.app_context():
        assert (
            db.session.scalars(select(Person.rank).where(Person.family_name == "Rahman1")).one()
            == "Corporal"
        )
        newcomer = db.session.get(Person, __import__("uuid").UUID(newcomer_id))
        assert newcomer.full_name == "Chidi Okafor"
        assert len(db.session.scalars(select(RotationMember)).all()) == 4
        # What came from the kit is logged with its origin: never sent back to it.
        origins = set(
            db.session.scalars(select(Change.origin).where(Change.record_id == newcomer_id))
        )
        assert origins == {kit_id}

    # The same bundle again: nothing changes.
    with hq.app_context():
        again = services.import_bundle(db.session, tmp_path / "up.kitbundle")
    assert again.records.applied == 0

    # HQ's next bundle acknowledges the kit's changes and does not echo them.
    back = transfer(hq, kit, tmp_path / "down2.kitbundle", kit_id)
    assert back.records.applied == 0 and back.records.conflicts == 0
    with kit.app_context():
        mine = services.require_identity(db.session)
        assert services.pending(db.session, mine, services.the_peer(db.session)).records == 0


def test_kit_receives_only_the_contingents_it_serves(paired, hq, kit, tmp_path):
    hq_id, kit_id = paired
    _, served, _ = _roster(hq, "NEPBAT-2", people=2)
    _, other, _ = _roster(hq, "PAKBAT-3", people=2)
    with hq.app_context():
        peer = services.the_peer(db.session, kit_id)
        peer.contingent_codes = ["NEPBAT-2"]
        db.session.commit()
    with hq.app_context():
        owed = services.pending(
            db.session, services.require_identity(db.session), services.the_peer(db.session, kit_id)
        )
    # country, mission, contingent, 2 sub-units, rotation, 2 people, 2 memberships, 1 account
    # with its role: the other contingent's records are not owed to this kit
    assert owed.records == 12
    transfer(hq, kit, tmp_path / "down.kitbundle", kit_id)
    with kit.app_context():
        held = {str(p.id) for p in db.session.scalars(select(Person))}
    assert held == set(served)
    assert not held & set(other)


def test_records_made_before_the_kit_was_set_up_are_sent(hq, kit, tmp_path):
    _roster(hq, "GHABAT-1", people=2)  # before HQ had an identity: seeded into the change log
    with kit.app_context():
        kit_doc = services.identity_document(services.init_identity(db.session, "kit", "East"))
        db.session.commit()
    with hq.app_context():
        hq_doc = services.identity_document(services.init_identity(db.session, "hq", "HQ"))
        kit_id = str(services.register_peer(db.session, kit_doc, "test").id)
        db.session.commit()
    with kit.app_context():
        services.register_peer(db.session, hq_doc, "test")
        db.session.commit()
    transfer(hq, kit, tmp_path / "down.kitbundle", kit_id)
    with kit.app_context():
        assert len(db.session.scalars(select(Person)).all()) == 2


def _edit_rank(app, person_id, rank, when):
    import uuid

    with app.app_context():
        person = db.session.get(Person, uuid.UUID(person_id))
        person.rank = rank
        person.updated_at = when
        db.session.commit()


def _rank(app, person_id):
    import uuid

    with app.app_context():
        return db.session.get(Person, uuid.UUID(person_id)).rank


def _conflicts(app):
    with app.app_context():
        return [
            (c.table_name, c.record_id, c.winner, (c.lost_data or {}).get("rank"))
            for c in db.session.scalars(select(Conflict).order_by(Conflict.id))
        ]


def test_conflicting_edits_the_later_one_wins_and_the_loser_is_kept(paired, hq, kit, tmp_path):
    hq_id, kit_id = paired
    _, people, _ = _roster(hq)
    transfer(hq, kit, tmp_path / "down.kitbundle", kit_id)
    transfer(kit, hq, tmp_path / "up0.kitbundle")  # kit acknowledges
    transfer(hq, kit, tmp_path / "down0.kitbundle", kit_id)
    target = people[0]
    t0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)

    # Both sides edit the same person while apart; HQ's edit is the later one.
    _edit_rank(kit, target, "Staff Sergeant", t0)
    _edit_rank(hq, target, "Warrant Officer", t0 + dt.timedelta(hours=2))

    transfer(kit, hq, tmp_path / "up.kitbundle")
    assert _rank(hq, target) == "Warrant Officer"  # HQ's later edit stands
    assert _conflicts(hq) == [("person", target, "local", "Staff Sergeant")]

    transfer(hq, kit, tmp_path / "down2.kitbundle", kit_id)
    assert _rank(kit, target) == "Warrant Officer"  # the kit takes the later edit
    assert _conflicts(kit) == []  # settled at HQ, where both versions met; kept there

    # Settled: another round moves nothing and raises no new conflict.
    transfer(kit, hq, tmp_path / "up3.kitbundle")
    transfer(hq, kit, tmp_path / "down3.kitbundle", kit_id)
    assert len(_conflicts(hq)) == 1 and _conflicts(kit) == []
    assert _rank(hq, target) == _rank(kit, target) == "Warrant Officer"


def test_a_tie_goes_to_the_instance_with_the_greater_id(paired, hq, kit, tmp_path):
    hq_id, kit_id = paired
    _, people, _ = _roster(hq)
    transfer(hq, kit, tmp_path / "down.kitbundle", kit_id)
    transfer(kit, hq, tmp_path / "up0.kitbundle")
    transfer(hq, kit, tmp_path / "down0.kitbundle", kit_id)
    target = people[1]
    same = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    _edit_rank(kit, target, "Lieutenant", same)
    _edit_rank(hq, target, "Captain", same)
    transfer(kit, hq, tmp_path / "up.kitbundle")
    transfer(hq, kit, tmp_path / "down.kitbundle", kit_id)
    expected = "Lieutenant" if kit_id > hq_id else "Captain"
    assert _rank(hq, target) == _rank(kit, target) == expected


def test_conflict_met_first_at_the_kit_keeps_the_later_kit_edit(paired, hq, kit, tmp_path):
    hq_id, kit_id = paired
    _, people, _ = _roster(hq)
    transfer(hq, kit, tmp_path / "down.kitbundle", kit_id)
    transfer(kit, hq, tmp_path / "up0.kitbundle")
    transfer(hq, kit, tmp_path / "down0.kitbundle", kit_id)
    target = people[2]
    t0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    _edit_rank(hq, target, "Private", t0)
    _edit_rank(kit, target, "Lance Corporal", t0 + dt.timedelta(minutes=5))

    # HQ's bundle reaches the kit first: the kit's later edit stays, HQ's version is kept aside.
    transfer(hq, kit, tmp_path / "down1.kitbundle", kit_id)
    assert _rank(kit, target) == "Lance Corporal"
    assert _conflicts(kit) == [("person", target, "local", "Private")]

    transfer(kit, hq, tmp_path / "up1.kitbundle")
    assert _rank(hq, target) == "Lance Corporal"
    assert _conflicts(hq) == []


def _course(code: str):
    from lms.catalog.models import Course

    return Course(
        slug=code,
        version=1,
        topic="protection",
        languages=["en"],
        estimated_minutes=30,
        completion="passed",
        validity_months=24,
        title={"en": "Protection of civilians in Carana"},
        description={"en": "Threats to civilians and the mission's duty to act."},
        outline=[{"id": "m1", "title": {"en": "Basics"}, "lessons": [{"id": "l1"}]}],
    )


def test_a_new_course_version_replaces_lesson_texts_at_the_kit(paired, hq, kit, tmp_path):
    from sqlalchemy import delete

    from lms.catalog.models import LessonText

    hq_id, kit_id = paired
    with hq.app_context():
        course = _course("poc-carana")
        db.session.add(course)
        db.session.flush()
        db.session.add(
            LessonText(course_id=course.id, lesson_id="l1", language="en", markdown="v1")
        )
        db.session.commit()
        course_id = course.id
    transfer(hq, kit, tmp_path / "v1.kitbundle", kit_id)

    # Version 2 at HQ, the way the catalog import does it: texts deleted in bulk, added again.
    with hq.app_context():
        db.session.get(type(course), course_id).version = 2
        db.session.execute(delete(LessonText).where(LessonText.course_id == course_id))
        db.session.add(
            LessonText(course_id=course_id, lesson_id="l1", language="en", markdown="v2")
        )
        db.session.commit()
    result = transfer(hq, kit, tmp_path / "v2.kitbundle", kit_id)
    assert (result.records.refused, result.records.conflicts) == (0, 0)
    with kit.app_context():
        texts = db.session.scalars(select(LessonText.markdown)).all()
        version = db.session.get(type(course), course_id).version
    assert (texts, version) == (["v2"], 2)
