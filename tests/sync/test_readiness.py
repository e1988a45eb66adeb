"""After a sync, HQ's readiness figures include what happened at the kit."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.org.models import Person, Rotation
from lms.readiness import services as readiness
from lms.readiness.models import Requirement
from tests import factories
from tests.sync.conftest import transfer


def test_a_waiver_given_at_the_kit_counts_at_hq_after_the_sync(paired, hq, kit, tmp_path):
    hq_id, kit_id = paired
    with hq.app_context():
        rotation = factories.create_rotation(
            contingent=factories.create_contingent(code="ZAMBAT-4", name="Zambian battalion")
        )
        person = factories.create_person(
            country=rotation.contingent.country, family_name="Banda", given_name="Mwila"
        )
        factories.add_member(rotation, person)
        db.session.add(
            Requirement(
                mission_id=rotation.contingent.mission_id,
                title="Protection of civilians",
                kind="course",
                ref="poc-carana",
                rule="completed",
            )
        )
        db.session.commit()
        rotation_id, person_id = rotation.id, person.id
        assert readiness.rotation_readiness(rotation).ready_count == 0
    transfer(hq, kit, tmp_path / "down.kitbundle", kit_id)

    with kit.app_context():
        trainer = factories.create_user("kit-trainer", roles=("trainer",))
        person = db.session.get(Person, person_id)
        requirement = db.session.scalars(select(Requirement)).one()
        readiness.waive(trainer, person, requirement, "Tested Out", "Passed the course test")
        db.session.commit()
        assert readiness.rotation_readiness(db.session.get(Rotation, rotation_id)).ready_count == 1

    result = transfer(kit, hq, tmp_path / "up.kitbundle")
    assert result.statements_stored == 1
    with hq.app_context():
        assert readiness.rotation_readiness(db.session.get(Rotation, rotation_id)).ready_count == 1
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "readiness.waive")
        ).one()
        assert audit.target == f"person:{person_id}"
        assert isinstance(audit.user_id, uuid.UUID)  # the kit trainer came along with it
