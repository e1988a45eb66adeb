"""Writing statements: validation, LRS-assigned properties, conflicts, voiding, index rows.

The one narrow interface the rest of the platform calls is :func:`save_statements`. It takes
plain arguments and flushes; the caller commits (one commit per request).

Shared rows are never updated inside the statement transaction: index rows and activities are
inserted with ON CONFLICT DO NOTHING, so two concurrent writers cannot deadlock on them; merged
activity definitions are written afterwards by :func:`refresh_activity_definitions`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
import uuid
import weakref
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import formats, iris, keys
from .errors import BadRequest, Conflict
from .models import (
    Activity,
    Attachment,
    ForwardOutbox,
    Statement,
    StatementActivity,
    StatementAgent,
)
from .validation import (
    VERSION_1,
    assign_authority,
    assign_id,
    assign_stored,
    assign_timestamp,
    assign_version,
    validate_statements,
)

# Properties the LRS may add or replace; a re-sent statement is "the same" without them.
_LRS_PROPERTIES = ("stored", "authority", "version", "timestamp", "id")


def dumps(value: object) -> str:
    """Compact JSON, keeping the client's key order and non-ASCII text as it came."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def insert_ignore(session: Session, model):
    """An INSERT ... ON CONFLICT DO NOTHING for the session's database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model.__table__).on_conflict_do_nothing()


def same_statement(received: dict, stored: dict) -> bool:
    """Data 2.4.1 / Communication 2.1: is a re-sent statement the one already stored?"""
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


def _uuid_or_none(value: object) -> uuid.UUID | None:
    return uuid.UUID(value) if isinstance(value, str) else None


def _row(statement: dict, stored: dt.datetime) -> dict:
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    context = statement.get("context") or {}
    actor_key = keys.agent_key(statement["actor"]) or ""
    return {
        "statement_id": uuid.UUID(statement["id"]),
        "stored": stored,
        "timestamp": formats.parse_timestamp(statement["timestamp"]) or stored,
        "actor_key": actor_key,
        "verb_id": statement["verb"]["id"],
        "activity_id": obj["id"] if object_type == "Activity" else None,
        "registration": _uuid_or_none(context.get("registration")),
        "ref_id": uuid.UUID(obj["id"]) if object_type == "StatementRef" else None,
        "voiding": statement["verb"]["id"] == iris.VOIDED,
        "voided": False,
        "authority_key": keys.agent_key(statement["authority"]) or "",
        "version": statement["version"],
        "has_attachments": bool(statement.get("attachments")),
        "raw": dumps(statement),
    }


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
    received = [copy.deepcopy(s) for s in statements]
    now = now or dt.datetime.now(dt.UTC)
    # Keep millisecond precision, the precision the stored property is returned with.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    for statement in statements:
        assign_id(statement)
        assign_stored(statement, now)
        assign_timestamp(statement)
        assign_authority(statement, authority)
        assign_version(statement, version)
    ids = [uuid.UUID(s["id"]) for s in statements]

    existing = dict(
        session.execute(
            select(Statement.statement_id, Statement.raw).where(Statement.statement_id.in_(ids))
        ).all()
    )
    new: list[dict] = []
    for original, statement, statement_id in zip(received, statements, ids, strict=True):
        if statement_id in existing:
            if not same_statement(original, json.loads(existing[statement_id])):
                raise Conflict(
                    f"statement {statement_id}: a different statement with this id is already stored"
                )
            continue
        new.append(statement)
    if not new:
        return [s["id"] for s in statements]

    _check_voiding_targets(session, new)

    rows = [_row(s, now) for s in new]
    inserted = dict(
        session.execute(
            insert_ignore(session, Statement).returning(
                Statement.__table__.c.statement_id, Statement.__table__.c.seq
            ),
            rows,
        ).all()
    )
    # A concurrent writer may have stored the same id between our check and our insert.
    raced = [s for s in new if uuid.UUID(s["id"]) not in inserted]
    if raced:
        stored_now = dict(
            session.execute(
                select(Statement.statement_id, Statement.raw).where(
                    Statement.statement_id.in_([uuid.UUID(s["id"]) for s in raced])
                )
            ).all()
        )
        originals = {o.get("id"): o for o in received}
        for statement in raced:
            original = originals.get(statement["id"], statement)
            if not same_statement(original, json.loads(stored_now[uuid.UUID(statement["id"])])):
                raise Conflict(
                    f"statement {statement['id']}: a different statement with this id is "
                    "already stored"
                )
    stored_new = [s for s in new if uuid.UUID(s["id"]) in inserted]
    _index_rows(session, stored_new, inserted, now)
    _apply_voiding(session, stored_new)
    _propagate_references(session, stored_new, inserted, now)
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


def _index_rows(
    session: Session, new: list[dict], seqs: dict[uuid.UUID, int], stored: dt.datetime
) -> None:
    agent_rows, activity_rows = [], []
    for statement in new:
        seq = seqs[uuid.UUID(statement["id"])]
        for key, direct in keys.statement_agents(statement).items():
            agent_rows.append({"seq": seq, "agent_key": key, "stored": stored, "direct": direct})
        for activity_id, direct in keys.statement_activities(statement).items():
            activity_rows.append(
                {"seq": seq, "activity_id": activity_id, "stored": stored, "direct": direct}
            )
    if agent_rows:
        session.execute(insert_ignore(session, StatementAgent), agent_rows)
    if activity_rows:
        session.execute(insert_ignore(session, StatementActivity), activity_rows)


def _apply_voiding(session: Session, new: list[dict]) -> None:
    """Mark targets of new voiding statements voided, and new statements voided earlier."""
    targets = [uuid.UUID(s["object"]["id"]) for s in new if s["verb"]["id"] == iris.VOIDED]
    if targets:
        session.execute(
            update(Statement)
            .where(Statement.statement_id.in_(targets), Statement.voiding.is_(False))
            .values(voided=True)
            .execution_options(synchronize_session=False)
        )
    # Statements may arrive after the statement voiding them (field kits sync out of order).
    plain = [uuid.UUID(s["id"]) for s in new if s["verb"]["id"] != iris.VOIDED]
    if plain:
        already = list(
            session.scalars(
                select(Statement.ref_id).where(
                    Statement.ref_id.in_(plain), Statement.voiding.is_(True)
                )
            )
        )
        if already:
            session.execute(
                update(Statement)
                .where(Statement.statement_id.in_(already))
                .values(voided=True)
                .execution_options(synchronize_session=False)
            )


def _propagate_references(
    session: Session, new: list[dict], seqs: dict[uuid.UUID, int], stored: dt.datetime
) -> None:
    """Communication 2.1.3: a query matching a statement also returns statements referring to it.

    A statement whose object is a StatementRef gets the agent and activity index rows of its
    target (which already carry those of the target's own target), so the filters match it.
    """
    referring = [
        (seqs[uuid.UUID(s["id"])], uuid.UUID(s["object"]["id"]))
        for s in new
        if s["object"].get("objectType") == "StatementRef" and s["verb"]["id"] != iris.VOIDED
    ]
    pairs: list[tuple[int, int]] = []  # (referring seq, target seq)
    if referring:
        target_seqs = dict(
            session.execute(
                select(Statement.statement_id, Statement.seq).where(
                    Statement.statement_id.in_([t for _, t in referring])
                )
            ).all()
        )
        pairs += [(seq, target_seqs[t]) for seq, t in referring if t in target_seqs]
    # Statements stored earlier that refer to one of the new statements.
    new_ids = {uuid.UUID(s["id"]): seqs[uuid.UUID(s["id"])] for s in new}
    earlier = session.execute(
        select(Statement.seq, Statement.ref_id).where(
            Statement.ref_id.in_(list(new_ids)), Statement.voiding.is_(False)
        )
    ).all()
    pairs += [(seq, new_ids[ref]) for seq, ref in earlier if seq not in seqs.values()]
    for seq, target in pairs:
        stored_at = session.scalar(select(Statement.stored).where(Statement.seq == seq)) or stored
        agents = session.execute(
            select(StatementAgent.agent_key, StatementAgent.direct).where(
                StatementAgent.seq == target
            )
        ).all()
        if agents:
            session.execute(
                insert_ignore(session, StatementAgent),
                [{"seq": seq, "agent_key": k, "stored": stored_at, "direct": d} for k, d in agents],
            )
        activities = session.execute(
            select(StatementActivity.activity_id, StatementActivity.direct).where(
                StatementActivity.seq == target
            )
        ).all()
        if activities:
            session.execute(
                insert_ignore(session, StatementActivity),
                [
                    {"seq": seq, "activity_id": a, "stored": stored_at, "direct": d}
                    for a, d in activities
                ],
            )


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
        found.update(keys.activity_definitions(statement))
    known_ids, _ = _memo(session)
    with _known_lock:
        unseen = {a: d for a, d in found.items() if a not in known_ids}
    if not unseen:
        return
    now = dt.datetime.now(dt.UTC)
    session.execute(
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
    found: dict[str, dict] = {}
    for statement in statements:
        found.update(keys.activity_definitions(statement))
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
