"""Fixtures: ``app``, ``client``, ``runner``, ``db_session``, ``auth``.

The schema is built once per test run by the Alembic migrations (never ``create_all``). On SQLite
each test gets its own copy of that database file; on PostgreSQL (``LMS_TEST_DATABASE_URL``) each
pytest worker gets its own database and the tables are emptied after every test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.extensions import db

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL")

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "REDIS_URL": None,
    "ENV_NAME": "testing",
}


def _worker_database(url: str) -> str:
    """One PostgreSQL database per pytest-xdist worker, created when missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    parsed = make_url(url)
    name = f"{parsed.database}_lms_{worker}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Run every migration once; return the URL (PostgreSQL) or the template file (SQLite)."""
    if PG_URL:
        url = _worker_database(PG_URL)
    else:
        path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
        url = f"sqlite:///{path}"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _truncate_all(app) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        if tables:
            quoted = ", ".join(f'"{t}"' for t in tables)
            db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_template, tmp_path):
    if PG_URL:
        url = database_template
    else:
        template = Path(make_url(database_template).database)
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(template, target)
        url = f"sqlite:///{target}"
    app = create_app(
        {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "ARTIFACTS_DIR": str(tmp_path)}
    )
    yield app
    if PG_URL:
        _truncate_all(app)
    else:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = "correct horse battery"):
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def demo(app):
    """The demo organisation and logins, loaded through the same code as `flask demo load`."""
    from lms import demo as demo_data

    with app.app_context():
        demo_data.load(people=120, seed=7)
        db.session.commit()
    return demo_data
