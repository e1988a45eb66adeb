"""A field kit with many new statements syncs to HQ: by bundle (export + import) and online.

    .venv/bin/python bench/sync_bench.py [--quick] [--statements N]

Builds throw-away SQLite databases with the migrations: a kit and HQ that know each other. The
kit records N statements (100,000; 3,000 with ``--quick``) from 400 trainees over 60
activities. Each step is timed without tracemalloc (it slows Python down several times), then
run again on fresh copies with tracemalloc for its peak memory (``--quick``: one traced run):

- bundle: the kit writes a signed bundle; HQ verifies and imports it; HQ imports it again
  (nothing changes);
- online: a copy of the same kit pushes to a copy of HQ served on 127.0.0.1 (chunk by chunk,
  each acknowledged), then pulls HQ's answer.

Prints one line per step and ends with one JSON line, e.g.
{"statements": ..., "bundle_export_s": ..., "bundle_import_s": ..., "online_s": ..., "cpu_s": {...}, ...}.
Targets: each way (bundle export + import, online) within 30 s for 100,000 statements, with a
peak memory that does not grow with N (chunks are streamed, never the whole table).
"""

from __future__ import annotations

import argparse
import json
import os
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
# CPU time of this process per step: on a busy machine the wall clock also counts waiting.
CPU_SECONDS: dict[str, float] = {}
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


def timed(label: str, func, trace: bool):
    if trace:
        tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    value = func()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    CPU_SECONDS[label] = round(cpu, 2)
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    peak_mb = round(peak / 1e6, 1) if trace else None
    memory = f"   peak {peak_mb:6.1f} MB" if trace else ""
    print(f"{label:<42} {seconds:7.2f} s  (cpu {cpu:6.2f} s){memory}", flush=True)
    return value, round(seconds, 2), peak_mb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3,000 statements, timed with tracemalloc on"
    )
    parser.add_argument("--statements", type=int, default=None)
    parser.add_argument("--no-trace", action="store_true", help="skip the memory passes")
    args = parser.parse_args()
    count = args.statements or (3_000 if args.quick else 100_000)

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
        snapshot = {name: work / f"{name}.sqlite3" for name in ("kit", "hq")}
        runs = 0

        def fresh():
            nonlocal runs
            runs += 1
            pair = []
            for name in ("kit", "hq"):
                target = work / f"{name}-{runs}.sqlite3"
                shutil.copyfile(snapshot[name], target)
                pair.append(make_app(target))
            return pair

        def count_at(app):
            with app.app_context():
                return db.session.scalar(select(func.count()).select_from(Statement))

        def bundle_pass(trace: bool):
            kit, hq = fresh()
            path = work / f"bundle-{runs}.kitbundle"

            def export():
                with kit.app_context():
                    services.export_bundle(db.session, path)
                    db.session.rollback()

            def import_():
                with hq.app_context():
                    return services.import_bundle(db.session, path)

            tag = " [tracemalloc]" if trace else ""
            _, export_s, export_mb = timed(f"bundle export (kit){tag}", export, trace)
            result, import_s, import_mb = timed(f"bundle import (HQ){tag}", import_, trace)
            again, again_s, _ = timed(f"same bundle again (HQ){tag}", import_, trace)
            assert result.statements_stored == count == count_at(hq), result
            assert again.statements_stored == 0
            size = path.stat().st_size / 1e6
            dispose(kit)
            dispose(hq)
            return export_s, import_s, again_s, export_mb, import_mb, size

        def online_pass(trace: bool):
            kit, hq = fresh()
            server = make_server("127.0.0.1", 0, hq, threaded=True)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            url = f"http://127.0.0.1:{server.server_port}"

            def online():
                with kit.app_context():
                    return client.sync(db.session, url)

            tag = " [tracemalloc]" if trace else ""
            try:
                synced, online_s, online_mb = timed(f"online sync (kit -> HQ){tag}", online, trace)
            finally:
                server.shutdown()
                thread.join(timeout=10)
                server.server_close()
            assert synced.statements_pushed == count == count_at(hq), synced
            dispose(kit)
            dispose(hq)
            return online_s, online_mb

        # Times without tracemalloc (it slows Python down several times), then peak memory.
        if not args.quick:
            export_s, import_s, again_s, _, _, bundle_mb = bundle_pass(trace=False)
            online_s, _ = online_pass(trace=False)
        if args.quick or not args.no_trace:
            traced = bundle_pass(trace=True)
            export_mb, import_mb = traced[3], traced[4]
            online_traced_s, online_mb = online_pass(trace=True)
            if args.quick:
                export_s, import_s, again_s, _, _, bundle_mb = traced
                online_s = online_traced_s
        else:
            export_mb = import_mb = online_mb = None
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
        "cpu_s": CPU_SECONDS,
        "load_average": round(os.getloadavg()[0], 1),
        "timed_with_tracemalloc": bool(args.quick),
        "limit_s": LIMIT_SECONDS,
        "ok": bundle_total <= LIMIT_SECONDS and online_s <= LIMIT_SECONDS,
    }
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
