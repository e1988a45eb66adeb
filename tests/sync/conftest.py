"""Two instances in one test run: ``hq`` and ``kit``, each its own app and database.

Both start from the migrated template database. ``paired`` sets up identities and registers
each side at the other, as an administrator would with the registration files.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from lms import create_app
from lms.extensions import db
from lms.sync import services
from tests.conftest import BASE_CONFIG, PG_URL

AUTHORITY = {
    "objectType": "Agent",
    "name": "Field kit LRS",
    "account": {"homePage": "https://training.unmic.example", "name": "kit-lrs"},
}


def _instance(database_template, folder: Path):
    if PG_URL:
        pytest.skip("two instances need two databases (SQLite)")
    folder.mkdir()
    target = folder / "db.sqlite3"
    shutil.copyfile(Path(make_url(database_template).database), target)
    app = create_app(
        {
            **BASE_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}",
            "ARTIFACTS_DIR": str(folder),
        }
    )
    return app


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def hq(database_template, tmp_path):
    app = _instance(database_template, tmp_path / "hq")
    yield app
    _dispose(app)


@pytest.fixture
def kit(database_template, tmp_path):
    app = _instance(database_template, tmp_path / "kit")
    yield app
    _dispose(app)


@pytest.fixture
def paired(hq, kit):
    """HQ and a kit that know each other; returns (hq_id, kit_id)."""
    with kit.app_context():
        kit_ident = services.init_identity(db.session, "kit", "Forward position Sector East")
        kit_doc = services.identity_document(kit_ident)
        kit_id = str(kit_ident.id)
        db.session.commit()
    with hq.app_context():
        hq_ident = services.init_identity(db.session, "hq", "UNMIC HQ")
        hq_doc = services.identity_document(hq_ident)
        hq_id = str(hq_ident.id)
        services.register_peer(db.session, kit_doc, "test")
        db.session.commit()
    with kit.app_context():
        services.register_peer(db.session, hq_doc, "test")
        db.session.commit()
    return hq_id, kit_id


def make_statements(app, count: int, actor: str = "trainee-1") -> list[str]:
    """Store ``count`` statements in ``app``'s LRS; return their ids."""
    from lms.xapi.store import save_statements
    from tests.xapi.factories import agent, statement

    with app.app_context():
        batch = [
            statement(
                id=str(uuid.uuid4()),
                actor=agent(actor),
                timestamp=f"2026-03-02T08:{i % 60:02d}:00Z",
            )
            for i in range(count)
        ]
        ids = save_statements(db.session, batch, AUTHORITY)
        db.session.commit()
    return ids


def transfer(source, target, path: Path, peer_id: str | None = None):
    """Export a bundle at ``source`` and import it at ``target``; return the import result."""
    with source.app_context():
        services.export_bundle(db.session, path, peer_id)
        db.session.rollback()
    with target.app_context():
        return services.import_bundle(db.session, path)
