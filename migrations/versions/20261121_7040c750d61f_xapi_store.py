"""xapi store: statements and their index tables, documents, activities, attachments,
LRS clients and the forwarding outbox

Revision ID: 7040c750d61f
Revises: 8558872e41ec
Create Date: 2026-11-21 05:35:05.631618

"""
import sqlalchemy as sa
from alembic import op

import lms.db

# revision identifiers, used by Alembic.
revision = '7040c750d61f'
down_revision = '8558872e41ec'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lrs_activity',
    sa.Column('activity_id', sa.Text(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('updated', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_lrs_activity'))
    )
    op.create_table('lrs_attachment',
    sa.Column('sha2', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha2', name=op.f('pk_lrs_attachment'))
    )
    op.create_table('lrs_client',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=False),
    sa.Column('scopes', sa.String(length=255), nullable=False),
    sa.Column('created_at', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=True),
    sa.Column('revoked_at', lms.db.TZDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_client')),
    sa.UniqueConstraint('key', name=op.f('uq_lrs_client_key'))
    )
    op.create_table('lrs_document',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=False),
    sa.Column('agent_key', sa.Text(), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('doc_id', sa.Text(), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('updated', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_document')),
    sa.UniqueConstraint('kind', 'activity_id', 'agent_key', 'registration', 'doc_id', name=op.f('uq_lrs_document_kind_activity_id_agent_key_registration_doc_id'))
    )
    with op.batch_alter_table('lrs_document', schema=None) as batch_op:
        batch_op.create_index('ix_lrs_document_lookup', ['kind', 'activity_id', 'agent_key', 'updated'], unique=False)

    op.create_table('lrs_forward_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', lms.db.TZDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_forward_outbox'))
    )
    with op.batch_alter_table('lrs_forward_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_lrs_forward_outbox_due', ['sent_at', 'next_attempt_at'], unique=False)

    op.create_table('lrs_statement',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('stored', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.Column('timestamp', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.Column('actor_key', sa.Text(), nullable=False),
    sa.Column('verb_id', sa.Text(), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=True),
    sa.Column('registration', sa.Uuid(), nullable=True),
    sa.Column('ref_id', sa.Uuid(), nullable=True),
    sa.Column('voiding', sa.Boolean(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('authority_key', sa.Text(), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('has_attachments', sa.Boolean(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_lrs_statement')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_lrs_statement_statement_id'))
    )
    with op.batch_alter_table('lrs_statement', schema=None) as batch_op:
        batch_op.create_index('ix_lrs_statement_authority', ['authority_key', 'stored', 'seq'], unique=False)
        batch_op.create_index('ix_lrs_statement_ref', ['ref_id'], unique=False)
        batch_op.create_index('ix_lrs_statement_stored', ['stored', 'seq'], unique=False)

    op.create_table('lrs_statement_activity',
    sa.Column('activity_id', sa.Text(), nullable=False),
    sa.Column('stored', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('activity_id', 'stored', 'seq', name=op.f('pk_lrs_statement_activity'))
    )
    op.create_table('lrs_statement_term',
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('stored', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('term', 'stored', 'seq', name=op.f('pk_lrs_statement_term'))
    )
    op.create_table('lrs_statement_agent',
    sa.Column('agent_key', sa.Text(), nullable=False),
    sa.Column('stored', lms.db.TZDateTime(timezone=True), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('agent_key', 'stored', 'seq', name=op.f('pk_lrs_statement_agent'))
    )


def downgrade():
    op.drop_table('lrs_statement_agent')
    op.drop_table('lrs_statement_term')
    op.drop_table('lrs_statement_activity')
    with op.batch_alter_table('lrs_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_lrs_statement_stored')
        batch_op.drop_index('ix_lrs_statement_ref')
        batch_op.drop_index('ix_lrs_statement_authority')

    op.drop_table('lrs_statement')
    with op.batch_alter_table('lrs_forward_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_lrs_forward_outbox_due')

    op.drop_table('lrs_forward_outbox')
    with op.batch_alter_table('lrs_document', schema=None) as batch_op:
        batch_op.drop_index('ix_lrs_document_lookup')

    op.drop_table('lrs_document')
    op.drop_table('lrs_client')
    op.drop_table('lrs_attachment')
    op.drop_table('lrs_activity')
