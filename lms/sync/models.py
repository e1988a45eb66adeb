"""Tables of the field kit exchange: identity, peers, the change log and kept conflict losers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import utcnow
from lms.extensions import db

SeqType = BigInteger().with_variant(Integer(), "sqlite")

ROLES = ("hq", "kit")


class Identity(db.Model):
    """This instance: its id, whether it is HQ or a field kit, and its Ed25519 key pair."""

    __tablename__ = "sync_identity"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    role: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120))
    private_key: Mapped[str] = mapped_column(Text)  # PEM, PKCS#8
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, base64
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Peer(db.Model):
    """Another instance this one exchanges with (HQ knows its kits, a kit knows HQ).

    Watermarks: ``sent_*`` is the highest marker of ours the peer confirmed; ``received_*`` the
    highest marker of the peer's that we have applied (what we acknowledge to it).
    """

    __tablename__ = "sync_peer"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120))
    public_key: Mapped[str] = mapped_column(String(64))
    contingent_codes: Mapped[list] = mapped_column(JSON, default=list)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_by: Mapped[str] = mapped_column(String(120), default="")
    last_sync_at: Mapped[datetime | None]
    last_sync_how: Mapped[str] = mapped_column(String(16), default="")
    last_request_at: Mapped[float] = mapped_column(default=0.0)
    sent_statements: Mapped[int] = mapped_column(SeqType, default=0)
    sent_changes: Mapped[int] = mapped_column(SeqType, default=0)
    received_statements: Mapped[int] = mapped_column(SeqType, default=0)
    received_changes: Mapped[int] = mapped_column(SeqType, default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Change(db.Model):
    """One change of a synced record on this instance (written on flush), in a monotonic order.

    ``origin`` is empty for a change made here, else the peer the change came from (so it is
    never sent back there).
    """

    __tablename__ = "sync_change"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    origin: Mapped[str] = mapped_column(String(36), default="")

    __table_args__ = (Index("ix_sync_change_record", "table_name", "record_id", "seq"),)


class Conflict(db.Model):
    """The losing version of a record edited on both sides (or refused on import), kept."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(36))
    peer_id: Mapped[str] = mapped_column(String(36))
    winner: Mapped[str] = mapped_column(String(16))  # local | incoming | refused
    reason: Mapped[str] = mapped_column(Text, default="")
    lost_origin: Mapped[str] = mapped_column(String(36), default="")
    lost_changed_at: Mapped[datetime | None]
    lost_data: Mapped[dict | None] = mapped_column(JSON)
