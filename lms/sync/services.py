"""Field kit operations: identity, registration, bundles out and in, pending counts.

Operations take plain arguments and flush; callers (CLI, views, tests) commit. The import of a
bundle commits per chunk itself, so a large bundle never sits in one transaction and an
interrupted import resumes: chunks already applied are skipped by their markers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import utcnow
from lms.xapi.models import Statement
from lms.xapi.store import same_statement, save_statements

from . import bundle, crypto, records
from .bundle import BundleError, Chunk, Manifest
from .models import ROLES, Change, Conflict, Identity, Peer

IDENTITY_FORMAT = "unmic-field-kit-identity/1"
STATEMENTS_PER_CHUNK = 2000
RECORDS_PER_CHUNK = 1000
REQUEST_WINDOW_SECONDS = 300


class SyncError(Exception):
    """A field kit operation that cannot be done; the message says why and what to do."""


# --- identity and registration ----------------------------------------------------------------


def identity(session: Session) -> Identity | None:
    return session.scalars(select(Identity)).first()


def require_identity(session: Session) -> Identity:
    ident = identity(session)
    if ident is None:
        raise SyncError(
            "this instance has no field kit identity yet: run `flask kit init` on a kit, "
            "or `flask kit hq-identity FILE` at HQ"
        )
    return ident


def init_identity(session: Session, role: str, name: str) -> Identity:
    """Make this instance HQ or a field kit: a random id and an Ed25519 key pair (once)."""
    if role not in ROLES:
        raise SyncError(f"unknown role {role!r}")
    ident = identity(session)
    if ident is not None:
        if ident.role != role:
            raise SyncError(f"this instance is already set up as {ident.role} ({ident.id})")
        return ident
    private, public = crypto.new_key_pair()
    ident = Identity(role=role, name=name.strip() or role.upper(), private_key=private)
    ident.public_key = public
    session.add(ident)
    session.flush()
    records.seed_change_log(session)
    return ident


def identity_document(ident: Identity, contingents: list[str] | None = None) -> dict:
    """The public identity file: id, role, name, public key, signed by its own key."""
    body = {
        "format": IDENTITY_FORMAT,
        "id": str(ident.id),
        "role": ident.role,
        "name": ident.name,
        "public_key": ident.public_key,
        "contingents": sorted(contingents or []),
    }
    signed = json.dumps(body, sort_keys=True).encode("utf-8")
    return {**body, "signature": crypto.sign(ident.private_key, signed)}


def register_peer(
    session: Session, document: dict, registered_by: str, contingents: list[str] | None = None
) -> Peer:
    """Register another instance from its identity file (a kit at HQ, HQ at a kit)."""
    try:
        body = {k: document[k] for k in ("format", "id", "role", "name", "public_key")}
        body["contingents"] = list(document.get("contingents", []))
        signature = document["signature"]
        peer_id = uuid.UUID(body["id"])
    except (KeyError, TypeError, ValueError):
        raise SyncError("not a field kit identity file (fields missing)") from None
    if body["format"] != IDENTITY_FORMAT:
        raise SyncError(f"not a field kit identity file (format {body['format']!r})")
    signed = json.dumps(body, sort_keys=True).encode("utf-8")
    if not crypto.verify(body["public_key"], signature, signed):
        raise SyncError("the identity file is not signed by its own key (altered?)")
    mine = identity(session)
    if mine is None:
        if body["role"] != "kit":
            raise SyncError("run `flask kit init` before registering HQ at this kit")
        mine = init_identity(session, "hq", "HQ")
    if mine.id == peer_id:
        raise SyncError("this is this instance's own identity file")
    if mine.role == "hq" and body["role"] != "kit":
        raise SyncError("HQ registers field kits only")
    if mine.role == "kit" and body["role"] != "hq":
        raise SyncError("a field kit registers its HQ only")
    if mine.role == "kit":
        other = session.scalars(select(Peer).where(Peer.role == "hq", Peer.id != peer_id)).first()
        if other is not None:
            raise SyncError(f"this kit already belongs to HQ {other.id}")
    peer = session.get(Peer, peer_id)
    if peer is not None and peer.public_key != body["public_key"]:
        raise SyncError(
            f"{peer_id} is registered with another key; a kit that was set up again "
            "needs a new registration under its new id"
        )
    if peer is None:
        peer = Peer(id=peer_id, role=body["role"], public_key=body["public_key"])
        session.add(peer)
    peer.name = str(body["name"])[:120]
    peer.registered_by = registered_by
    if contingents is not None:
        peer.contingent_codes = sorted(contingents)
    elif body["contingents"] and not peer.contingent_codes:
        peer.contingent_codes = sorted(body["contingents"])
    peer.active = True
    session.flush()
    return peer


def the_peer(session: Session, peer_id: str | None = None) -> Peer:
    """The peer to exchange with: HQ at a kit; at HQ the kit named by ``peer_id``."""
    mine = require_identity(session)
    if peer_id:
        try:
            peer = session.get(Peer, uuid.UUID(str(peer_id)))
        except ValueError:
            peer = None
        if peer is None:
            raise SyncError(f"no registered instance {peer_id}")
        return peer
    if mine.role == "hq":
        raise SyncError("at HQ, name the kit (its id) to exchange with")
    peer = session.scalars(select(Peer).where(Peer.role == "hq")).first()
    if peer is None:
        raise SyncError("HQ is not registered at this kit: `flask kit register hq.json`")
    return peer


# --- pending and status -----------------------------------------------------------------------


def max_statement_seq(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(Statement.seq), 0))) or 0


def max_change_seq(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(Change.seq), 0))) or 0


@dataclass
class Pending:
    statements: int
    records: int

    @property
    def total(self) -> int:
        return self.statements + self.records


def pending(session: Session, mine: Identity, peer: Peer) -> Pending:
    """What ``peer`` has not yet acknowledged: statements and changed records."""
    statements = 0
    if mine.role == "kit":
        statements = session.scalar(
            select(func.count()).where(Statement.seq > peer.sent_statements)
        )
    changed = (
        select(Change.table_name, Change.record_id)
        .where(
            Change.seq > peer.sent_changes,
            Change.origin != str(peer.id),
            Change.table_name.in_(records.tables_to_send(mine.role)),
        )
        .distinct()
    )
    scope = records.scope_of(session, peer) if mine.role == "hq" else None
    if scope is None:
        count = session.scalar(select(func.count()).select_from(changed.subquery()))
    else:  # a kit serving some contingents is owed only their records
        count = sum(
            1
            for name, record_id in session.execute(changed)
            if name not in scope or record_id in scope[name]
        )
    return Pending(statements or 0, count or 0)


@dataclass
class PeerStatus:
    peer: Peer
    pending: Pending
    conflicts: int


def status(session: Session) -> tuple[Identity | None, list[PeerStatus]]:
    mine = identity(session)
    if mine is None:
        return None, []
    rows = []
    for peer in session.scalars(select(Peer).order_by(Peer.name)):
        conflicts = session.scalar(select(func.count()).where(Conflict.peer_id == str(peer.id)))
        rows.append(PeerStatus(peer, pending(session, mine, peer), conflicts or 0))
    return mine, rows


# --- outgoing -------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What one export covers: markers up to which we send, and our acknowledgement."""

    marks: dict
    ack: dict
    records: list = field(default_factory=list)


def plan(session: Session, mine: Identity, peer: Peer, *, full: bool = False) -> Plan:
    marks = {"statements": max_statement_seq(session), "changes": max_change_seq(session)}
    ack = {"statements": peer.received_statements, "changes": peer.received_changes}
    items = records.outgoing(session, peer, mine.role, marks["changes"], full=full)
    return Plan(marks, ack, items)


def chunks(
    session: Session, mine: Identity, peer: Peer, the_plan: Plan, *, full: bool = False
) -> Iterator[Chunk]:
    """The data of a plan, chunk by chunk: statements (kit -> HQ) in seq order, then records."""
    if mine.role == "kit":
        after = 0 if full else peer.sent_statements
        while after < the_plan.marks["statements"]:
            rows = session.execute(
                select(Statement.seq, Statement.raw)
                .where(Statement.seq > after, Statement.seq <= the_plan.marks["statements"])
                .order_by(Statement.seq)
                .limit(STATEMENTS_PER_CHUNK)
            ).all()
            if not rows:
                break
            body = "".join(f"{seq}\t{raw}\n" for seq, raw in rows).encode("utf-8")
            after = rows[-1][0]
            yield Chunk("statements", body, len(rows), after)
    items = the_plan.records
    for start in range(0, len(items), RECORDS_PER_CHUNK):
        lines = list(records.record_lines(session, items[start : start + RECORDS_PER_CHUNK]))
        if lines:
            body = "".join(
                json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines
            ).encode("utf-8")
            yield Chunk("records", body, len(lines), 0)


def export_bundle(
    session: Session,
    path,
    peer_id: str | None = None,
    *,
    full: bool = False,
    progress: Callable[[Chunk], None] | None = None,
) -> Manifest:
    """Write a signed bundle of everything ``peer`` has not acknowledged (safe to re-make)."""
    mine = require_identity(session)
    peer = the_peer(session, peer_id)
    the_plan = plan(session, mine, peer, full=full)
    manifest = Manifest(
        sender=str(mine.id),
        sender_role=mine.role,
        recipient=str(peer.id),
        created_at=utcnow().isoformat(),
        marks=the_plan.marks,
        ack=the_plan.ack,
    )
    return bundle.write(
        path,
        manifest,
        chunks(session, mine, peer, the_plan, full=full),
        lambda raw: crypto.sign(mine.private_key, raw),
        progress,
    )


# --- incoming ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    peer: str = ""
    statements_stored: int = 0
    statements_known: int = 0
    statements_conflicting: int = 0
    records: records.Applied = field(default_factory=records.Applied)
    chunks_skipped: int = 0

    def as_dict(self) -> dict:
        return {
            "peer": self.peer,
            "statements_stored": self.statements_stored,
            "statements_known": self.statements_known,
            "statements_conflicting": self.statements_conflicting,
            "records_applied": self.records.applied,
            "records_unchanged": self.records.unchanged,
            "records_conflicts": self.records.conflicts,
            "records_refused": self.records.refused,
            "chunks_skipped": self.chunks_skipped,
        }


def _sender(session: Session, mine: Identity, manifest: Manifest, signature: str, raw: bytes):
    try:
        peer = session.get(Peer, uuid.UUID(manifest.sender))
    except ValueError:
        peer = None
    if peer is None or not peer.active:
        raise BundleError(
            f"the bundle comes from {manifest.sender}, an instance not registered here; "
            "nothing was imported"
        )
    if not crypto.verify(peer.public_key, signature, raw):
        raise BundleError(
            f"the bundle signature does not match the key of {peer.name} ({peer.id}): "
            "altered or signed by someone else; nothing was imported"
        )
    if manifest.recipient != str(mine.id):
        raise BundleError(
            f"the bundle was made for {manifest.recipient}, not for this instance; "
            "nothing was imported"
        )
    return peer


def take_ack(peer: Peer, ack: dict) -> None:
    """The peer confirms our markers up to ``ack``: nothing before them is sent again."""
    peer.sent_statements = max(peer.sent_statements, int(ack.get("statements", 0)))
    peer.sent_changes = max(peer.sent_changes, int(ack.get("changes", 0)))


def _statements(body: bytes, after: int) -> Iterator[tuple[int, str]]:
    """The (seq, JSON text) lines of a statements chunk with a seq above ``after``."""
    for line in body.decode("utf-8").splitlines():
        if line:
            seq, _, raw = line.partition("\t")
            if int(seq) > after:
                yield int(seq), raw


def _save_incoming(session: Session, peer: Peer, batch: list[dict], result: ImportResult) -> None:
    """Statements keep their ids; one already here is skipped, a different one kept aside."""
    ids = [uuid.UUID(s["id"]) for s in batch]
    existing: dict[uuid.UUID, dict | str] = dict(
        session.execute(
            select(Statement.statement_id, Statement.raw).where(Statement.statement_id.in_(ids))
        ).all()
    )
    groups: dict[str, tuple[dict, list[dict]]] = {}
    for statement, statement_id in zip(batch, ids, strict=True):
        if statement_id in existing:
            known = existing[statement_id]
            if same_statement(statement, json.loads(known) if isinstance(known, str) else known):
                result.statements_known += 1
            else:
                result.statements_conflicting += 1
                session.add(
                    Conflict(
                        table_name="lrs_statement",
                        record_id=str(statement_id),
                        peer_id=str(peer.id),
                        winner="local",
                        reason="a different statement with this id is already stored",
                        lost_origin=str(peer.id),
                        lost_data=statement,
                    )
                )
            continue
        existing[statement_id] = dict(statement)  # the same id again later in the batch
        authority = statement.get("authority") or {}
        groups.setdefault(repr(authority), (authority, []))[1].append(statement)
    for authority, group in groups.values():
        save_statements(session, group, authority, prevalidated=True)
        result.statements_stored += len(group)


def apply_chunk(
    session: Session,
    mine: Identity,
    peer: Peer,
    kind: str,
    body: bytes,
    result: ImportResult,
) -> None:
    """Apply one chunk and advance the received marker; the caller commits."""
    if kind == "statements":
        if peer.role != "kit":
            raise BundleError("only a field kit sends statements")
        batch = []
        last = peer.received_statements
        for seq, raw in _statements(body, peer.received_statements):
            batch.append(json.loads(raw))
            last = max(last, seq)
        if not batch:
            result.chunks_skipped += 1
            return
        _save_incoming(session, peer, batch, result)
        peer.received_statements = last
    elif kind == "records":
        lines = [json.loads(line) for line in body.decode("utf-8").splitlines() if line]
        try:
            applied = records.apply_records(session, peer, str(mine.id), lines)
        except (KeyError, ValueError, TypeError) as exc:
            raise BundleError(f"a record in the bundle is malformed: {exc}") from None
        for name in ("applied", "unchanged", "conflicts", "refused"):
            setattr(result.records, name, getattr(result.records, name) + getattr(applied, name))
    else:
        raise BundleError(f"unknown chunk kind {kind!r}")
    session.flush()


def finish(session: Session, peer: Peer, marks: dict, how: str) -> None:
    """All chunks applied: we now hold the peer's data up to ``marks``."""
    peer.received_statements = max(peer.received_statements, int(marks.get("statements", 0)))
    peer.received_changes = max(peer.received_changes, int(marks.get("changes", 0)))
    peer.last_sync_at = utcnow()
    peer.last_sync_how = how
    session.flush()


def import_bundle(
    session: Session,
    path,
    *,
    progress: Callable[[dict], None] | None = None,
    how: str = "bundle",
) -> ImportResult:
    """Verify a bundle completely (signature, every chunk), then apply it chunk by chunk.

    Idempotent: statements already stored and records already equal change nothing. Each chunk
    is committed with the marker it advances, so an interrupted import resumes.
    """
    mine = require_identity(session)
    with bundle.Reader(path) as reader:
        manifest = reader.manifest
        peer = _sender(session, mine, manifest, reader.signature, reader.raw_manifest)
        reader.verify_chunks()
        result = ImportResult(peer=str(peer.id))
        take_ack(peer, manifest.ack)
        session.commit()
        for entry, body in reader.chunks():
            apply_chunk(session, mine, peer, entry["kind"], body, result)
            session.commit()
            if progress:
                progress(entry)
        finish(session, peer, manifest.marks, how)
        session.commit()
    return result


# --- online requests --------------------------------------------------------------------------


def request_message(timestamp: str, method: str, path: str, body: bytes) -> bytes:
    """What a kit signs for one request: time, method, path with query, body hash."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{timestamp}\n{method.upper()}\n{path}\n{digest}".encode()


def sign_request(mine: Identity, method: str, path: str, body: bytes) -> dict[str, str]:
    timestamp = f"{time.time():.6f}"
    return {
        "X-Kit-Id": str(mine.id),
        "X-Kit-Timestamp": timestamp,
        "X-Kit-Signature": crypto.sign(
            mine.private_key, request_message(timestamp, method, path, body)
        ),
    }


def authenticate(
    session: Session,
    headers,
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
) -> Peer:
    """The registered kit that signed this request; replays and stale requests are refused."""
    now = time.time() if now is None else now
    try:
        peer = session.get(Peer, uuid.UUID(headers.get("X-Kit-Id", "")))
        timestamp = headers.get("X-Kit-Timestamp", "")
        moment = float(timestamp)
    except ValueError:
        raise SyncError("missing or malformed X-Kit-Id / X-Kit-Timestamp headers") from None
    if peer is None or not peer.active or peer.role != "kit":
        raise SyncError("this kit is not registered here")
    if abs(now - moment) > REQUEST_WINDOW_SECONDS:
        raise SyncError("the request time is too far from the server clock (replay or clock skew)")
    if moment <= peer.last_request_at:
        raise SyncError("this request was already received (replay)")
    message = request_message(timestamp, method, path, body)
    if not crypto.verify(peer.public_key, headers.get("X-Kit-Signature", ""), message):
        raise SyncError("the request signature does not match the kit's key")
    peer.last_request_at = moment
    return peer


def receive_push(session: Session, peer: Peer, body: bytes) -> dict:
    """One pushed chunk: a JSON header line, then the chunk lines. Returns our acknowledgement."""
    mine = require_identity(session)
    head, _, data = body.partition(b"\n")
    try:
        header = json.loads(head)
        kind = header["kind"]
        expected = header["sha256"]
    except (ValueError, KeyError, TypeError):
        raise BundleError("the chunk header is unreadable") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise BundleError("the chunk does not match its checksum (cut off in transit?)")
    result = ImportResult(peer=str(peer.id))
    take_ack(peer, header.get("ack", {}))
    if data:
        apply_chunk(session, mine, peer, kind, data, result)
    if header.get("final"):
        finish(session, peer, header.get("marks", {}), "online")
    session.flush()
    return {
        "ack": {"statements": peer.received_statements, "changes": peer.received_changes},
        "result": result.as_dict(),
    }


def push_body(chunk: Chunk | None, marks: dict, ack: dict, final: bool) -> bytes:
    data = chunk.body if chunk else b""
    header = {
        "kind": chunk.kind if chunk else "records",
        "count": chunk.count if chunk else 0,
        "last": chunk.last if chunk else 0,
        "sha256": hashlib.sha256(data).hexdigest(),
        "marks": marks,
        "ack": ack,
        "final": final,
    }
    return json.dumps(header).encode("utf-8") + b"\n" + data


def naive_utc(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"
