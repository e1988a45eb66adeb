"""Online sync from a kit: push chunk by chunk (each acknowledged), then pull HQ's bundle.

A broken link loses at most the chunk in flight: HQ commits each chunk with its marker and the
kit records HQ's acknowledgement after each one, so the next run starts at the first chunk HQ
has not confirmed. Requests are signed with the kit's key (no passwords).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from . import services
from .services import SyncError

# transport(method, url, headers, body) -> (status, body bytes)
Transport = Callable[[str, str, dict, bytes], tuple[int, bytes]]
TIMEOUT_SECONDS = 120
MAX_CHUNKS = 1_000_000


def requests_transport() -> Transport:
    import requests

    http = requests.Session()

    def send(method: str, url: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        try:
            response = http.request(
                method, url, headers=headers, data=body or None, timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            raise SyncError(f"no link to {url}: {exc}") from None
        return response.status_code, response.content

    return send


@dataclass
class SyncResult:
    chunks_pushed: int = 0
    statements_pushed: int = 0
    records_pushed: int = 0
    pulled: dict = field(default_factory=dict)


def _check(status: int, body: bytes, what: str) -> None:
    if status != 200:
        text = body[:300].decode("utf-8", "replace")
        raise SyncError(f"HQ refused the {what} (HTTP {status}): {text}")


def sync(
    session: Session,
    base_url: str,
    *,
    transport: Transport | None = None,
    progress: Callable[[services.Chunk | None], None] | None = None,
) -> SyncResult:
    """Push what HQ has not confirmed, then pull and import what HQ has for this kit."""
    import json

    send = transport or requests_transport()
    base = base_url.rstrip("/")
    mine = services.require_identity(session)
    if mine.role != "kit":
        raise SyncError("online sync runs at a field kit (HQ serves /sync/)")
    peer = services.the_peer(session)
    the_plan = services.plan(session, mine, peer)
    result = SyncResult()
    # Materialise lazily: each chunk is read from the database only when it is sent.
    pieces = services.chunks(session, mine, peer, the_plan)
    chunk = next(pieces, None)
    for _count in range(MAX_CHUNKS):
        following = next(pieces, None) if chunk is not None else None
        final = following is None
        body = services.push_body(chunk, the_plan.marks, the_plan.ack, final)
        path = "/sync/push"
        headers = services.sign_request(mine, "POST", path, body)
        headers["Content-Type"] = "application/x-ndjson"
        status, reply = send("POST", base + path, headers, body)
        _check(status, reply, "pushed data")
        services.take_ack(peer, json.loads(reply)["ack"])
        session.commit()
        if chunk is not None:
            result.chunks_pushed += 1
            if chunk.kind == "statements":
                result.statements_pushed += chunk.count
            else:
                result.records_pushed += chunk.count
        if progress:
            progress(chunk)
        if final:
            break
        chunk = following
    query = urlencode({"statements": peer.received_statements, "changes": peer.received_changes})
    path = f"/sync/pull?{query}"
    headers = services.sign_request(mine, "GET", path, b"")
    status, reply = send("GET", base + path, headers, b"")
    _check(status, reply, "pull")
    handle, name = tempfile.mkstemp(suffix=".kitbundle")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(reply)
        result.pulled = services.import_bundle(session, name, how="online").as_dict()
    finally:
        os.unlink(name)
    return result
