"""exercise runs: runs of a scenario, their teams, one-time launch tokens

Revision ID: efb5f3b630ed
Revises: 4a8a8e3f47df
Create Date: 2026-11-21 05:46:38.537845

"""

from alembic import op
import sqlalchemy as sa

import lms.db


# revision identifiers, used by Alembic.
revision = "efb5f3b630ed"
down_revision = "4a8a8e3f47df"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "exercise_run",
        sa.Column("rotation_id", sa.Uuid(), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("scenario_version", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("mastery_score", sa.Double(), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("actor", sa.JSON(), nullable=False),
        sa.Column("join_code", sa.String(length=16), nullable=True),
        sa.Column("join_expires_at", lms.db.TZDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("closed_at", lms.db.TZDateTime(timezone=True), nullable=True),
        sa.Column("results_recorded_at", lms.db.TZDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lms.db.TZDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lms.db.TZDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_exercise_run_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"], ["rotation.id"], name=op.f("fk_exercise_run_rotation_id_rotation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_run")),
        sa.UniqueConstraint("join_code", name=op.f("uq_exercise_run_join_code")),
        sa.UniqueConstraint("registration", name=op.f("uq_exercise_run_registration")),
    )
    with op.batch_alter_table("exercise_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_run_rotation_id"), ["rotation_id"], unique=False
        )

    op.create_table(
        "exercise_launch",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", lms.db.TZDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", lms.db.TZDateTime(timezone=True), nullable=False),
        sa.Column("used_at", lms.db.TZDateTime(timezone=True), nullable=True),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["exercise_run.id"], name=op.f("fk_exercise_launch_run_id_exercise_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_launch")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_exercise_launch_token_hash")),
    )
    with op.batch_alter_table("exercise_launch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_launch_client_key"), ["client_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exercise_launch_run_id"), ["run_id"], unique=False)

    op.create_table(
        "exercise_run_member",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_exercise_run_member_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["exercise_run.id"], name=op.f("fk_exercise_run_member_run_id_exercise_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_run_member")),
        sa.UniqueConstraint(
            "run_id", "person_id", name=op.f("uq_exercise_run_member_run_id_person_id")
        ),
    )
    with op.batch_alter_table("exercise_run_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_run_member_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exercise_run_member_run_id"), ["run_id"], unique=False)


def downgrade():
    with op.batch_alter_table("exercise_run_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_run_member_run_id"))
        batch_op.drop_index(batch_op.f("ix_exercise_run_member_person_id"))

    op.drop_table("exercise_run_member")
    with op.batch_alter_table("exercise_launch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_launch_run_id"))
        batch_op.drop_index(batch_op.f("ix_exercise_launch_client_key"))

    op.drop_table("exercise_launch")
    with op.batch_alter_table("exercise_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_run_rotation_id"))

    op.drop_table("exercise_run")
