"""Kill gunicorn workers (SIGKILL) while clients post statements; check nothing acknowledged is lost.

    .venv/bin/python bench/lrs_crash.py [--database-url URL] [--seconds 20] [--port 8766]

Starts gunicorn with 2 workers on a fresh database (SQLite by default), posts batches of 20
statements from 2 clients, kills a random worker every second, then reads back every statement
id the LRS acknowledged (HTTP 200) and prints how many are missing (expected: 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import lrs_bench  # noqa: E402
import lrs_load  # noqa: E402
import requests  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--quick", action="store_true", help="an 8-second run")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 8
    workdir = Path("/tmp/lrs-crash")
    workdir.mkdir(exist_ok=True)
    url = args.database_url or lrs_bench.fresh_database("sqlite", "", workdir)
    lrs_bench.PORT = args.port
    lrs_bench.flask(url, "db", "upgrade")
    pair = json.loads(lrs_bench.flask(url, "lrs", "create-client", "crash test", "--json"))
    server = lrs_bench.start_gunicorn(url)
    endpoint = f"http://127.0.0.1:{args.port}/xapi/"
    acknowledged: list[str] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def client(number: int) -> None:
        rng = random.Random(number)
        session = lrs_load.Client(endpoint, pair["key"], pair["secret"])
        while time.monotonic() < stop:
            batch = [lrs_load.make_statement(rng) for _ in range(20)]
            try:
                response = session.post(batch)
            except requests.RequestException:
                failures[0] += 1
                continue
            if response.status_code == 200:
                with lock:
                    acknowledged.extend(response.json())
            else:
                failures[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    kills = 0
    try:
        while time.monotonic() < stop:
            time.sleep(1)
            pids = lrs_bench.worker_pids(server.pid)
            if pids:
                os.kill(random.choice(pids), signal.SIGKILL)
                kills += 1
        for thread in threads:
            thread.join()
        reader = lrs_load.Client(endpoint, pair["key"], pair["secret"])
        missing = 0
        for statement_id in acknowledged:
            for _ in range(20):
                try:
                    response = reader.get({"statementId": statement_id})
                    break
                except requests.RequestException:
                    time.sleep(0.2)
            if response.status_code != 200:
                missing += 1
    finally:
        server.terminate()
        server.wait()
    print(
        f"{kills} workers killed; {len(acknowledged)} statements acknowledged, {missing} of them"
        f" missing; {failures[0]} requests failed (not acknowledged, safe to resend)"
    )
    print(
        json.dumps(
            {
                "workers_killed": kills,
                "acknowledged": len(acknowledged),
                "missing": missing,
                "failed_requests": failures[0],
            }
        )
    )


if __name__ == "__main__":
    main()
