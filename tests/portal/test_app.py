"""The factory, configuration, security headers and the health check."""

import pytest

from lms import create_app
from lms.security import CONTENT_SECURITY_POLICY


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="LMS_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_production_cookies_are_secure_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("LMS_SECURE_COOKIES", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_database_url_comes_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path}/chosen.db")
    monkeypatch.setenv("LMS_SECRET_KEY", "x" * 40)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("chosen.db")


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_healthz_reports_unreachable_database(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    # No origin other than the portal itself is allowed anywhere in the policy.
    assert "http" not in csp and "*" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_load_nothing_from_other_origins(client, demo, auth):
    import re

    auth.login("admin", "carana-admin-2026")
    external = re.compile(r'(?:src|href|action)="(?:https?:)?//', re.I)
    for url in ("/", "/units", "/people", "/admin/", "/admin/users", "/overview"):
        html = client.get(url).get_data(as_text=True)
        assert not external.search(html), url
        assert "<script" not in html, url


def test_home_redirects_anonymous_users_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_nul_characters_are_a_400_never_a_500(client, demo, auth):
    """PostgreSQL cannot hold or compare text with NUL: every page refuses it up front."""
    login = client.post("/login", data={"username": "trainer\x00", "password": "x"})
    assert login.status_code == 400
    assert auth.login("trainer.npl", "carana-trainer-2026").status_code == 302
    for url in ("/courses/%00", "/readiness/?contingent=%00", "/xapi/statements?agent=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
    # An ordinary request is not affected.
    assert client.get("/healthz").status_code == 200
