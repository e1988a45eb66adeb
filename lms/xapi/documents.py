"""State, activity profile and agent profile documents (Communication 2.3, 2.6, 2.7).

Operations take plain arguments and flush; the HTTP handler commits. ETags are the quoted SHA1
of the content; If-Match / If-None-Match are honoured on every write, and a PUT over an existing
profile document without either header is a 409 (Communication 3.1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .errors import BadRequest, Conflict, PreconditionFailed
from .models import Document
from .validation import XAPIValidationError, loads

STATE = "state"
ACTIVITY_PROFILE = "activity_profile"
AGENT_PROFILE = "agent_profile"


@dataclass(frozen=True)
class DocKey:
    kind: str
    activity_id: str = ""
    agent_key: str = ""
    # None (only for listing and deleting state) means every registration.
    registration: str | None = ""

    def where(self) -> list:
        conditions = [
            Document.kind == self.kind,
            Document.activity_id == self.activity_id,
            Document.agent_key == self.agent_key,
        ]
        if self.registration is not None:
            conditions.append(Document.registration == self.registration)
        return conditions


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def is_json_type(content_type: str | None) -> bool:
    return bool(content_type) and content_type.split(";")[0].strip().lower() == "application/json"


def get_document(session: Session, key: DocKey, doc_id: str) -> Document | None:
    return session.scalar(select(Document).where(*key.where(), Document.doc_id == doc_id))


def list_ids(session: Session, key: DocKey, since: dt.datetime | None) -> list[str]:
    query = select(Document.doc_id).where(*key.where())
    if since is not None:
        query = query.where(Document.updated > since)
    return list(session.scalars(query.order_by(Document.doc_id)))


def check_preconditions(
    existing: Document | None, if_match: str | None, if_none_match: str | None
) -> None:
    """RFC 2616 If-Match / If-None-Match against the current document (412 when they fail)."""
    current = existing.etag if existing is not None else None
    if if_match is not None:
        tags = [t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")]
        if current is None or ("*" not in tags and current not in tags):
            raise PreconditionFailed(
                "If-Match: the document's current ETag does not match (it changed or is absent)"
            )
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/").strip('"') for t in if_none_match.split(",")]
        if current is not None and ("*" in tags or current in tags):
            raise PreconditionFailed("If-None-Match: the document already exists")


def put_document(
    session: Session,
    key: DocKey,
    doc_id: str,
    content: bytes,
    content_type: str,
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
    require_precondition: bool = False,
    conflict_without_precondition: bool = False,
) -> Document:
    """Store (replace) a document.

    Without If-Match or If-None-Match: ``require_precondition`` (profiles) refuses the PUT,
    with 409 over an existing document and 400 otherwise; ``conflict_without_precondition``
    (State in xAPI 2.0) refuses it with 409 over an existing document only.
    """
    existing = get_document(session, key, doc_id)
    check_preconditions(existing, if_match, if_none_match)
    if (require_precondition or conflict_without_precondition) and (
        if_match is None and if_none_match is None
    ):
        if existing is not None:
            raise Conflict(
                "the document already exists: send If-Match with its ETag to replace it, "
                'or If-None-Match: "*" to create it only if absent (Communication 3.1)'
            )
        if require_precondition:
            # A client MUST send one of the two headers on a profile PUT (Communication 3.1).
            raise BadRequest(
                'a profile PUT needs If-Match or If-None-Match: send If-None-Match: "*" to create '
                "the document (Communication 3.1)"
            )
    if is_json_type(content_type):
        _parse_json(content)
    now = dt.datetime.now(dt.UTC)
    if existing is None:
        existing = Document(
            kind=key.kind,
            activity_id=key.activity_id,
            agent_key=key.agent_key,
            registration=key.registration,
            doc_id=doc_id,
        )
        session.add(existing)
    existing.content = content
    existing.content_type = content_type
    existing.etag = etag_of(content)
    existing.updated = now
    session.flush()
    return existing


def _parse_json(content: bytes) -> object:
    try:
        return loads(content, nul_ok=True)
    except XAPIValidationError as exc:
        raise BadRequest(f"document: {exc.message}") from None


def post_document(
    session: Session,
    key: DocKey,
    doc_id: str,
    content: bytes,
    content_type: str,
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> Document:
    """Create a document, or merge a JSON object into an existing JSON object document."""
    existing = get_document(session, key, doc_id)
    check_preconditions(existing, if_match, if_none_match)
    if existing is None:
        if is_json_type(content_type):
            _parse_json(content)
        return put_document(session, key, doc_id, content, content_type)
    if not (is_json_type(content_type) and is_json_type(existing.content_type)):
        raise BadRequest(
            "POST merges JSON documents: the stored document and the request must both be "
            "application/json (Communication 2.3)"
        )
    incoming = _parse_json(content)
    try:
        current = json.loads(existing.content)
    except ValueError:
        current = None
    if not isinstance(incoming, dict) or not isinstance(current, dict):
        raise BadRequest("POST merges JSON objects: both documents must be JSON objects")
    merged = {**current, **incoming}
    body = json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode()
    existing.content = body
    existing.etag = etag_of(body)
    existing.updated = dt.datetime.now(dt.UTC)
    session.flush()
    return existing


def delete_document(
    session: Session,
    key: DocKey,
    doc_id: str,
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> None:
    existing = get_document(session, key, doc_id)
    check_preconditions(existing, if_match, if_none_match)
    if existing is not None:
        session.delete(existing)
        session.flush()


def delete_all(session: Session, key: DocKey) -> int:
    """Delete every document under a key (the State resource's DELETE without stateId)."""
    result = session.execute(
        delete(Document).where(*key.where()).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
