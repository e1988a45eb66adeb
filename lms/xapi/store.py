"""Writing statements: validation, LRS-assigned properties, conflicts, voiding, index rows.

The one narrow interface the rest of the platform calls is :func:`save_statements`. It takes
plain arguments and flushes; the caller commits (one commit per request).

Shared rows are never updated inside the statement transaction: index rows and activities are
inserted with ON CONFLICT DO NOTHING, so two concurrent writers cannot deadlock on them; merged
activity definitions are written afterwards by :func:`refresh_activity_definitions`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from lms.db import sqlite_write_gate

from . import formats, iris, keys
from .errors import BadRequest, Conflict
from .models import (
    Activity,
    Attachment,
    ForwardOutbox,
    Statement,
)
from .validation import (
    VERSION_1,
    assign_authority,
    assign_id,
    assign_stored,
    assign_timestamp,
    assign_version,
    normalise_context_activities,
    validate_statements,
)

# Properties the LRS may add or replace; a re-sent statement is "the same" without them.
_LRS_PROPERTIES = ("stored", "authority", "version", "timestamp", "id")


def dumps(value: object) -> str:
    """Compact JSON, keeping the client's key order and non-ASCII text as it came."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_INSERTS: dict[tuple[str, str], object] = {}


def insert_ignore(session: Session, model):
    """An INSERT ... ON CONFLICT DO NOTHING for the session's database (built once)."""
    dialect = session.get_bind().dialect.name
    key = (dialect, model.__tablename__)
    if key not in _INSERTS:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        _INSERTS[key] = insert(model.__table__).on_conflict_do_nothing()
    return _INSERTS[key]


_T = Statement.__table__
_RAW_BY_ID = select(_T.c.raw).where(_T.c.statement_id == bindparam("id"))


def same_statement(received: dict, stored: dict) -> bool:
    """Data 2.4.1 / Communication 2.1: is a re-sent statement the one already stored?

    Timestamps compare as instants and durations to 0.01 s (Data 4.5, 4.6)."""
    received = formats.with_comparable_durations(received)
    stored = formats.with_comparable_durations(stored)
    for key, value in received.items():
        if key in ("stored", "authority"):
            continue
        if key == "id":
            if str(value).lower() != str(stored.get("id", "")).lower():
                return False
            continue
        if key == "timestamp":
            a = formats.parse_timestamp(value)
            b = formats.parse_timestamp(stored.get(key))
            if a != b:
                return False
            continue
        if stored.get(key) != value:
            return False
    return all(key in received or key in _LRS_PROPERTIES for key in stored)


_STATEMENT_COLUMNS = (
    "statement_id",
    "stored",
    "timestamp",
    "actor_key",
    "verb_id",
    "activity_id",
    "registration",
    "ref_id",
    "voiding",
    "voided",
    "authority_key",
    "version",
    "has_attachments",
    "raw",
)
_INDEX_COLUMNS = {
    "lrs_statement_agent": ("agent_key", "stored", "seq", "direct"),
    "lrs_statement_activity": ("activity_id", "stored", "seq", "direct"),
    "lrs_statement_term": ("term", "stored", "seq"),
}
# PostgreSQL: one statement per batch (see _Writer._store_in_one), its text built once from the
# column lists above. Parameters: one array per statement column, then for each index table its
# stored time and (statement id, key[, direct]) arrays, then the statement ids again for the
# referring statements.
_PG_ARRAY_TYPES = {
    "statement_id": "uuid",
    "stored": "timestamptz",
    "timestamp": "timestamptz",
    "registration": "uuid",
    "ref_id": "uuid",
    "voiding": "boolean",
    "voided": "boolean",
    "has_attachments": "boolean",
}


def _pg_store_sql() -> str:
    # Table and column names are this module's constants; values are always bound.
    names = ", ".join(_STATEMENT_COLUMNS)
    arrays = ", ".join(f"%b::{_PG_ARRAY_TYPES.get(c, 'text')}[]" for c in _STATEMENT_COLUMNS)
    parts = [
        f"new AS (INSERT INTO lrs_statement ({names}) SELECT {names} "  # noqa: S608
        f"FROM unnest({arrays}) WITH ORDINALITY AS v({names}, n) "
        "ORDER BY n ON CONFLICT DO NOTHING RETURNING statement_id, seq)"
    ]
    for name, (table, columns) in zip("abc", _INDEX_COLUMNS.items(), strict=True):
        direct = "direct" in columns
        parts.append(
            f"{name} AS (INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT v.k, %s::timestamptz, new.seq{', v.d' if direct else ''} "
            f"FROM unnest(%b::uuid[], %b::text[]{', %b::boolean[]' if direct else ''}) "
            f"AS v(id, k{', d' if direct else ''}) "
            "JOIN new ON new.statement_id = v.id ON CONFLICT DO NOTHING)"
        )
    return (
        "WITH " + ", ".join(parts) + " "  # noqa: S608
        "SELECT 'new', statement_id, seq, NULL::timestamptz, NULL::boolean FROM new "
        "UNION ALL SELECT 'ref', ref_id, seq, stored, voiding FROM lrs_statement "
        "WHERE ref_id = ANY(%b::uuid[])"
    )


_PG_STORE = _pg_store_sql()
# Rows per multi-row INSERT and per IN list: SQLite's statement rows, and the rows _Writer.insert
# writes on either database (SQLite allows 32,766 bound values a statement, PostgreSQL 65,535).
_CHUNK = 500


class _Writer:
    """Bulk inserts on the driver's own cursor, inside the session's transaction.

    The statement transaction is the LRS's hot path: rows are converted once with SQLAlchemy's
    own bind processors for the dialect (so they are stored exactly as the ORM stores them) and
    sent as multi-row INSERTs, without per-row work in the SQL layer. On SQLite the database is
    locked from the first INSERT to the commit, so every row is prepared before it.
    """

    _cache: dict[str, _Writer] = {}

    def __init__(self, dialect) -> None:
        self.name = dialect.name
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        table = Statement.__table__

        def processor(column):
            process = column.type._cached_bind_processor(dialect)
            return process or (lambda value: value)

        self.uuid = processor(table.c.statement_id)
        self.time = processor(table.c.stored)
        self.boolean = processor(table.c.voiding)

    @classmethod
    def of(cls, session: Session) -> _Writer:
        dialect = session.get_bind().dialect
        writer = cls._cache.get(dialect.name)
        if writer is None:
            writer = cls._cache[dialect.name] = cls(dialect)
        return writer

    def _values(self, width: int, count: int) -> str:
        row = "(" + ", ".join([self.mark] * width) + ")"
        return ", ".join([row] * count)

    def insert(
        self, cursor, table: str, columns: tuple[str, ...], rows: list[tuple], returning=""
    ) -> list[tuple]:
        """INSERT ... ON CONFLICT DO NOTHING [RETURNING ...]; the returned rows."""
        found: list[tuple] = []
        if not rows:
            return found
        # Table and column names are this module's constants; values are always bound.
        # SQLite: OR IGNORE skips a row whose key is taken, as ON CONFLICT DO NOTHING does, and
        # leaves no constraint that could abort the INSERT half-way, so SQLite keeps no
        # statement journal for it (a copy of every page a multi-row INSERT changes, which
        # spills to a temporary file beyond 64 KB).
        if self.name == "sqlite":
            head, tail = f"INSERT OR IGNORE INTO {table} ", ""  # noqa: S608
        else:
            head, tail = f"INSERT INTO {table} ", " ON CONFLICT DO NOTHING"  # noqa: S608
        head += f"({', '.join(columns)}) VALUES "
        tail += f" RETURNING {returning}" if returning else ""
        if self.name == "sqlite" and not returning:
            cursor.executemany(head + self._values(len(columns), 1) + tail, rows)
            return found
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            flat = [value for row in chunk for value in row]
            cursor.execute(head + self._values(len(columns), len(chunk)) + tail, flat)
            if returning:
                found.extend(cursor.fetchall())
        return found

    def statement_row(self, statement: dict, stored) -> tuple:
        obj = statement["object"]
        object_type = obj.get("objectType", "Activity")
        context = statement.get("context") or {}
        registration = context.get("registration")
        voiding = statement["verb"]["id"] == iris.VOIDED
        timestamp = formats.parse_timestamp(statement["timestamp"])
        return (
            self.uuid(uuid.UUID(statement["id"])),
            stored,
            self.time(timestamp) if timestamp is not None else stored,
            keys.agent_key(statement["actor"]) or "",
            statement["verb"]["id"],
            obj["id"] if object_type == "Activity" else None,
            self.uuid(uuid.UUID(registration)) if isinstance(registration, str) else None,
            self.uuid(uuid.UUID(obj["id"])) if object_type == "StatementRef" else None,
            self.boolean(voiding),
            self.boolean(False),
            keys.agent_key(statement["authority"]) or "",
            statement["version"],
            self.boolean(bool(statement.get("attachments"))),
            dumps(statement),
        )

    def store(
        self, cursor, rows: list[tuple], matches: list[_Matches], stored
    ) -> tuple[dict, list[tuple]]:
        """Insert statement rows and their index rows.

        Returns {bound statement id: seq} of the new statements and the statements that refer
        to any of them (on PostgreSQL in the same round trip).
        """
        if self.name == "postgresql":
            return self._store_in_one(cursor, rows, matches, stored)
        inserted = dict(
            self.insert(
                cursor, "lrs_statement", _STATEMENT_COLUMNS, rows, returning="statement_id, seq"
            )
        )
        items = [
            (inserted[row[0]], stored, match)
            for row, match in zip(rows, matches, strict=True)
            if row[0] in inserted
        ]
        if items:
            self.write_index_rows(cursor, self.index_rows(items))
        return inserted, self._referring(cursor, [row[0] for row in rows])

    def _referring(self, cursor, ids: list) -> list[tuple]:
        """SQLite: statements that refer to any of the given (bound) ids, typed as the ORM
        returns them: (seq, stored, ref_id, voiding)."""
        found = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join([self.mark] * len(chunk))
            cursor.execute(
                "SELECT seq, stored, ref_id, voiding FROM lrs_statement "  # noqa: S608
                f"WHERE ref_id IN ({marks})",
                chunk,
            )
            for seq, stored, ref_id, voiding in cursor.fetchall():
                at = dt.datetime.fromisoformat(stored)
                found.append((seq, at.replace(tzinfo=dt.UTC), uuid.UUID(ref_id), bool(voiding)))
        return found

    def _store_in_one(
        self, cursor, rows: list[tuple], matches: list[_Matches], stored
    ) -> tuple[dict, list[tuple]]:
        """PostgreSQL: the statements, their index rows and the earlier statements that refer
        to them, in one round trip.

        Values travel as one array per column (``unnest``), so the SQL text is the same for
        every batch: the driver converts it once and the server keeps it prepared. The index
        rows join the RETURNING of the statement INSERT on the statement id, so a statement
        that was already stored gets no second set of index rows. The SELECT of referring
        statements sees the table as it was before this statement (as PostgreSQL runs every
        part of a WITH on the same snapshot).
        """
        columns = [list(column) for column in zip(*rows, strict=True)]
        entries = self.index_entries(
            [(row[0], match) for row, match in zip(rows, matches, strict=True)]
        )
        params: list = [*columns]
        for table, found in entries.items():
            width = len(_INDEX_COLUMNS[table]) - 1  # statement id, key[, direct]
            params.append(stored)
            if found:
                params.extend(list(column) for column in zip(*found, strict=True))
            else:
                params.extend([] for _ in range(width))
        params.append(columns[0])
        cursor.execute(_PG_STORE, params, prepare=True)
        inserted, referring = {}, []
        for kind, statement_id, seq, at, voiding in cursor.fetchall():
            if kind == "new":
                inserted[statement_id] = seq
            else:
                referring.append((seq, at, statement_id, voiding))
        return inserted, referring

    def index_entries(self, items: list[tuple[object, _Matches]]) -> dict[str, list[tuple]]:
        """(owner, key[, direct as bound]) per index table, for (owner, matches) items."""
        yes, no = self.boolean(True), self.boolean(False)
        agents, activities, terms = [], [], []
        for owner, matches in items:
            for key, direct in matches.agents.items():
                agents.append((owner, key, yes if direct else no))
            for activity_id, direct in matches.activities.items():
                activities.append((owner, activity_id, yes if direct else no))
            for term in matches.terms:
                terms.append((owner, term))
        return {
            "lrs_statement_agent": agents,
            "lrs_statement_activity": activities,
            "lrs_statement_term": terms,
        }

    def index_rows(self, items: list[tuple[int, object, _Matches]]) -> dict[str, list[tuple]]:
        """Rows in column order (key, stored, seq[, direct]) for (seq, bound stored, matches)."""
        tables = self.index_entries([((seq, stored), matches) for seq, stored, matches in items])
        return {
            table: [(key, owner[1], owner[0], *rest) for owner, key, *rest in entries]
            for table, entries in tables.items()
        }

    def write_index_rows(self, cursor, tables: dict[str, list[tuple]]) -> None:
        for table, rows in tables.items():
            self.insert(cursor, table, _INDEX_COLUMNS[table], rows)


def forwarding_enabled() -> bool:
    """True when the app is configured to copy statements to an external LRS."""
    try:
        from flask import current_app

        return bool(current_app.config.get("LRS_FORWARD_URL"))
    except RuntimeError:
        return False


def save_statements(
    session: Session,
    statements: list[dict],
    authority: dict,
    version: str = VERSION_1,
    *,
    now: dt.datetime | None = None,
    forward: bool | None = None,
    prevalidated: bool = False,
) -> list[str]:
    """Validate, complete and store statements; return their ids in order.

    Raises XAPIValidationError (400) for an invalid statement, BadRequest when a voiding statement
    targets a voiding statement, and Conflict (409) when an id is taken by a different statement.
    A statement identical to one already stored is accepted and not stored again.
    ``prevalidated`` skips the validation the caller has just done on the same list.
    """
    if not prevalidated:
        validate_statements(statements, version)
    now = now or dt.datetime.now(dt.UTC)
    # Keep millisecond precision, the precision the stored property is returned with.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    added: list[tuple[str, ...]] = []
    for statement in statements:
        added.append(tuple(k for k in ("id", "timestamp", "version") if k not in statement))
        assign_id(statement)
        assign_stored(statement, now)
        assign_timestamp(statement, version)
        assign_authority(statement, authority)
        assign_version(statement, version)
        normalise_context_activities(statement)
    _check_voiding_targets(session, statements)

    # Everything the transaction writes is prepared before its first INSERT.
    writer = _Writer.of(session)
    stored = writer.time(now)
    rows = [writer.statement_row(s, stored) for s in statements]
    matches = [_Matches.of(s) for s in statements]
    sqlite_write_gate(session)
    cursor = session.connection().connection.cursor()
    try:
        # In the order received: statements of one batch share their stored time and keep
        # their order by seq. Ids already taken come back missing from RETURNING and are
        # compared. (Two writers inserting the same ids in opposite orders can deadlock on
        # PostgreSQL; the HTTP API retries such a transaction.)
        inserted, referring = writer.store(cursor, rows, matches, stored)
    finally:
        cursor.close()
    new_positions = [i for i, row in enumerate(rows) if row[0] in inserted]
    if len(new_positions) < len(rows):
        _compare_taken(session, statements, added, rows, inserted)
    stored_new = [statements[i] for i in new_positions]
    if stored_new:
        seqs = {
            uuid.UUID(s["id"]): inserted[rows[i][0]]
            for s, i in zip(stored_new, new_positions, strict=True)
        }
        _link_references(session, stored_new, seqs, now, referring)
        _insert_new_activities(session, stored_new)
    if forward is None:
        forward = forwarding_enabled()
    if forward and stored_new:
        session.add_all(
            [
                ForwardOutbox(statement_id=uuid.UUID(s["id"]), created_at=now, next_attempt_at=now)
                for s in stored_new
            ]
        )
    session.flush()
    return [s["id"] for s in statements]


def _compare_taken(
    session: Session,
    statements: list[dict],
    added: list[tuple[str, ...]],
    rows: list[tuple],
    inserted: dict,
) -> None:
    """Statements whose id was taken: the same statement again is a no-op, another one a 409."""
    taken = {
        uuid.UUID(statement["id"]): (statement, extra)
        for statement, extra, row in zip(statements, added, rows, strict=True)
        if row[0] not in inserted
    }
    existing = dict(
        session.execute(
            select(Statement.statement_id, Statement.raw).where(
                Statement.statement_id.in_(list(taken))
            )
        ).all()
    )
    for statement_id, (statement, extra) in taken.items():
        received = {k: v for k, v in statement.items() if k not in extra}
        if not same_statement(received, json.loads(existing[statement_id])):
            raise Conflict(
                f"statement {statement_id}: a different statement with this id is already stored"
            )


def _check_voiding_targets(session: Session, new: list[dict]) -> None:
    """Data 2.3.2: a voiding statement cannot target another voiding statement."""
    targets = {uuid.UUID(s["object"]["id"]) for s in new if s["verb"]["id"] == iris.VOIDED}
    if not targets:
        return
    batch_voiding = {uuid.UUID(s["id"]) for s in new if s["verb"]["id"] == iris.VOIDED}
    stored_voiding = set(
        session.scalars(
            select(Statement.statement_id).where(
                Statement.statement_id.in_(targets), Statement.voiding.is_(True)
            )
        )
    )
    for target in sorted(targets & (batch_voiding | stored_voiding)):
        raise BadRequest(
            f"statement.object.id: statement {target} is a voiding statement and cannot be voided "
            "(Data 2.3.2)"
        )


def _terms(statement: dict) -> list[str]:
    """Index terms: the verb and the registration. (A verb combined with another filter is
    checked on the statements that filter finds; see query.build_select.)"""
    terms = ["verb:" + statement["verb"]["id"]]
    registration = (statement.get("context") or {}).get("registration")
    if registration:
        terms.append("reg:" + registration.lower())
    return terms


@dataclass
class _Matches:
    """What a statement matches in the index tables (its own, or inherited from a target)."""

    agents: dict[str, bool]
    activities: dict[str, bool]
    terms: list[str]

    @classmethod
    def of(cls, statement: dict) -> _Matches:
        return cls(
            keys.statement_agents(statement),
            keys.statement_activities(statement),
            _terms(statement),
        )

    def add(self, other: _Matches) -> None:
        for key, direct in other.agents.items():
            self.agents[key] = self.agents.get(key, False) or direct
        for key, direct in other.activities.items():
            self.activities[key] = self.activities.get(key, False) or direct
        self.terms += [t for t in other.terms if t not in self.terms]


def _target_matches(
    session: Session, target: uuid.UUID, known: dict[uuid.UUID, dict], depth: int = 8
) -> _Matches | None:
    """What a referenced statement matches, following its own references (a few levels)."""
    statement = known.get(target)
    if statement is None:
        raw = session.connection().execute(_RAW_BY_ID, {"id": target}).scalar()
        if raw is None:
            return None
        statement = json.loads(raw)
    matches = _Matches.of(statement)
    obj = statement["object"]
    if depth > 0 and obj.get("objectType") == "StatementRef":
        inner = _target_matches(session, uuid.UUID(obj["id"]), known, depth - 1)
        if inner is not None:
            matches.add(inner)
    return matches


def _link_references(
    session: Session,
    new: list[dict],
    seqs: dict[uuid.UUID, int],
    stored: dt.datetime,
    referring: list[tuple],
) -> None:
    """Voiding (Data 2.3.2) and statement references in queries (Communication 2.1.3).

    A voided statement is flagged. A statement whose object is a StatementRef (voiding or not)
    also gets index rows for what its target matches, so a query matching the target returns
    it too (the voided target itself never). Either statement may arrive first:
    ``referring`` holds (seq, stored, ref_id, voiding) of the stored statements whose object
    refers to a statement of ``new`` (as fetched by ``_Writer.store``).
    """
    known = {uuid.UUID(s["id"]): s for s in new}
    void_targets: list[uuid.UUID] = []
    items: list[tuple[int, dt.datetime, _Matches]] = []
    for statement in new:
        if statement["object"].get("objectType") != "StatementRef":
            continue
        target = uuid.UUID(statement["object"]["id"])
        if statement["verb"]["id"] == iris.VOIDED:
            void_targets.append(target)
        matches = _target_matches(session, target, known)
        if matches is not None:
            items.append((seqs[uuid.UUID(statement["id"])], stored, matches))
    # Statements stored earlier that refer to (or void) one of the new statements.
    own_seqs = set(seqs.values())
    for seq, stored_at, ref_id, voiding in referring:
        if ref_id not in known:
            continue
        if voiding:
            void_targets.append(ref_id)
        if seq not in own_seqs:
            matches = _target_matches(session, ref_id, known)
            if matches is not None:
                items.append((seq, stored_at, matches))
    if void_targets:
        session.execute(
            update(Statement)
            .where(Statement.statement_id.in_(void_targets), Statement.voiding.is_(False))
            .values(voided=True)
            .execution_options(synchronize_session=False)
        )
    if items:
        writer = _Writer.of(session)
        cursor = session.connection().connection.cursor()
        try:
            rows = writer.index_rows([(seq, writer.time(at), m) for seq, at, m in items])
            writer.write_index_rows(cursor, rows)
        finally:
            cursor.close()


# --- activities -----------------------------------------------------------------------------

# Per database engine: activity ids already inserted, definitions already merged.
_memos: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_known_lock = threading.Lock()


def _memo(session: Session) -> tuple[set[str], dict[str, str]]:
    engine = session.get_bind()
    with _known_lock:
        if engine not in _memos:
            _memos[engine] = (set(), {})
        return _memos[engine]


def _insert_new_activities(session: Session, new: list[dict]) -> None:
    """Insert activities not seen before (insert-or-ignore; never updates a shared row)."""
    found: dict[str, dict] = {}
    for statement in new:
        for activity_id in keys.statement_activities(statement):
            found.setdefault(activity_id, {})
    found.update(keys.merged_definitions(new))
    known_ids, _ = _memo(session)
    with _known_lock:
        unseen = {a: d for a, d in found.items() if a not in known_ids}
    if not unseen:
        return
    now = dt.datetime.now(dt.UTC)
    session.connection().execute(
        insert_ignore(session, Activity),
        [
            {"activity_id": a, "definition": dumps(d), "updated": now}
            for a, d in sorted(unseen.items())
        ],
    )
    with _known_lock:
        if len(known_ids) > 100_000:
            known_ids.clear()
        known_ids.update(unseen)


def refresh_activity_definitions(session: Session, statements: Iterable[dict]) -> int:
    """Merge the definitions carried by stored statements into the activities (after commit).

    Runs outside the statement transaction, one short update per changed activity in id order;
    an in-process memo skips definitions already merged. Returns the number of rows changed.
    """
    found = keys.merged_definitions(statements)
    changed = 0
    _, known_definitions = _memo(session)
    for activity_id, definition in sorted(found.items()):
        text = dumps(definition)
        with _known_lock:
            if known_definitions.get(activity_id) == text:
                continue
        row = session.get(Activity, activity_id, with_for_update=True)
        if row is None:
            session.execute(
                insert_ignore(session, Activity),
                [
                    {
                        "activity_id": activity_id,
                        "definition": text,
                        "updated": dt.datetime.now(dt.UTC),
                    }
                ],
            )
            changed += 1
        else:
            merged = keys.merge_definition(json.loads(row.definition or "{}"), definition)
            merged_text = dumps(merged)
            if merged_text != row.definition:
                row.definition = merged_text
                row.updated = dt.datetime.now(dt.UTC)
                changed += 1
        session.commit()
        with _known_lock:
            if len(known_definitions) > 50_000:
                known_definitions.clear()
            known_definitions[activity_id] = text
    return changed


# --- attachments ------------------------------------------------------------------------------


def save_attachments(session: Session, parts: dict[str, tuple[str, bytes]]) -> None:
    """Store attachment contents keyed by SHA-2 hash: {sha2: (content_type, content)}."""
    if not parts:
        return
    session.execute(
        insert_ignore(session, Attachment),
        [
            {"sha2": sha2.lower(), "content_type": ctype, "length": len(body), "content": body}
            for sha2, (ctype, body) in sorted(parts.items())
        ],
    )
