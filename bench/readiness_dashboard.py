"""Readiness dashboard speed with a large LRS.

A rotation of 1,000 people, 20 requirements and 1,000,000 statements in the LRS (--quick: 100,000):
times the rotation dashboard (p50/p95 over repeated requests) and the CSV export (time and peak
Python memory), on SQLite by default or on PostgreSQL with --database-url.

    python bench/readiness_dashboard.py [--quick] [--database-url URL] [--people N] [--statements N]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from lms import create_app  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.xapi import iris  # noqa: E402


def build(app, people: int, statements: int, requirements: int, seed: int) -> str:
    from lms.auth import services as accounts
    from lms.org.models import (
        Contingent,
        Country,
        Mission,
        Person,
        Rotation,
        RotationMember,
        SubUnit,
    )
    from lms.readiness.models import Requirement
    from lms.xapi.models import Statement

    rng = random.Random(seed)
    base = app.config["ACTIVITY_BASE"]
    today = datetime.now(UTC).date()
    mission = Mission(code="BENCH", name="Bench mission", host_country="Carana")
    country = Country(iso_code="BNC", name="Benchland")
    contingent = Contingent(
        country=country,
        mission=mission,
        code="BENCHBATT",
        name="Bench battalion",
        kind="infantry-battalion",
    )
    subunits = [SubUnit(contingent=contingent, name=f"Company {c}", kind="company") for c in "ABCD"]
    rotation = Rotation(
        contingent=contingent,
        number=1,
        planned_deployment=today + timedelta(days=45),
        status="preparing",
    )
    db.session.add_all([mission, country, contingent, rotation, *subunits])
    reqs = [
        Requirement(
            mission=mission,
            title=f"Course {i + 1}",
            kind="course",
            ref=f"course-{i + 1}",
            rule="completed",
            roles=[] if i < 15 else ["staff-officer"],
            validity_months=24 if i % 3 else 12,
            due_days_before=30,
        )
        for i in range(requirements)
    ]
    db.session.add_all(reqs)
    persons = [
        Person(
            country=country,
            service_number=f"BN-{n:06d}",
            given_name="Given",
            family_name=f"Family{n:05d}",
            rank="Sergeant",
            role="staff-officer" if n % 10 == 0 else "infantry",
        )
        for n in range(people)
    ]
    db.session.add_all(persons)
    db.session.flush()
    db.session.add_all(
        RotationMember(rotation=rotation, person=p, subunit=subunits[i % 4])
        for i, p in enumerate(persons)
    )
    accounts.create_user("bench-admin", "bench admin password", "Bench", {"admin"})
    db.session.commit()

    authority = f"account:{base}|portal"
    verbs_other = [iris.EXPERIENCED, iris.ANSWERED, iris.INITIALIZED, iris.TERMINATED]
    rows: list[dict] = []
    inserted = 0

    def flush_rows() -> None:
        nonlocal rows, inserted
        if rows:
            db.session.execute(insert(Statement), rows)
            db.session.commit()
            inserted += len(rows)
            rows = []

    def add(actor: str, verb: str, activity: str, day: date) -> None:
        at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
        rows.append(
            {
                "statement_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "stored": at,
                "timestamp": at,
                "actor_key": actor,
                "verb_id": verb,
                "activity_id": activity,
                "registration": None,
                "ref_id": None,
                "voiding": False,
                "voided": False,
                "authority_key": authority,
                "version": "1.0.3",
                "has_attachments": False,
                "raw": '{"bench":true}',
            }
        )
        if len(rows) >= 20_000:
            flush_rows()

    # The rotation's people: completions of most requirements, plus their lesson and quiz traffic.
    for p in persons:
        actor = f"account:{base}|{p.id}"
        for i, req in enumerate(reqs):
            activity = iris.activity_id("course", req.ref, base)
            if rng.random() < 0.85:
                add(actor, iris.COMPLETED, activity, today - timedelta(days=rng.randint(1, 500)))
            for _ in range(2):
                add(
                    actor,
                    rng.choice(verbs_other),
                    f"{activity}/lesson-{i}",
                    today - timedelta(days=rng.randint(1, 500)),
                )
    # Everybody else in the LRS: other contingents, other missions.
    while inserted + len(rows) < statements:
        actor = f"account:{base}|{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        for _ in range(50):
            req = rng.choice(reqs)
            verb = iris.COMPLETED if rng.random() < 0.2 else rng.choice(verbs_other)
            add(
                actor,
                verb,
                iris.activity_id("course", req.ref, base),
                today - timedelta(days=rng.randint(1, 900)),
            )
    flush_rows()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return str(rotation.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="100,000 statements and fewer requests"
    )
    parser.add_argument(
        "--database-url", help="an empty database to fill (default: a temporary SQLite file)"
    )
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--requirements", type=int, default=20)
    parser.add_argument("--statements", type=int)
    parser.add_argument("--requests", type=int)
    args = parser.parse_args()
    statements = args.statements or (100_000 if args.quick else 1_000_000)
    requests = args.requests or (20 if args.quick else 60)

    tmp = tempfile.mkdtemp(prefix="lms-bench-")
    url = args.database_url or f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        rotation_id = build(app, args.people, statements, args.requirements, seed=42)
    load_s = time.perf_counter() - started
    print(
        f"database: {url.split(':')[0]}, {statements:,} statements, {args.people:,} people, {args.requirements} requirements (loaded in {load_s:.0f} s)"
    )

    client = app.test_client()
    client.post("/login", data={"username": "bench-admin", "password": "bench admin password"})
    path = f"/readiness/rotations/{rotation_id}"
    t0 = time.perf_counter()
    first = client.get(path)
    cold_ms = (time.perf_counter() - t0) * 1000
    assert first.status_code == 200, first.status_code
    print(f"dashboard, first request (figures computed from the LRS): {cold_ms:.0f} ms")
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    times.sort()
    p50 = statistics.median(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"dashboard: {requests} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
    )

    tracemalloc.start()
    t0 = time.perf_counter()
    response = client.get(f"{path}/readiness.csv")
    size = sum(len(chunk) for chunk in response.response)
    csv_ms = (time.perf_counter() - t0) * 1000
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"csv export: {size / 1024:.0f} KB in {csv_ms:.0f} ms, peak Python memory {peak / 1e6:.1f} MB"
    )
    print(
        json.dumps(
            {
                "backend": url.split(":")[0],
                "statements": statements,
                "people": args.people,
                "requirements": args.requirements,
                "dashboard_cold_ms": round(cold_ms),
                "dashboard_p50_ms": round(p50, 1),
                "dashboard_p95_ms": round(p95, 1),
                "csv_ms": round(csv_ms),
                "csv_kb": round(size / 1024),
                "csv_peak_mb": round(peak / 1e6, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
