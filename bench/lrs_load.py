"""Load an xAPI endpoint and print throughput and latency (works against any LRS).

    python bench/lrs_load.py --endpoint http://127.0.0.1:8765/xapi/ --key K --secret S \\
        [--batch-seconds 20] [--single-seconds 20] [--clients 2] [--single-clients 4] [--query]

Phases: batched ingest (100 statements a request from --clients clients), single-statement POSTs
(from --single-clients clients), and with --query the four query shapes (limit 50) and paging
through 10,000 results with the ``more`` link.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import random
import threading
import time
import uuid
from urllib.parse import urljoin, urlsplit

import requests

VERBS = [
    "http://adlnet.gov/expapi/verbs/experienced",
    "http://adlnet.gov/expapi/verbs/answered",
    "http://adlnet.gov/expapi/verbs/completed",
    "http://adlnet.gov/expapi/verbs/passed",
    "http://adlnet.gov/expapi/verbs/failed",
]
BASE = "https://training.unmic.example/xapi/activities"
COURSES = [f"{BASE}/course/cptm-{n}" for n in range(20)]
LESSONS = [f"{BASE}/lesson/l{n}" for n in range(400)]


def make_statement(rng: random.Random, people: int = 20_000, registrations: int = 50_000) -> dict:
    person = rng.randrange(people)
    lesson = rng.randrange(len(LESSONS))
    verb = VERBS[rng.randrange(len(VERBS))]
    statement = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {
            "objectType": "Agent",
            "name": f"Trainee {person}",
            "account": {"homePage": "https://training.unmic.example", "name": f"p{person}"},
        },
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {
            "objectType": "Activity",
            "id": LESSONS[lesson],
            "definition": {
                "name": {"en-US": f"Lesson {lesson}"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
        "context": {
            "registration": str(uuid.UUID(int=rng.randrange(registrations) + 1, version=4)),
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": COURSES[lesson % len(COURSES)]}],
                "category": [
                    {
                        "objectType": "Activity",
                        "id": "https://w3id.org/xapi/cmi5/context/categories/cmi5",
                    }
                ],
            },
            "platform": "UNMIC portal",
            "language": "en-US",
        },
        "timestamp": "2026-03-02T08:15:30.123Z",
    }
    if verb.endswith(("passed", "failed", "answered")):
        statement["result"] = {
            "score": {"scaled": round(rng.random(), 2)},
            "success": verb.endswith("passed"),
            "duration": f"PT{rng.randrange(30, 900)}S",
        }
    return statement


class Client:
    def __init__(self, endpoint: str, key: str, secret: str):
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.session = requests.Session()
        self.session.auth = (key, secret)
        self.session.headers["X-Experience-API-Version"] = "1.0.3"

    def post(self, statements) -> requests.Response:
        return self.session.post(
            self.endpoint + "statements",
            data=json.dumps(statements),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )

    def get(self, params=None, url=None) -> requests.Response:
        target = urljoin(self.endpoint, url) if url else self.endpoint + "statements"
        return self.session.get(target, params=params, timeout=60)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


ID_MARK = "00000000-0000-4000-8000-00000000cafe"


def payload_templates(rng: random.Random, batch: int, count: int = 40) -> list[list[str]]:
    """Request bodies cut at each statement id, so a request only costs fresh ids and a join.

    The load generator shares the machine with the server; building and serialising 100
    statements per request in Python would take a good part of a core away from the LRS.
    """
    templates = []
    for _ in range(count):
        body = [make_statement(rng) for _ in range(batch)]
        for statement in body:
            statement["id"] = ID_MARK
        templates.append(json.dumps(body if batch > 1 else body[0]).split(ID_MARK))
    return templates


def fill(template: list[str]) -> bytes:
    parts = [template[0]]
    for rest in template[1:]:
        parts.append(str(uuid.uuid4()))
        parts.append(rest)
    return "".join(parts).encode()


class RawClient:
    """One keep-alive HTTP/1.1 connection posting prepared bodies (little client-side CPU)."""

    def __init__(self, endpoint: str, key: str, secret: str):
        parsed = urlsplit(endpoint if endpoint.endswith("/") else endpoint + "/")
        self.https = parsed.scheme == "https"
        self.host, self.port = parsed.hostname, parsed.port or (443 if self.https else 80)
        self.path = parsed.path + "statements"
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        }
        self.connection = None

    def _connect(self):
        factory = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        self.connection = factory(self.host, self.port, timeout=60)

    def post(self, body: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.connection is None:
                self._connect()
            try:
                self.connection.request("POST", self.path, body=body, headers=self.headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def run_ingest(args, batch: int, clients: int, seconds: float, seed: int) -> dict:
    latencies: list[float] = []
    counts = [0] * clients
    errors: list[str] = []
    lock = threading.Lock()
    templates = payload_templates(random.Random(seed), batch)
    stop = time.perf_counter() + seconds

    def worker(number: int) -> None:
        client = RawClient(args.endpoint, args.key, args.secret)
        turn = number
        while time.perf_counter() < stop:
            body = fill(templates[turn % len(templates)])
            turn += clients
            started = time.perf_counter()
            try:
                status, text = client.post(body)
            except OSError as exc:
                with lock:
                    errors.append(str(exc)[:200])
                time.sleep(0.5)
                continue
            elapsed = time.perf_counter() - started
            if status != 200:
                with lock:
                    errors.append(f"{status} {text[:200]!r}")
                continue
            with lock:
                latencies.append(elapsed)
            counts[number] += batch

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    return {
        "statements": sum(counts),
        "per_second": sum(counts) / took,
        "requests": len(latencies),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def run_queries(args, repeats: int = 200) -> dict:
    client = Client(args.endpoint, args.key, args.secret)
    rng = random.Random(99)
    shapes = {
        "agent": lambda: {
            "agent": json.dumps(
                {
                    "objectType": "Agent",
                    "account": {
                        "homePage": "https://training.unmic.example",
                        "name": f"p{rng.randrange(20_000)}",
                    },
                }
            )
        },
        "verb+activity": lambda: {
            "verb": VERBS[rng.randrange(5)],
            "activity": LESSONS[rng.randrange(400)],
        },
        "registration": lambda: {
            "registration": str(uuid.UUID(int=rng.randrange(50_000) + 1, version=4))
        },
        "related_activities": lambda: {
            "activity": COURSES[rng.randrange(20)],
            "related_activities": "true",
        },
    }
    results = {}
    for name, make in shapes.items():
        timings, found = [], 0
        for _ in range(repeats):
            params = {**make(), "limit": "50"}
            started = time.perf_counter()
            response = client.get(params)
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code} {response.text[:200]}")
            found += len(response.json()["statements"])
        results[name] = {
            "p50_ms": percentile(timings, 50) * 1000,
            "p95_ms": percentile(timings, 95) * 1000,
            "avg_results": found / repeats,
        }
    return results


def run_paging(args, total: int = 10_000, limit: int = 100) -> dict:
    client = Client(args.endpoint, args.key, args.secret)
    seen, pages, url = 0, 0, None
    started = time.perf_counter()
    page_times = []
    params = {"limit": str(limit), "verb": VERBS[2]}
    while seen < total:
        t0 = time.perf_counter()
        response = client.get(params=None if url else params, url=url)
        page_times.append(time.perf_counter() - t0)
        body = response.json()
        seen += len(body["statements"])
        pages += 1
        url = body.get("more")
        if not url:
            break
    took = time.perf_counter() - started
    return {
        "statements": seen,
        "pages": pages,
        "seconds": took,
        "first_page_ms": page_times[0] * 1000,
        "last_page_ms": page_times[-1] * 1000,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", required=True, help="xAPI base URL, e.g. http://host/xapi/")
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--clients", type=int, default=2, help="clients for batched ingest")
    parser.add_argument("--single-clients", type=int, default=4, help="clients for single POSTs")
    parser.add_argument("--batch-seconds", type=float, default=20)
    parser.add_argument("--single-seconds", type=float, default=20)
    parser.add_argument("--query", action="store_true", help="also run the query and paging phases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="5-second ingest phases")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch_seconds = min(args.batch_seconds, 5)
        args.single_seconds = min(args.single_seconds, 5)
    figures: dict = {}
    if args.batch_seconds > 0:
        batch = run_ingest(args, 100, args.clients, args.batch_seconds, args.seed)
        figures["batched_per_s"] = round(batch["per_second"])
        print(
            f"batched ingest  ({args.clients} clients x 100/request): {batch['per_second']:8.0f} statements/s"
            f"  p50 {batch['p50_ms']:.1f} ms  p99 {batch['p99_ms']:.1f} ms per request"
            f"  ({batch['statements']} stored, {batch['errors']} errors) {batch['first_error']}"
        )
    if args.single_seconds > 0:
        single = run_ingest(args, 1, args.single_clients, args.single_seconds, args.seed + 1)
        figures.update(
            single_per_s=round(single["per_second"]), single_p99_ms=round(single["p99_ms"], 1)
        )
        print(
            f"single POST     ({args.single_clients} clients):             {single['per_second']:8.0f} statements/s"
            f"  p50 {single['p50_ms']:.1f} ms  p99 {single['p99_ms']:.1f} ms"
            f"  ({single['statements']} stored, {single['errors']} errors) {single['first_error']}"
        )
    if args.query:
        for name, numbers in run_queries(args).items():
            figures[f"get_{name}_p95_ms"] = round(numbers["p95_ms"], 1)
            print(
                f"GET {name:<20} limit 50: p50 {numbers['p50_ms']:6.1f} ms  p95 {numbers['p95_ms']:6.1f} ms"
                f"  ({numbers['avg_results']:.1f} statements a page)"
            )
        paging = run_paging(args)
        print(
            f"paging with more: {paging['statements']} statements in {paging['pages']} pages,"
            f" {paging['seconds']:.1f} s; first page {paging['first_page_ms']:.1f} ms,"
            f" last page {paging['last_page_ms']:.1f} ms"
        )
        figures["paging_s"] = round(paging["seconds"], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
