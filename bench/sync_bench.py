"""A field kit with many new statements syncs to HQ: by bundle (export + import) and online.

    .venv/bin/python bench/sync_bench.py [--quick] [--statements N]

Builds throw-away SQLite databases with the migrations: a kit and HQ that know each other. The
kit records N statements (100,000; 10,000 with ``--quick``) from 400 trainees over 60
activities. Then, timed with peak Python memory (tracemalloc) for each step:

- bundle: the kit writes a signed bundle; HQ verifies and imports it; HQ imports it again
  (nothing changes);
- online: a copy of the same kit pushes to a copy of HQ served on 127.0.0.1 (chunk by chunk,
  each acknowledged), then pulls HQ's answer.

Prints one line per step and ends with one JSON line, e.g.
{"statements": 100000, "bundle_export_s": 4.1, "bundle_import_s": 20.3, ...}.
Targets: each way (bundle export + import, online) within 30 s for 100,000 statements, with a
peak memory that does not grow with N (chunks are streamed, never the whole table).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_SECONDS = 30.0
TRACE = "--no-trace" not in sys.argv
AUTHORITY = {
    "objectType": "Agent",
    "name": "Sector East field kit",
    "account": {"homePage": "https://training.unmic.example", "name": "kit-east"},
}


def make_app(path: Path):
    from lms import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "REDIS_URL": None,
            "ENV_NAME": "testing",
        }
    )


def dispose(app) -> None:
    from lms.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def statements(count: int):
    """Statements as a kit records them: completions and passes of lessons by trainees."""
    verbs = [
        ("http://adlnet.gov/expapi/verbs/completed", "completed"),
        ("http://adlnet.gov/expapi/verbs/passed", "passed"),
        ("http://adlnet.gov/expapi/verbs/attempted", "attempted"),
    ]
    for n in range(count):
        verb_id, verb = verbs[n % 3]
        yield {
            "id": str(uuid.uuid4()),
            "actor": {
                "objectType": "Agent",
                "name": f"Trainee {n % 400}",
                "account": {
                    "homePage": "https://training.unmic.example",
                    "name": f"person-{n % 400:04d}",
                },
            },
            "verb": {"id": verb_id, "display": {"en-US": verb}},
            "object": {
                "objectType": "Activity",
                "id": f"https://training.unmic.example/xapi/activities/lesson/l{n % 60:02d}",
                "definition": {"name": {"en-US": f"Lesson {n % 60}"}},
            },
            "result": {"score": {"scaled": (n % 100) / 100}, "success": n % 5 != 0},
            "timestamp": f"2026-10-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
        }


def timed(label: str, func, trace: bool = True):
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    value = func()
    seconds = time.perf_counter() - start
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    peak_mb = peak / 1e6
    print(f"{label:<28} {seconds:7.2f} s   peak {peak_mb:6.1f} MB", flush=True)
    return value, round(seconds, 2), round(peak_mb, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 statements")
    parser.add_argument("--statements", type=int, default=None)
    parser.add_argument("--no-trace", action="store_true", help="time without tracemalloc")
    args = parser.parse_args()
    count = args.statements or (10_000 if args.quick else 100_000)

    from flask_migrate import upgrade
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from lms.extensions import db
    from lms.sync import client, services
    from lms.xapi.models import Statement
    from lms.xapi.store import save_statements

    work = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    try:
        template = work / "template.sqlite3"
        app = make_app(template)
        with app.app_context():
            upgrade()
        dispose(app)
        for name in ("kit", "hq"):
            shutil.copyfile(template, work / f"{name}.sqlite3")
        kit, hq = make_app(work / "kit.sqlite3"), make_app(work / "hq.sqlite3")
        with kit.app_context():
            kit_doc = services.identity_document(
                services.init_identity(db.session, "kit", "Sector East")
            )
            db.session.commit()
        with hq.app_context():
            hq_doc = services.identity_document(services.init_identity(db.session, "hq", "HQ"))
            services.register_peer(db.session, kit_doc, "bench")
            db.session.commit()
        with kit.app_context():
            services.register_peer(db.session, hq_doc, "bench")
            db.session.commit()
            start = time.perf_counter()
            batch = []
            for statement in statements(count):
                batch.append(statement)
                if len(batch) == 1000:
                    save_statements(db.session, batch, AUTHORITY)
                    db.session.commit()
                    batch = []
            if batch:
                save_statements(db.session, batch, AUTHORITY)
                db.session.commit()
            print(f"kit recorded {count} statements in {time.perf_counter() - start:.1f} s")
        dispose(kit)
        dispose(hq)
        # Copies for the online run, in the same state.
        shutil.copyfile(work / "kit.sqlite3", work / "kit-online.sqlite3")
        shutil.copyfile(work / "hq.sqlite3", work / "hq-online.sqlite3")

        bundle_path = work / "kit-to-hq.kitbundle"

        def export():
            with kit.app_context():
                services.export_bundle(db.session, bundle_path)
                db.session.rollback()

        def import_():
            with hq.app_context():
                return services.import_bundle(db.session, bundle_path)

        _, export_s, export_mb = timed("bundle export (kit)", export, TRACE)
        result, import_s, import_mb = timed("bundle import (HQ)", import_, TRACE)
        again, again_s, _ = timed("same bundle again (HQ)", import_)
        with hq.app_context():
            at_hq = db.session.scalar(select(func.count()).select_from(Statement))
        assert result.statements_stored == count and at_hq == count, (result, at_hq)
        assert again.statements_stored == 0
        bundle_mb = bundle_path.stat().st_size / 1e6
        print(f"bundle size {bundle_mb:.1f} MB")
        dispose(kit)
        dispose(hq)

        kit2 = make_app(work / "kit-online.sqlite3")
        hq2 = make_app(work / "hq-online.sqlite3")
        server = make_server("127.0.0.1", 0, hq2, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_port}"

        def online():
            with kit2.app_context():
                return client.sync(db.session, url)

        try:
            synced, online_s, online_mb = timed("online sync (kit -> HQ)", online)
        finally:
            server.shutdown()
            thread.join(timeout=10)
        with hq2.app_context():
            at_hq2 = db.session.scalar(select(func.count()).select_from(Statement))
        assert synced.statements_pushed == count and at_hq2 == count, (synced, at_hq2)
        dispose(kit2)
        dispose(hq2)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    bundle_total = round(export_s + import_s, 2)
    summary = {
        "statements": count,
        "bundle_export_s": export_s,
        "bundle_import_s": import_s,
        "bundle_total_s": bundle_total,
        "bundle_reimport_s": again_s,
        "bundle_mb": round(bundle_mb, 1),
        "online_s": online_s,
        "peak_mb_export": export_mb,
        "peak_mb_import": import_mb,
        "peak_mb_online": online_mb,
        "limit_s": LIMIT_SECONDS,
        "ok": bundle_total <= LIMIT_SECONDS and online_s <= LIMIT_SECONDS,
    }
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
