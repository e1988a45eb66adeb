"""LRS index tables without a rowid on SQLite.

The agent, activity and term index tables are only ever read through their primary key. On
SQLite such a table is better stored as that key alone (WITHOUT ROWID): each index row is
written once instead of twice, which makes statement ingest faster and the file smaller.
PostgreSQL has no such option and is left as it is.

Revision ID: 9e3b7c2d5a10
Revises: 1412eae42e57
Create Date: 2026-11-21 08:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "9e3b7c2d5a10"
down_revision = "1412eae42e57"
branch_labels = None
depends_on = None

TABLES = (
    ("lrs_statement_agent", "agent_key", True),
    ("lrs_statement_activity", "activity_id", True),
    ("lrs_statement_term", "term", False),
)


def _rebuild(without_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, key, has_direct in TABLES:
        columns = [f"{key} TEXT NOT NULL", "stored DATETIME NOT NULL", "seq INTEGER NOT NULL"]
        names = [key, "stored", "seq"]
        if has_direct:
            columns.append("direct BOOLEAN NOT NULL")
            names.append("direct")
        option = " WITHOUT ROWID" if without_rowid else ""
        op.execute(
            f"CREATE TABLE _rebuilt_{table} ({', '.join(columns)}, "
            f"CONSTRAINT pk_{table} PRIMARY KEY ({key}, stored, seq)){option}"
        )
        listed = ", ".join(names)
        op.execute(f"INSERT INTO _rebuilt_{table} ({listed}) SELECT {listed} FROM {table}")
        op.execute(f"DROP TABLE {table}")
        op.execute(f"ALTER TABLE _rebuilt_{table} RENAME TO {table}")


def upgrade():
    _rebuild(without_rowid=True)


def downgrade():
    _rebuild(without_rowid=False)
