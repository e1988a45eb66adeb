"""Tables of the Learning Record Store.

Each statement is kept as received (``raw``, the JSON text returned in the "exact" format) plus
indexed columns for every query parameter of the Statement resource. Agents and activities a
statement mentions go to two small index tables, so ``agent``, ``activity`` and the ``related_*``
queries are index range scans in ``stored`` order, whatever the size of the store. On SQLite
the index tables are stored as their primary key alone (WITHOUT ROWID). The index
tables carry no foreign key (one less lookup per row on the hot path); code that deletes
statements deletes their index rows with them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class Statement(Base):
    __tablename__ = "lrs_statement"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    stored: Mapped[datetime]
    timestamp: Mapped[datetime]
    actor_key: Mapped[str] = mapped_column(Text)
    verb_id: Mapped[str] = mapped_column(Text)
    activity_id: Mapped[str | None] = mapped_column(Text)
    registration: Mapped[uuid.UUID | None]
    # The statement this one references (StatementRef object), voiding or not.
    ref_id: Mapped[uuid.UUID | None]
    voiding: Mapped[bool] = mapped_column(Boolean, default=False)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    authority_key: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(16))
    has_attachments: Mapped[bool] = mapped_column(Boolean, default=False)
    raw: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_lrs_statement_stored", "stored", "seq"),
        Index("ix_lrs_statement_authority", "authority_key", "stored", "seq"),
        Index("ix_lrs_statement_ref", "ref_id"),
    )


class StatementAgent(Base):
    """An agent a statement mentions; ``direct`` when it is the actor or the object.

    The primary key is also the query index: a range scan per agent in ``stored`` order.
    """

    __tablename__ = "lrs_statement_agent"

    agent_key: Mapped[str] = mapped_column(Text, primary_key=True)
    stored: Mapped[datetime] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    direct: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = {"sqlite_with_rowid": False}


class StatementActivity(Base):
    """An activity a statement mentions; ``direct`` when it is the statement's object."""

    __tablename__ = "lrs_statement_activity"

    activity_id: Mapped[str] = mapped_column(Text, primary_key=True)
    stored: Mapped[datetime] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    direct: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = {"sqlite_with_rowid": False}


class StatementTerm(Base):
    """A verb ("verb:<iri>") or registration ("reg:<uuid>") a statement matches.

    Besides the statement's own verb and registration, a statement whose object is a
    StatementRef (voiding or not) also carries those of its target, so the ``verb`` and
    ``registration`` filters return statements that refer to matching statements
    (Communication 2.1.3).
    """

    __tablename__ = "lrs_statement_term"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    stored: Mapped[datetime] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)

    __table_args__ = {"sqlite_with_rowid": False}


class Attachment(Base):
    """Attachment content, stored once per SHA-2 hash."""

    __tablename__ = "lrs_attachment"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Activity(Base):
    """The canonical definition of an activity, merged from the statements that define it."""

    __tablename__ = "lrs_activity"

    activity_id: Mapped[str] = mapped_column(Text, primary_key=True)
    definition: Mapped[str] = mapped_column(Text, default="{}")
    updated: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """A state, activity profile or agent profile document.

    Unused key parts are empty strings (not NULL) so the unique constraint holds on every backend.
    """

    __tablename__ = "lrs_document"

    id: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    activity_id: Mapped[str] = mapped_column(Text, default="")
    agent_key: Mapped[str] = mapped_column(Text, default="")
    registration: Mapped[str] = mapped_column(String(36), default="")
    doc_id: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    updated: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("kind", "activity_id", "agent_key", "registration", "doc_id"),
        Index("ix_lrs_document_lookup", "kind", "activity_id", "agent_key", "updated"),
    )


class Client(Base):
    """Credentials of an LRS client (HTTP Basic key and secret) with its scopes."""

    __tablename__ = "lrs_client"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    scopes: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(120))
    revoked_at: Mapped[datetime | None]

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ForwardOutbox(Base):
    """A statement waiting to be copied to the external LRS (durable, retried with back-off)."""

    __tablename__ = "lrs_forward_outbox"

    id: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    statement_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_lrs_forward_outbox_due", "sent_at", "next_attempt_at"),)
