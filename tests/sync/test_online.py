"""Online sync: signed push chunk by chunk, resume after a broken link, pull, replays refused."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.sync import client, services
from lms.sync.services import SyncError
from lms.xapi.models import Statement
from tests import factories
from tests.sync.conftest import make_statements


class LinkDown(Exception):
    pass


def transport_to(app, *, fail_after: int | None = None, log: list | None = None):
    """Requests to ``app`` through its test client; the link breaks after ``fail_after`` posts."""
    http = app.test_client()
    sent = {"posts": 0}

    def send(method, url, headers, body):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if method == "POST":
            if fail_after is not None and sent["posts"] >= fail_after:
                raise SyncError("no link to HQ: connection reset")
            sent["posts"] += 1
        response = http.open(path, method=method, headers=headers, data=body)
        if log is not None:
            log.append((method, path, response.status_code))
        data = response.get_data()
        response.close()
        return response.status_code, data

    return send


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Statement))


def test_online_sync_pushes_statements_and_pulls_the_roster(paired, hq, kit):
    hq_id, kit_id = paired
    make_statements(kit, 4100)
    with hq.app_context():
        factories.create_rotation(contingent=factories.create_contingent(code="BANBAT-1"))
        db.session.commit()
    log = []
    with kit.app_context():
        result = client.sync(
            db.session, "https://hq.unmic.example", transport=transport_to(hq, log=log)
        )
        mine = services.require_identity(db.session)
        left = services.pending(db.session, mine, services.the_peer(db.session))
    assert result.statements_pushed == 4100
    assert result.pulled["records_applied"] >= 4  # country, mission, contingent, rotation...
    assert _count(hq) == 4100
    assert left.total == 0
    assert [m for m, _, _ in log].count("POST") == 3  # 2000 + 2000 + 100
    with hq.app_context():
        peer = services.the_peer(db.session, kit_id)
        assert peer.last_sync_how == "online" and peer.last_sync_at is not None

    # Nothing new: a second sync sends one empty, final request and stores nothing.
    with kit.app_context():
        again = client.sync(db.session, "https://hq.unmic.example", transport=transport_to(hq))
    assert again.statements_pushed == 0
    assert _count(hq) == 4100


def test_interrupted_sync_resumes_at_the_first_unacknowledged_chunk(paired, hq, kit):
    make_statements(kit, 5000)  # three chunks
    with kit.app_context(), pytest.raises(SyncError, match="connection reset"):
        client.sync(
            db.session, "https://hq.unmic.example", transport=transport_to(hq, fail_after=1)
        )
    assert _count(hq) == 2000
    with kit.app_context():
        assert services.the_peer(db.session).sent_statements > 0
        log = []
        result = client.sync(
            db.session, "https://hq.unmic.example", transport=transport_to(hq, log=log)
        )
    assert result.statements_pushed == 3000  # only what HQ had not confirmed
    assert _count(hq) == 5000


def test_requests_must_be_signed_fresh_and_not_replayed(paired, hq, kit):
    hq_id, kit_id = paired
    http = hq.test_client()
    body = services.push_body(
        None, {"statements": 0, "changes": 0}, {"statements": 0, "changes": 0}, True
    )
    assert http.post("/sync/push", data=body).status_code == 403  # unsigned

    with kit.app_context():
        mine = services.require_identity(db.session)
        headers = services.sign_request(mine, "POST", "/sync/push", body)
    first = http.post("/sync/push", data=body, headers=headers)
    assert first.status_code == 200
    replay = http.post("/sync/push", data=body, headers=headers)
    assert replay.status_code == 403
    assert "replay" in replay.get_json()["error"]

    # A body changed after signing.
    with kit.app_context():
        headers = services.sign_request(mine, "POST", "/sync/push", body)
    assert http.post("/sync/push", data=body + b"x", headers=headers).status_code in (400, 403)

    # An old request (captured and sent again minutes later).
    with hq.app_context():
        peer = services.the_peer(db.session, kit_id)
        with pytest.raises(SyncError, match="too far"):
            services.authenticate(
                db.session, headers, "POST", "/sync/push", body, now=time.time() + 600
            )
        assert peer.role == "kit"


def test_sync_needs_a_kit_and_a_registered_hq(hq, kit):
    with kit.app_context():
        with pytest.raises(SyncError, match="no field kit identity"):
            client.sync(db.session, "https://hq.unmic.example", transport=transport_to(hq))
        services.init_identity(db.session, "kit", "Lone kit")
        db.session.commit()
        with pytest.raises(SyncError, match="HQ is not registered"):
            client.sync(db.session, "https://hq.unmic.example", transport=transport_to(hq))


def test_sync_over_real_http_on_the_loopback(paired, hq, kit):
    import threading

    from werkzeug.serving import make_server

    make_statements(kit, 50)
    server = make_server("127.0.0.1", 0, hq, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with kit.app_context():
            result = client.sync(db.session, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert result.statements_pushed == 50
    assert _count(hq) == 50


def test_no_link_is_a_clear_error(paired, kit):
    with kit.app_context(), pytest.raises(SyncError, match="no link"):
        client.sync(db.session, "http://127.0.0.1:9")
