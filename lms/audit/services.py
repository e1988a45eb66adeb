"""Writing to the audit log. Callers pass the acting user; the request handler commits."""

from __future__ import annotations

from lms.audit.models import AuditEntry
from lms.extensions import db


def record(actor, action: str, target: str = "", **details) -> AuditEntry:
    entry = AuditEntry(
        user_id=getattr(actor, "id", None), action=action, target=target, details=details
    )
    db.session.add(entry)
    return entry
