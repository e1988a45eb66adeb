"""``flask kit`` on both sides and the /admin/kits pages."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from lms.extensions import db
from lms.sync import services
from lms.xapi.models import Statement
from tests import factories
from tests.conftest import AuthActions
from tests.sync.conftest import make_statements


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["kit", *args])
    return result


def test_cli_round_trip_by_files(hq, kit, tmp_path):
    kit_file, hq_file = tmp_path / "kit.json", tmp_path / "hq.json"
    assert "not a field kit" in _run(kit, "status").output.lower()
    result = _run(kit, "init", "--name", "Sector East forward position")
    assert result.exit_code == 0, result.output
    assert _run(kit, "export-registration", str(kit_file)).exit_code == 0
    result = _run(hq, "hq-identity", str(hq_file))
    assert result.exit_code == 0, result.output
    result = _run(hq, "register", str(kit_file), "--contingent", "BANBAT-1")
    assert result.exit_code == 0, result.output
    assert "BANBAT-1" in result.output
    assert _run(kit, "register", str(hq_file)).exit_code == 0

    make_statements(kit, 30)
    status = _run(kit, "status")
    assert "to send: 30 statements" in status.output

    bundle = tmp_path / "kit-to-hq.kitbundle"
    result = _run(kit, "export-bundle", str(bundle))
    assert result.exit_code == 0, result.output
    result = _run(hq, "import-bundle", str(bundle))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["statements_stored"] == 30
    result = _run(hq, "import-bundle", str(bundle))
    assert json.loads(result.output.strip().splitlines()[-1])["statements_stored"] == 0

    kit_id = json.loads(kit_file.read_text())["id"]
    back = tmp_path / "hq-to-kit.kitbundle"
    assert _run(hq, "export-bundle", str(back), "--to", kit_id).exit_code == 0
    assert _run(kit, "import-bundle", str(back)).exit_code == 0
    assert "to send: 0 statements" in _run(kit, "status").output
    assert "last sync" in _run(hq, "status").output


def test_cli_errors_are_one_clear_line(hq, kit, tmp_path):
    (tmp_path / "junk.kitbundle").write_bytes(b"PK\x03\x04 not really a zip")
    _run(hq, "hq-identity", str(tmp_path / "hq.json"))
    result = _run(hq, "import-bundle", str(tmp_path / "junk.kitbundle"))
    assert result.exit_code != 0
    assert "incomplete or damaged" in result.output
    assert "Traceback" not in result.output
    result = _run(kit, "export-bundle", str(tmp_path / "x.kitbundle"))
    assert result.exit_code != 0 and "flask kit init" in result.output
    result = _run(kit, "sync", "http://127.0.0.1:9")
    assert result.exit_code != 0


def _admin(app):
    client = app.test_client()
    with app.app_context():
        factories.create_user("boss", roles=("admin",))
        db.session.commit()
    AuthActions(client).login("boss")
    return client


def test_admin_pages_register_export_and_import(hq, kit, tmp_path):
    with kit.app_context():
        kit_doc = services.identity_document(services.init_identity(db.session, "kit", "East"))
        db.session.commit()
    make_statements(kit, 12)

    hq_admin = _admin(hq)
    page = hq_admin.get("/admin/kits")
    assert page.status_code == 200
    assert b"No field kit registered yet." in page.data
    reply = hq_admin.post(
        "/admin/kits/register",
        data={
            "file": (io.BytesIO(json.dumps(kit_doc).encode()), "kit.json"),
            "contingents": "BANBAT-1, NEPBAT-2",
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert b"East registered." in reply.data
    assert b"BANBAT-1, NEPBAT-2" in reply.data
    hq_doc = hq_admin.get("/admin/kits/identity").get_json()
    assert hq_doc["role"] == "hq"

    kit_admin = _admin(kit)
    kit_admin.post(
        "/admin/kits/register",
        data={"file": (io.BytesIO(json.dumps(hq_doc).encode()), "hq.json")},
        content_type="multipart/form-data",
    )
    page = kit_admin.get("/admin/kits")
    assert b"HQ and what this kit still has to send" in page.data
    assert b"<td>12</td>" in page.data

    download = kit_admin.post("/admin/kits/export", data={})
    assert download.status_code == 200
    data = download.get_data()
    download.close()
    reply = hq_admin.post(
        "/admin/kits/import",
        data={"file": (io.BytesIO(data), "east.kitbundle")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert b"Bundle imported: 12 new statements" in reply.data
    with hq.app_context():
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 12

    bad = hq_admin.post(
        "/admin/kits/import",
        data={"file": (io.BytesIO(data[:200]), "cut.kitbundle")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert b"Bundle refused" in bad.data


def test_admin_pages_need_an_administrator(hq):
    client = hq.test_client()
    assert client.get("/admin/kits").status_code in (302, 401)
    with hq.app_context():
        factories.create_user("trainee7")
        db.session.commit()
    AuthActions(client).login("trainee7")
    assert client.get("/admin/kits").status_code == 403
