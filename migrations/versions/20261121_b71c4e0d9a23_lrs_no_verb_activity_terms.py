"""LRS: no separate index term for verb + activity.

A query with a verb and another filter (activity, agent or registration) now reads the
statements that other filter finds and checks the verb on each of them. The combined
"va:<verb> <activity>" terms are no longer written or read; this removes the ones stored. Every
stored statement loses one index row, and ingest writes one row less per statement.

Revision ID: b71c4e0d9a23
Revises: 9e3b7c2d5a10
Create Date: 2026-11-21 10:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b71c4e0d9a23"
down_revision = "9e3b7c2d5a10"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM lrs_statement_term WHERE term LIKE 'va:%'")


def downgrade():
    # The statements' own verb + activity, and those a statement reference inherits from its
    # target (one level, as the earlier code wrote them for references).
    op.execute(
        "INSERT INTO lrs_statement_term (term, stored, seq) "
        "SELECT 'va:' || verb_id || ' ' || activity_id, stored, seq FROM lrs_statement "
        "WHERE activity_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO lrs_statement_term (term, stored, seq) "
        "SELECT 'va:' || t.verb_id || ' ' || t.activity_id, r.stored, r.seq "
        "FROM lrs_statement r JOIN lrs_statement t ON t.statement_id = r.ref_id "
        "WHERE t.activity_id IS NOT NULL"
    )
