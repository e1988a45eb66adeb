"""One enrolment per attempt at a course: drop the unique person/user + course constraints.

A learner whose completion has expired takes the course again in a new enrolment (a new xAPI
registration); the older enrolments and their certificates stay as history.

Revision ID: 1412eae42e57
Revises: 5c1f0a9e2d47
Create Date: 2026-11-21 07:20:08.670082

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "1412eae42e57"
down_revision = "5c1f0a9e2d47"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_enrolment_person_id_course_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_enrolment_user_id_course_id"), type_="unique")


def downgrade():
    # Only possible while each person (and account) has one enrolment per course.
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_enrolment_user_id_course_id"), ["user_id", "course_id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_enrolment_person_id_course_id"), ["person_id", "course_id"]
        )
