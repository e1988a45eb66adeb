"""Forwarding: copy every stored statement to an external LRS through the durable outbox.

save_statements adds an outbox row in the same transaction as the statement, so a statement
that was acknowledged is always either forwarded or still waiting in the outbox, across restarts.
:func:`drain` sends due rows in batches; a failed batch is retried with exponential back-off.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import ForwardOutbox, Statement

MAX_BACKOFF = dt.timedelta(hours=1)
FIRST_BACKOFF = dt.timedelta(seconds=30)


@dataclass
class ForwardTarget:
    url: str
    key: str | None = None
    secret: str | None = None
    timeout: float = 20.0

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(session: Session, now: dt.datetime, batch: int) -> list[ForwardOutbox]:
    query = (
        select(ForwardOutbox)
        .where(ForwardOutbox.sent_at.is_(None), ForwardOutbox.next_attempt_at <= now)
        .order_by(ForwardOutbox.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _send(target: ForwardTarget, statements: list[dict], http) -> str | None:
    """POST a batch; None on success, else the error text."""
    try:
        response = http.post(
            target.statements_url,
            data=json.dumps(statements, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"},
            auth=(target.key, target.secret) if target.key else None,
            timeout=target.timeout,
        )
    except requests.RequestException as exc:
        return f"network error: {exc}"
    if response.status_code in (200, 204):
        return None
    return f"HTTP {response.status_code}: {response.text[:300]}"


def drain(
    session: Session,
    target: ForwardTarget,
    batch: int = 100,
    now: dt.datetime | None = None,
    http=requests,
) -> DrainResult:
    """Send every due outbox row (batch by batch) and commit after each batch."""
    result = DrainResult()
    while True:
        now_at = now or dt.datetime.now(dt.UTC)
        rows = _due(session, now_at, batch)
        if not rows:
            break
        raws = dict(
            session.execute(
                select(Statement.statement_id, Statement.raw).where(
                    Statement.statement_id.in_([r.statement_id for r in rows])
                )
            ).all()
        )
        statements = [json.loads(raws[r.statement_id]) for r in rows if r.statement_id in raws]
        error = _send(target, statements, http) if statements else None
        if error and len(rows) > 1:
            # Find the statements the other LRS refuses; send the rest one by one.
            for row in rows:
                single = _send(target, [json.loads(raws[row.statement_id])], http)
                _record(row, single, now_at, result)
        else:
            for row in rows:
                _record(row, error, now_at, result)
        session.commit()
    return result


def _record(row: ForwardOutbox, error: str | None, now: dt.datetime, result: DrainResult) -> None:
    if error is None:
        row.sent_at = now
        row.last_error = None
        result.sent += 1
    else:
        row.attempts += 1
        row.last_error = error
        row.next_attempt_at = now + backoff(row.attempts)
        result.failed += 1


@dataclass
class OutboxState:
    pending: int
    failing: int
    sent: int
    oldest_pending: dt.datetime | None
    last_error: str | None
    recent_failures: list[ForwardOutbox]


def outbox_state(session: Session) -> OutboxState:
    pending = session.scalar(
        select(func.count()).select_from(ForwardOutbox).where(ForwardOutbox.sent_at.is_(None))
    )
    failing = session.scalar(
        select(func.count())
        .select_from(ForwardOutbox)
        .where(ForwardOutbox.sent_at.is_(None), ForwardOutbox.attempts > 0)
    )
    sent = session.scalar(
        select(func.count()).select_from(ForwardOutbox).where(ForwardOutbox.sent_at.is_not(None))
    )
    oldest = session.scalar(
        select(func.min(ForwardOutbox.created_at)).where(ForwardOutbox.sent_at.is_(None))
    )
    recent = list(
        session.scalars(
            select(ForwardOutbox)
            .where(ForwardOutbox.sent_at.is_(None), ForwardOutbox.attempts > 0)
            .order_by(ForwardOutbox.next_attempt_at)
            .limit(20)
        )
    )
    return OutboxState(
        pending=pending or 0,
        failing=failing or 0,
        sent=sent or 0,
        oldest_pending=oldest,
        last_error=recent[0].last_error if recent else None,
        recent_failures=recent,
    )


def retry_now(session: Session, row_ids: list[int] | None = None) -> int:
    """Make failing rows due again at once (all of them, or the given ones)."""
    query = select(ForwardOutbox).where(ForwardOutbox.sent_at.is_(None))
    if row_ids:
        query = query.where(ForwardOutbox.id.in_(row_ids))
    rows = list(session.scalars(query))
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        row.next_attempt_at = now
    session.flush()
    return len(rows)


def enqueue_all(session: Session) -> int:
    """Queue every stored statement that was never queued (e.g. when forwarding is turned on)."""
    queued = select(ForwardOutbox.statement_id)
    ids = list(
        session.scalars(
            select(Statement.statement_id)
            .where(Statement.statement_id.not_in(queued))
            .order_by(Statement.seq)
        )
    )
    now = dt.datetime.now(dt.UTC)
    session.add_all(
        [
            ForwardOutbox(statement_id=uuid.UUID(str(i)), created_at=now, next_attempt_at=now)
            for i in ids
        ]
    )
    session.flush()
    return len(ids)
