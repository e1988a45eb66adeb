"""Records that travel between HQ and field kits: the change log, serialisation and the merge rule.

Every flush of a synced record writes a row to ``sync_change`` (a per-instance, monotonic log).
A bundle carries the current version of each record changed after the peer's last
acknowledgement. On import a record is upserted by its UUID key.

The conflict rule: when the same record was changed on both sides since they last agreed, the
later change wins (the time of the change, i.e. the ``updated_at`` the change log recorded); on
an exact tie the version from the instance that sent it or holds it with the greater id wins.
The losing version is kept in ``sync_conflict`` (with its time and origin, never dropped) on the
side where the two versions meet first; the other side then simply takes the winner, because an
acknowledgement is taken before the records it comes with. A record the database refuses
(for example a duplicate service number under another key) is kept there too, as ``refused``.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Date, LargeBinary, Table, Uuid, event, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.db import TZDateTime, utcnow
from lms.extensions import db

from .models import Change, Conflict, Peer

# HQ -> kit: the catalogue, requirements, the organisation, rosters and the accounts of people.
DOWN_TABLES = (
    "country",
    "mission",
    "contingent",
    "subunit",
    "rotation",
    "person",
    "rotation_member",
    "cohort",
    "cohort_member",
    "user_account",
    "user_role",
    "user_scope",
    "course",
    "lesson_text",
    "readiness_requirement",
)
# Kit -> HQ: what happened at the kit (statements travel separately, from the LRS).
UP_TABLES = (
    "person",
    "rotation_member",
    "user_account",
    "user_role",
    "enrolment",
    "lesson_progress",
    "quiz_attempt",
    "certificate",
    "exercise_run",
    "exercise_run_member",
    "audit_entry",
)
SYNCED_TABLES = frozenset(DOWN_TABLES) | frozenset(UP_TABLES)


def tables_to_send(my_role: str) -> tuple[str, ...]:
    return DOWN_TABLES if my_role == "hq" else UP_TABLES


def table(name: str) -> Table:
    return db.metadata.tables[name]


def table_order() -> dict[str, int]:
    """Parents before children: the order records are applied in."""
    return {t.name: i for i, t in enumerate(db.metadata.sorted_tables)}


# --- the change log -----------------------------------------------------------------------------


def _record_changes(session: Session, flush_context) -> None:
    rows = []
    now = utcnow()
    for obj, op in (
        *((o, "upsert") for o in session.new),
        *((o, "upsert") for o in session.dirty if session.is_modified(o)),
        *((o, "delete") for o in session.deleted),
    ):
        name = getattr(getattr(obj, "__table__", None), "name", None)
        if name not in SYNCED_TABLES:
            continue
        changed_at = getattr(obj, "updated_at", None) if op == "upsert" else None
        rows.append(
            {
                "table_name": name,
                "record_id": str(obj.id),
                "op": op,
                "changed_at": changed_at or now,
                "origin": "",
            }
        )
    if rows:
        session.connection().execute(insert(Change.__table__), rows)


def _record_bulk_changes(state) -> None:
    """``session.execute(delete(Model).where(...))`` and bulk updates skip the flush: log the
    rows they touch (found before the statement runs) too."""
    if not (state.is_delete or state.is_update) or state.bind_mapper is None:
        return
    t = state.bind_mapper.local_table
    if t.name not in SYNCED_TABLES:
        return
    query = select(t.c.id)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    connection = state.session.connection()
    ids = [str(i) for i in connection.execute(query).scalars()]
    if ids:
        now = utcnow()
        op = "delete" if state.is_delete else "upsert"
        connection.execute(
            insert(Change.__table__),
            [{"table_name": t.name, "record_id": i, "op": op, "changed_at": now} for i in ids],
        )


def init_change_log() -> None:
    """Listen to every ORM flush and bulk statement (once per process)."""
    if not event.contains(Session, "after_flush", _record_changes):
        event.listen(Session, "after_flush", _record_changes)
    if not event.contains(Session, "do_orm_execute", _record_bulk_changes):
        event.listen(Session, "do_orm_execute", _record_bulk_changes)


def seed_change_log(session: Session) -> int:
    """Log every synced record that has no change row yet (records made before the log)."""
    added = 0
    now = utcnow()
    for name in sorted(SYNCED_TABLES, key=table_order().get):
        t = table(name)
        logged = select(Change.record_id).where(Change.table_name == name)
        ids = [
            str(i)
            for i in session.scalars(select(t.c.id).where(t.c.id.not_in(logged)).order_by(t.c.id))
        ]
        for start in range(0, len(ids), 1000):
            batch = ids[start : start + 1000]
            session.execute(
                insert(Change.__table__),
                [
                    {"table_name": name, "record_id": i, "op": "upsert", "changed_at": now}
                    for i in batch
                ],
            )
        added += len(ids)
    return added


# --- serialisation ------------------------------------------------------------------------------


def to_data(t: Table, row) -> dict:
    """A row as JSON-ready values (UUIDs and times as text, binary as base64)."""
    data = {}
    for column in t.columns:
        value = row[column.name]
        if value is None:
            data[column.name] = None
        elif isinstance(value, uuid.UUID):
            data[column.name] = str(value)
        elif isinstance(value, dt.datetime | dt.date):
            data[column.name] = value.isoformat()
        elif isinstance(value, bytes):
            data[column.name] = base64.b64encode(value).decode("ascii")
        else:
            data[column.name] = value
    return data


def from_data(t: Table, data: dict) -> dict:
    """Column values from :func:`to_data` output; unknown keys are an error."""
    unknown = set(data) - set(t.columns.keys())
    if unknown:
        raise ValueError(f"{t.name}: unknown columns {sorted(unknown)}")
    values = {}
    for column in t.columns:
        if column.name not in data:
            continue
        value = data[column.name]
        kind = column.type
        if value is None:
            values[column.name] = None
        elif isinstance(kind, Uuid):
            values[column.name] = uuid.UUID(value)
        elif isinstance(kind, TZDateTime):
            parsed = dt.datetime.fromisoformat(value)
            values[column.name] = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        elif isinstance(kind, Date):
            values[column.name] = dt.date.fromisoformat(value)
        elif isinstance(kind, LargeBinary):
            values[column.name] = base64.b64decode(value)
        else:
            values[column.name] = value
    return values


def _current(session: Session, t: Table, record_id: str):
    return session.execute(select(t).where(t.c.id == uuid.UUID(record_id))).mappings().first()


# --- export -------------------------------------------------------------------------------------


@dataclass
class Outgoing:
    table_name: str
    record_id: str
    seq: int
    op: str
    changed_at: dt.datetime


def scope_of(session: Session, peer: Peer) -> dict[str, set[str]] | None:
    """HQ -> a kit serving some contingents: the ids of the records that kit may hold."""
    if not peer.contingent_codes:
        return None
    from lms.auth.models import User, UserRole, UserScope
    from lms.org.models import (
        Cohort,
        CohortMember,
        Contingent,
        Rotation,
        RotationMember,
        SubUnit,
    )
    from lms.readiness.models import Requirement

    def ids(query) -> set:
        return set(session.scalars(query))

    contingents = ids(select(Contingent.id).where(Contingent.code.in_(peer.contingent_codes)))
    countries = ids(select(Contingent.country_id).where(Contingent.id.in_(contingents)))
    missions = ids(select(Contingent.mission_id).where(Contingent.id.in_(contingents)))
    rotations = ids(select(Rotation.id).where(Rotation.contingent_id.in_(contingents)))
    members = ids(select(RotationMember.id).where(RotationMember.rotation_id.in_(rotations)))
    people = ids(select(RotationMember.person_id).where(RotationMember.rotation_id.in_(rotations)))
    cohorts = ids(select(Cohort.id).where(Cohort.rotation_id.in_(rotations)))
    users = ids(select(User.id).where(User.person_id.in_(people))) | ids(
        select(UserScope.user_id).where(
            UserScope.contingent_id.in_(contingents) | UserScope.country_id.in_(countries)
        )
    )
    scope = {
        "country": countries,
        "mission": missions,
        "contingent": contingents,
        "subunit": ids(select(SubUnit.id).where(SubUnit.contingent_id.in_(contingents))),
        "rotation": rotations,
        "rotation_member": members,
        "person": people,
        "cohort": cohorts,
        "cohort_member": ids(select(CohortMember.id).where(CohortMember.cohort_id.in_(cohorts))),
        "user_account": users,
        "user_role": ids(select(UserRole.id).where(UserRole.user_id.in_(users))),
        "user_scope": ids(select(UserScope.id).where(UserScope.user_id.in_(users))),
        "readiness_requirement": ids(
            select(Requirement.id).where(Requirement.mission_id.in_(missions))
        ),
    }
    return {name: {str(i) for i in values} for name, values in scope.items()}


def outgoing(
    session: Session, peer: Peer, my_role: str, upto: int, *, full: bool = False
) -> list[Outgoing]:
    """The records to send to ``peer``: changed after its acknowledgement, parents first.

    Each record appears once (its latest change). A record whose parent the peer may lack
    brings the parent along (sending a record twice is harmless: the import is an upsert).
    """
    names = tables_to_send(my_role)
    since = 0 if full else peer.sent_changes
    latest = (
        select(func.max(Change.seq))
        .where(
            Change.seq > since,
            Change.seq <= upto,
            Change.origin != str(peer.id),
            Change.table_name.in_(names),
        )
        .group_by(Change.table_name, Change.record_id)
    )
    rows = session.execute(
        select(Change.table_name, Change.record_id, Change.seq, Change.op, Change.changed_at).where(
            Change.seq.in_(latest)
        )
    ).all()
    scope = scope_of(session, peer) if my_role == "hq" else None
    picked: dict[tuple[str, str], Outgoing] = {}
    for name, record_id, seq, op, changed_at in rows:
        if scope is not None and name in scope and record_id not in scope[name]:
            continue
        picked[(name, record_id)] = Outgoing(name, record_id, seq, op, changed_at)
    _add_parents(session, picked, set(names), upto)
    # Deletes first (children before parents), so a replaced row (same unique key, new id)
    # never clashes with the old one; then upserts, parents before children.
    order = table_order()
    deletes = sorted(
        (o for o in picked.values() if o.op == "delete"),
        key=lambda o: (-order[o.table_name], o.seq),
    )
    upserts = sorted(
        (o for o in picked.values() if o.op == "upsert"),
        key=lambda o: (order[o.table_name], o.seq),
    )
    return deletes + upserts


def _add_parents(
    session: Session, picked: dict[tuple[str, str], Outgoing], names: set[str], upto: int
) -> None:
    pending = [o for o in picked.values() if o.op == "upsert"]
    for _round in range(8):  # parent chains are short (person <- member <- rotation ...)
        wanted: set[tuple[str, str]] = set()
        by_table: dict[str, list[str]] = {}
        for o in pending:
            by_table.setdefault(o.table_name, []).append(o.record_id)
        for name, record_ids in by_table.items():
            t = table(name)
            fks = [
                (fk.parent.name, fk.column.table.name)
                for fk in t.foreign_keys
                if fk.column.table.name in names
            ]
            if not fks:
                continue
            for start in range(0, len(record_ids), 500):
                batch = [uuid.UUID(i) for i in record_ids[start : start + 500]]
                cols = [t.c[c] for c, _ in fks]
                for values in session.execute(select(*cols).where(t.c.id.in_(batch))):
                    for (_, parent_table), value in zip(fks, values, strict=True):
                        key = (parent_table, str(value)) if value is not None else None
                        if key and key not in picked and key[1] != "None":
                            wanted.add(key)
        if not wanted:
            return
        pending = []
        for name, record_id in sorted(wanted):
            change = session.execute(
                select(Change.seq, Change.changed_at)
                .where(Change.table_name == name, Change.record_id == record_id)
                .order_by(Change.seq.desc())
                .limit(1)
            ).first()
            seq, changed_at = change if change else (0, utcnow())
            item = Outgoing(name, record_id, min(seq, upto), "upsert", changed_at)
            picked[(name, record_id)] = item
            pending.append(item)


def record_lines(session: Session, items: Iterable[Outgoing]) -> Iterator[dict]:
    """The records as bundle lines: the current row, or a delete."""
    for item in items:
        line = {
            "table": item.table_name,
            "id": item.record_id,
            "op": item.op,
            "changed_at": item.changed_at.isoformat(),
        }
        if item.op == "upsert":
            row = _current(session, table(item.table_name), item.record_id)
            if row is None:  # deleted since; its delete change follows in a later export
                continue
            line["data"] = to_data(table(item.table_name), row)
        yield line


# --- import -------------------------------------------------------------------------------------


@dataclass
class Applied:
    applied: int = 0
    unchanged: int = 0
    conflicts: int = 0
    refused: int = 0


def _pending_local(session: Session, peer: Peer, name: str, record_id: str):
    """The latest change of this record here that the peer has not yet acknowledged."""
    return session.execute(
        select(Change.changed_at, Change.origin)
        .where(
            Change.table_name == name,
            Change.record_id == record_id,
            Change.seq > peer.sent_changes,
            Change.origin != str(peer.id),
        )
        .order_by(Change.seq.desc())
        .limit(1)
    ).first()


def _keep(session, peer, line, winner, reason, lost_origin, lost_changed_at, lost_data) -> None:
    session.add(
        Conflict(
            table_name=line["table"],
            record_id=line["id"],
            peer_id=str(peer.id),
            winner=winner,
            reason=reason,
            lost_origin=lost_origin,
            lost_changed_at=lost_changed_at,
            lost_data=lost_data,
        )
    )


def apply_records(session: Session, peer: Peer, my_id: str, lines: Iterable[dict]) -> Applied:
    """Upsert or delete each record by key, following the conflict rule; log the change."""
    result = Applied()
    allowed = set(tables_to_send(peer.role))
    for line in lines:
        name, record_id, op = line["table"], line["id"], line["op"]
        if name not in allowed or op not in ("upsert", "delete"):
            raise ValueError(f"a {peer.role} may not send {op} of {name} records")
        t = table(name)
        changed_at = dt.datetime.fromisoformat(line["changed_at"])
        local = _current(session, t, record_id)
        local_data = to_data(t, local) if local is not None else None
        if op == "upsert" and local_data == line["data"]:
            result.unchanged += 1
            continue
        if op == "delete" and local is None:
            result.unchanged += 1
            continue
        pending = _pending_local(session, peer, name, record_id)
        if pending is not None and local is not None:
            local_key = (pending.changed_at, pending.origin or my_id)
            incoming_key = (changed_at, str(peer.id))
            result.conflicts += 1
            if incoming_key <= local_key:
                _keep(
                    session,
                    peer,
                    line,
                    "local",
                    "changed on both sides; the later change here wins",
                    str(peer.id),
                    changed_at,
                    line.get("data"),
                )
                continue
            _keep(
                session,
                peer,
                line,
                "incoming",
                "changed on both sides; the later incoming change wins",
                pending.origin or my_id,
                pending.changed_at,
                local_data,
            )
        try:
            with session.begin_nested():
                if op == "delete":
                    session.execute(t.delete().where(t.c.id == uuid.UUID(record_id)))
                elif local is None:
                    session.execute(t.insert().values(**from_data(t, line["data"])))
                else:
                    values = from_data(t, line["data"])
                    values.pop("id", None)
                    session.execute(t.update().where(t.c.id == uuid.UUID(record_id)).values(values))
        except IntegrityError as exc:
            result.refused += 1
            _keep(
                session,
                peer,
                line,
                "refused",
                f"the database refused it: {exc.orig}",
                str(peer.id),
                changed_at,
                line.get("data"),
            )
            continue
        session.execute(
            insert(Change.__table__).values(
                table_name=name,
                record_id=record_id,
                op=op,
                changed_at=changed_at,
                origin=str(peer.id),
            )
        )
        result.applied += 1
    session.flush()
    return result
