"""Administration pages of the LRS: statements browser, clients (secret shown once), forwarding."""

from __future__ import annotations

import re

import pytest

from lms.extensions import db
from lms.xapi import store
from tests.factories import PASSWORD, create_user

from .factories import activity, agent, statement

PLATFORM = {
    "objectType": "Agent",
    "account": {"homePage": "https://training.unmic.example", "name": "portal"},
}


@pytest.fixture
def admin_client(app, client):
    with app.app_context():
        create_user(username="admin.lrs", roles=["admin"], password=PASSWORD)
        create_user(username="trainer.lrs", roles=["trainer"], password=PASSWORD)
        db.session.commit()
    client.post("/login", data={"username": "admin.lrs", "password": PASSWORD})
    return client


def test_statements_page_filters_and_pretty_prints(app, admin_client):
    with app.app_context():
        store.save_statements(
            db.session,
            [
                statement(
                    actor=agent("amal.haddad", name="Amal Haddad"),
                    result={"score": {"scaled": 0.85}, "success": True},
                ),
                statement(
                    actor=agent("jonas.berg", name="Jonas Berg"),
                    object=activity(
                        "https://training.unmic.example/xapi/activities/scenario/convoy-ied"
                    ),
                ),
            ],
            PLATFORM,
        )
        db.session.commit()
    page = admin_client.get("/admin/lrs/statements")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Amal Haddad" in html and "Jonas Berg" in html and "85 %" in html
    assert "&#34;actor&#34;" in html or '"actor"' in html
    filtered = admin_client.get(
        "/admin/lrs/statements", query_string={"activity": "scenario/convoy"}
    )
    text = filtered.get_data(as_text=True)
    assert "Jonas Berg" in text and "Amal Haddad" not in text
    with app.app_context():
        from sqlalchemy import select

        from lms.audit.models import AuditEntry

        views = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "lrs.statements.view")
        ).all()
        assert any(v.details.get("activity") == "scenario/convoy" for v in views)
    bad_date = admin_client.get("/admin/lrs/statements", query_string={"since": "31/02/2026"})
    assert bad_date.status_code == 200 and "not valid" in bad_date.get_data(as_text=True)


def test_client_created_secret_shown_once_and_revoked(app, admin_client):
    created = admin_client.post(
        "/admin/lrs/clients", data={"name": "Scenario laptop 3", "scopes": ["write", "no-void"]}
    )
    assert created.status_code == 200
    html = created.get_data(as_text=True)
    secrets = re.findall(r'<code class="secret">([^<]+)</code>', html)
    assert len(secrets) == 2
    key, secret = secrets
    listing = admin_client.get("/admin/lrs/clients").get_data(as_text=True)
    assert key in listing and secret not in listing
    revoked = admin_client.post(f"/admin/lrs/clients/{key}/revoke", follow_redirects=True)
    assert "revoked" in revoked.get_data(as_text=True)
    assert admin_client.post("/admin/lrs/clients/unknown/revoke").status_code == 404


def test_forwarding_page(app, admin_client):
    page = admin_client.get("/admin/lrs/forwarding")
    assert page.status_code == 200
    assert "LMS_LRS_FORWARD_URL" in page.get_data(as_text=True)
    app.config["LRS_FORWARD_URL"] = "https://hq-lrs.unmic.example/xapi"
    with app.app_context():
        store.save_statements(db.session, [statement()], PLATFORM)
        db.session.commit()
    page = admin_client.get("/admin/lrs/forwarding").get_data(as_text=True)
    assert "https://hq-lrs.unmic.example/xapi" in page
    retried = admin_client.post("/admin/lrs/forwarding/retry", follow_redirects=True)
    assert retried.status_code == 200


def test_only_administrators(client, admin_client):
    admin_client.post("/logout")
    client.post("/login", data={"username": "trainer.lrs", "password": PASSWORD})
    assert client.get("/admin/lrs/statements").status_code == 403
    assert client.get("/admin/lrs/clients").status_code == 403
