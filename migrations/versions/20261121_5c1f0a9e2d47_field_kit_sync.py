"""field kit sync: instance identity, peers, change log, kept conflict losers

Revision ID: 5c1f0a9e2d47
Revises: efb5f3b630ed
Create Date: 2026-11-21 06:10:00

"""

from alembic import op
import sqlalchemy as sa

import lms.db


# revision identifiers, used by Alembic.
revision = "5c1f0a9e2d47"
down_revision = "efb5f3b630ed"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "sync_identity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", lms.db.TZDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_identity")),
    )
    op.create_table(
        "sync_peer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("contingent_codes", sa.JSON(), nullable=False),
        sa.Column("registered_at", lms.db.TZDateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=120), nullable=False),
        sa.Column("last_sync_at", lms.db.TZDateTime(timezone=True), nullable=True),
        sa.Column("last_sync_how", sa.String(length=16), nullable=False),
        sa.Column("last_request_at", sa.Double(), nullable=False),
        sa.Column("sent_statements", SEQ, nullable=False),
        sa.Column("sent_changes", SEQ, nullable=False),
        sa.Column("received_statements", SEQ, nullable=False),
        sa.Column("received_changes", SEQ, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_peer")),
    )
    op.create_table(
        "sync_change",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("changed_at", lms.db.TZDateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_change")),
    )
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_change_record", ["table_name", "record_id", "seq"], unique=False
        )
    op.create_table(
        "sync_conflict",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("at", lms.db.TZDateTime(timezone=True), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("peer_id", sa.String(length=36), nullable=False),
        sa.Column("winner", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lost_origin", sa.String(length=36), nullable=False),
        sa.Column("lost_changed_at", lms.db.TZDateTime(timezone=True), nullable=True),
        sa.Column("lost_data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )


def downgrade():
    op.drop_table("sync_conflict")
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_change_record")
    op.drop_table("sync_change")
    op.drop_table("sync_peer")
    op.drop_table("sync_identity")
