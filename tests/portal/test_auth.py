"""Login, logout, rate limiting, forced password change, password hashing and CSRF."""

import re

from lms.auth.models import User
from lms.extensions import db
from tests.factories import PASSWORD, create_user


def test_password_is_stored_as_argon2_hash(app):
    with app.app_context():
        user = create_user("hashme")
        db.session.commit()
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_and_logout(app, client, auth):
    with app.app_context():
        create_user("amina", roles=("trainee",), display_name="Amina")
        db.session.commit()
    response = auth.login("amina")
    assert response.status_code == 302
    home = client.get("/")
    assert "Amina" in home.get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_message(app, client, auth):
    with app.app_context():
        create_user("amina")
        db.session.commit()
    response = auth.login("amina", "wrong password here")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert auth.login("nobody-at-all", "whatever12345").status_code == 401


def test_login_is_rate_limited_after_repeated_failures(app, client, auth):
    with app.app_context():
        create_user("target")
        db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert auth.login("target", "not the password").status_code == 401
    blocked = auth.login("target")  # even the right password waits now
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)


def test_logout_needs_post(client, app, auth):
    with app.app_context():
        create_user("amina")
        db.session.commit()
    auth.login("amina")
    assert client.get("/logout").status_code == 405


def test_account_created_by_admin_must_change_password(app, client, auth):
    with app.app_context():
        create_user("newbie", must_change_password=True)
        db.session.commit()
    response = auth.login("newbie")
    assert response.headers["Location"].endswith("/account/password")
    # Every other page sends them back until they change it.
    assert client.get("/units").headers["Location"].endswith("/account/password")
    too_short = client.post(
        "/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"}
    )
    assert too_short.status_code == 400
    new = "five words make a passphrase"
    ok = client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert ok.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(db.select(User).filter_by(username="newbie")).must_change_password
            is False
        )
    assert client.get("/").status_code == 200


def test_open_redirect_after_login_is_refused(app, client):
    with app.app_context():
        create_user("amina")
        db.session.commit()
    response = client.post(
        "/login?next=https://evil.example/", data={"username": "amina", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_forms_refuse_posts_without_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        create_user("amina")
        db.session.commit()
    response = client.post("/login", data={"username": "amina", "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"username": "amina", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_session_cookie_is_httponly(app, client):
    with app.app_context():
        create_user("amina")
        db.session.commit()
    response = client.post("/login", data={"username": "amina", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_deactivated_account_cannot_log_in(app, client, auth):
    with app.app_context():
        user = create_user("gone")
        user.active = False
        db.session.commit()
    assert auth.login("gone").status_code == 401
