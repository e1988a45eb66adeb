"""Bundles between a kit and HQ: round trips, idempotence, damaged and foreign bundles."""

from __future__ import annotations

import json
import zipfile

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.sync import services
from lms.sync.bundle import BundleError
from lms.xapi.models import Statement
from tests.sync.conftest import make_statements, transfer


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Statement))


def _pending(app, peer_id=None):
    with app.app_context():
        mine = services.require_identity(db.session)
        return services.pending(db.session, mine, services.the_peer(db.session, peer_id))


def test_statements_go_from_kit_to_hq_once(paired, hq, kit, tmp_path):
    hq_id, kit_id = paired
    ids = make_statements(kit, 4500)
    assert _pending(kit).statements == 4500

    result = transfer(kit, hq, tmp_path / "k1.kitbundle")
    assert result.statements_stored == 4500
    assert _count(hq) == 4500
    with hq.app_context():
        stored = set(map(str, db.session.scalars(select(Statement.statement_id))))
    assert stored == set(ids)

    # The same bundle again: nothing changes.
    with hq.app_context():
        again = services.import_bundle(db.session, tmp_path / "k1.kitbundle")
    assert again.statements_stored == 0
    assert again.chunks_skipped == 3
    assert _count(hq) == 4500

    # HQ's answer carries the acknowledgement: the kit has nothing left to send.
    assert _pending(kit).statements == 4500
    transfer(hq, kit, tmp_path / "h1.kitbundle", kit_id)
    assert _pending(kit).statements == 0

    # New statements only travel in the next bundle.
    make_statements(kit, 3)
    assert _pending(kit).statements == 3
    with kit.app_context():
        manifest = services.export_bundle(db.session, tmp_path / "k2.kitbundle")
    assert sum(c["count"] for c in manifest.chunks if c["kind"] == "statements") == 3
    with hq.app_context():
        assert services.import_bundle(db.session, tmp_path / "k2.kitbundle").statements_stored == 3
    assert _count(hq) == 4503


def test_a_remade_bundle_overlapping_an_imported_one_stores_nothing_twice(
    paired, hq, kit, tmp_path
):
    make_statements(kit, 10)
    transfer(kit, hq, tmp_path / "a.kitbundle")
    make_statements(kit, 5)
    # Made again without HQ's acknowledgement: it carries all 15.
    with kit.app_context():
        services.export_bundle(db.session, tmp_path / "b.kitbundle")
    with hq.app_context():
        peer = services.the_peer(db.session, paired[1])
        peer.received_statements = 0  # as if HQ had lost track: ids still protect it
        db.session.commit()
        result = services.import_bundle(db.session, tmp_path / "b.kitbundle")
    assert (result.statements_stored, result.statements_known) == (5, 10)
    assert _count(hq) == 15


def test_truncated_bundle_is_refused_and_nothing_applied(paired, hq, kit, tmp_path):
    make_statements(kit, 2500)
    path = tmp_path / "full.kitbundle"
    with kit.app_context():
        services.export_bundle(db.session, path)
    cut = tmp_path / "cut.kitbundle"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with hq.app_context(), pytest.raises(BundleError, match="incomplete or damaged"):
        services.import_bundle(db.session, cut)
    assert _count(hq) == 0


def test_bundle_with_a_missing_chunk_is_refused(paired, hq, kit, tmp_path):
    make_statements(kit, 2500)
    path = tmp_path / "full.kitbundle"
    with kit.app_context():
        services.export_bundle(db.session, path)
    short = tmp_path / "short.kitbundle"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(short, "w") as dst:
        for info in src.infolist():
            if not info.filename.startswith("chunks/000002"):
                dst.writestr(info, src.read(info))
    with hq.app_context(), pytest.raises(BundleError, match="missing"):
        services.import_bundle(db.session, short)
    assert _count(hq) == 0


def _rewrite(path, out, change):
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(info.filename, data))


def test_tampered_chunk_is_refused(paired, hq, kit, tmp_path):
    make_statements(kit, 20)
    path = tmp_path / "b.kitbundle"
    with kit.app_context():
        services.export_bundle(db.session, path)

    def edit(name, data):
        if name.startswith("chunks/"):
            return data.replace(b"completed", b"attempted", 1)
        return data

    _rewrite(path, tmp_path / "t.kitbundle", edit)
    with hq.app_context(), pytest.raises(BundleError, match="checksum"):
        services.import_bundle(db.session, tmp_path / "t.kitbundle")
    assert _count(hq) == 0


def test_tampered_manifest_is_refused(paired, hq, kit, tmp_path):
    make_statements(kit, 20)
    path = tmp_path / "b.kitbundle"
    with kit.app_context():
        services.export_bundle(db.session, path)

    def edit(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["marks"]["statements"] += 1000
            return json.dumps(manifest).encode()
        return data

    _rewrite(path, tmp_path / "t.kitbundle", edit)
    with hq.app_context(), pytest.raises(BundleError, match="signature does not match"):
        services.import_bundle(db.session, tmp_path / "t.kitbundle")
    assert _count(hq) == 0


def test_bundle_signed_by_a_foreign_key_is_refused(paired, hq, kit, tmp_path, database_template):
    from lms.sync import crypto

    make_statements(kit, 5)
    path = tmp_path / "b.kitbundle"
    with kit.app_context():
        services.export_bundle(db.session, path)
    foreign_key, _ = crypto.new_key_pair()

    def edit(name, data):
        if name == "manifest.sig":
            with zipfile.ZipFile(path) as zf:
                return crypto.sign(foreign_key, zf.read("manifest.json")).encode()
        return data

    _rewrite(path, tmp_path / "f.kitbundle", edit)
    with hq.app_context(), pytest.raises(BundleError, match="signature does not match"):
        services.import_bundle(db.session, tmp_path / "f.kitbundle")
    assert _count(hq) == 0


def test_bundle_from_an_unregistered_instance_is_refused(hq, kit, tmp_path):
    with kit.app_context():
        services.init_identity(db.session, "kit", "Unregistered kit")
        db.session.commit()
    with hq.app_context():
        hq_ident = services.init_identity(db.session, "hq", "UNMIC HQ")
        hq_doc = services.identity_document(hq_ident)
        db.session.commit()
    with kit.app_context():
        services.register_peer(db.session, hq_doc, "test")
        db.session.commit()
    make_statements(kit, 3)
    with kit.app_context():
        services.export_bundle(db.session, tmp_path / "u.kitbundle")
    with hq.app_context(), pytest.raises(BundleError, match="not registered here"):
        services.import_bundle(db.session, tmp_path / "u.kitbundle")
    assert _count(hq) == 0


def test_bundle_for_another_instance_is_refused(paired, hq, kit, tmp_path):
    hq_id, kit_id = paired
    with hq.app_context():
        services.export_bundle(db.session, tmp_path / "to-kit.kitbundle", kit_id)
    # Imported at HQ itself: not addressed to it (and not from a registered peer).
    with hq.app_context(), pytest.raises(BundleError):
        services.import_bundle(db.session, tmp_path / "to-kit.kitbundle")


def test_a_different_statement_under_a_known_id_is_kept_aside(paired, hq, kit, tmp_path):
    from lms.sync.models import Conflict
    from lms.xapi.store import save_statements
    from tests.sync.conftest import AUTHORITY
    from tests.xapi.factories import agent, statement

    ids = make_statements(kit, 6)
    with hq.app_context():
        clash = statement(id=ids[2], actor=agent("someone-else"))
        save_statements(db.session, [clash], AUTHORITY)
        db.session.commit()
    result = transfer(kit, hq, tmp_path / "k.kitbundle")
    assert (result.statements_stored, result.statements_conflicting) == (5, 1)
    with hq.app_context():
        kept = db.session.scalars(select(Conflict)).one()
        assert (kept.table_name, kept.record_id, kept.winner) == ("lrs_statement", ids[2], "local")
        assert kept.lost_data["actor"]["account"]["name"] == "trainee-1"
        raw = db.session.scalars(
            select(Statement.raw).where(Statement.statement_id == __import__("uuid").UUID(ids[2]))
        ).one()
    assert "someone-else" in raw  # the stored statement is untouched
