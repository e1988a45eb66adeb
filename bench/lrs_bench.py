"""Benchmark the platform's LRS under gunicorn (2 workers, gunicorn.conf.py) on SQLite and PostgreSQL.

    .venv/bin/python bench/lrs_bench.py [--backend sqlite|postgresql|both]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--seconds 20] [--stored 1000000]

For each backend: a fresh database (migrated), an LRS client from ``flask lrs create-client``,
gunicorn with 2 workers, then bench/lrs_load.py for batched and single ingest; then the store is
filled to --stored statements (through store.save_statements, the same code path as the API)
and the four query shapes and paging with ``more`` are timed, with the workers' memory before
and after paging. Prints the numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import lrs_load  # noqa: E402
import requests  # noqa: E402

PORT = 8765


def env_for(url: str) -> dict:
    return {
        **os.environ,
        "LMS_ENV": "production",
        "LMS_SECRET_KEY": "bench-" + "x" * 40,
        "LMS_DATABASE_URL": url,
        "LMS_SECURE_COOKIES": "0",
    }


def fresh_database(backend: str, pg_url: str, workdir: Path) -> str:
    if backend == "sqlite":
        path = workdir / "lrs-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(pg_url)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "lrs_bench" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "lrs_bench"'))
    engine.dispose()
    return base.set(database="lrs_bench").render_as_string(hide_password=False)


def flask(url: str, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env_for(url),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def start_gunicorn(url: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            # gunicorn.conf.py: threaded workers with keep-alive, as the portal runs at HQ
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "app:app",
        ],
        cwd=ROOT,
        env=env_for(url),
    )
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{PORT}/xapi/about", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def worker_pids(master: int) -> list[int]:
    """Process ids of the gunicorn workers of the given master."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def worker_rss_kb(master: int, kind: str = "VmRSS") -> int:
    """The workers' resident memory in KB: all of it (VmRSS), or only the anonymous part
    (RssAnon: the heap, without the database file pages SQLite maps into memory)."""
    total = 0
    for pid in worker_pids(master):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith(f"{kind}:"):
                total += int(line.split()[1])
    return total


def seed(url: str, target: int, batch: int = 1000) -> float:
    """Fill the store to ``target`` statements through store.save_statements."""
    os.environ.update(env_for(url))
    from sqlalchemy import func, select

    from lms import create_app
    from lms.extensions import db
    from lms.xapi import store
    from lms.xapi.models import Statement

    app = create_app()
    authority = {
        "objectType": "Agent",
        "name": "bench",
        "account": {"homePage": "https://training.unmic.example", "name": "bench"},
    }
    rng = random.Random(7)
    started = time.perf_counter()
    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Statement))
        while have < target:
            size = min(batch, target - have)
            store.save_statements(
                db.session,
                [lrs_load.make_statement(rng) for _ in range(size)],
                authority,
                forward=False,
            )
            db.session.commit()
            have += size
            if have % 100_000 < batch:
                print(f"  ... {have} statements stored", flush=True)
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - started


def run_backend(backend: str, args) -> dict:
    figures: dict = {}
    url = fresh_database(backend, args.postgres_url, Path(args.workdir))
    flask(url, "db", "upgrade")
    pair = json.loads(flask(url, "lrs", "create-client", "bench", "--json"))
    load_args = argparse.Namespace(
        endpoint=f"http://127.0.0.1:{PORT}/xapi/", key=pair["key"], secret=pair["secret"]
    )
    print(f"\n== {backend} ==", flush=True)
    server = start_gunicorn(url)
    try:
        batch = lrs_load.run_ingest(load_args, 100, 2, args.seconds, 1)
        print(
            f"batched ingest (2 clients x 100/request): {batch['per_second']:7.0f} statements/s"
            f"  (p99 {batch['p99_ms']:.0f} ms/request, {batch['errors']} errors)",
            flush=True,
        )
        figures["batched_per_s"] = round(batch["per_second"])
        single = lrs_load.run_ingest(load_args, 1, args.single_clients, args.seconds, 2)
        figures.update(
            single_per_s=round(single["per_second"]),
            single_p50_ms=round(single["p50_ms"], 1),
            single_p99_ms=round(single["p99_ms"], 1),
        )
        print(
            f"single POST ({args.single_clients} clients):            {single['per_second']:7.0f} statements/s"
            f"  p50 {single['p50_ms']:.1f} ms  p99 {single['p99_ms']:.1f} ms  ({single['errors']} errors)",
            flush=True,
        )
    finally:
        server.terminate()
        server.wait()
    if args.stored:
        took = seed(url, args.stored)
        print(f"filled to {args.stored} statements in {took:.0f} s", flush=True)
        server = start_gunicorn(url)
        try:
            for name, numbers in lrs_load.run_queries(load_args).items():
                figures[f"get_{name.replace(' ', '_').replace('+', '_')}_p95_ms"] = round(
                    numbers["p95_ms"], 1
                )
                print(
                    f"GET {name:<19} limit 50: p50 {numbers['p50_ms']:5.1f} ms  p95 {numbers['p95_ms']:5.1f} ms"
                    f"  ({numbers['avg_results']:.0f} statements a page)",
                    flush=True,
                )
            before = worker_rss_kb(server.pid)
            heap_before = worker_rss_kb(server.pid, "RssAnon")
            paging = lrs_load.run_paging(load_args)
            after = worker_rss_kb(server.pid)
            heap_after = worker_rss_kb(server.pid, "RssAnon")
            figures.update(
                paging_statements=paging["statements"],
                paging_s=round(paging["seconds"], 2),
                worker_mb_before=before // 1024,
                worker_mb_after=after // 1024,
                worker_heap_mb_before=heap_before // 1024,
                worker_heap_mb_after=heap_after // 1024,
            )
            print(
                f"paging with more: {paging['statements']} statements, {paging['pages']} pages in"
                f" {paging['seconds']:.1f} s (first page {paging['first_page_ms']:.0f} ms, last"
                f" {paging['last_page_ms']:.0f} ms); worker memory {before // 1024} MB ->"
                f" {after // 1024} MB, of it heap {heap_before // 1024} MB -> {heap_after // 1024} MB",
                flush=True,
            )
        finally:
            server.terminate()
            server.wait()
    return figures


def main() -> None:
    global PORT
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--single-clients", type=int, default=4)
    parser.add_argument("--stored", type=int, default=1_000_000, help="0 skips the query phase")
    parser.add_argument("--workdir", default="/tmp")
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="SQLite only, 5 s phases, 20,000 stored: under a minute",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.stored = 5, 20_000
        if args.backend == "both":
            args.backend = "sqlite"
    PORT = args.port
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = {backend: run_backend(backend, args) for backend in backends}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
