"""Keep-alive connections spread over gunicorn's workers (lms/serving.py, gunicorn.conf.py)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from lms import serving
from lms.serving import Balance, BalancedThreadWorker

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def two_workers(min_requests: int = 3):
    """A master's Balance with two workers forked, and each worker's view of it."""
    clock = Clock()
    master = Balance(slots=4, min_requests=min_requests, clock=clock)
    a, b = SimpleNamespace(), SimpleNamespace()
    master.assign(a, [])
    master.assign(b, [a])
    views = []
    for worker in (a, b):
        # After fork a worker has its own copy of the object and shares the arrays.
        view = Balance.__new__(Balance)
        view.__dict__.update(master.__dict__)
        view._lock = threading.Lock()
        view.started(worker)
        views.append(view)
    return clock, master, (a, b), views


def serve(view: Balance, clock: Clock, seconds: float) -> None:
    """Record ``seconds`` of request time for the worker behind ``view``."""
    req = SimpleNamespace(req_number=1, must_close=False)
    view.request_started(SimpleNamespace(), req)
    clock.now += seconds
    view.request_finished(req)
    clock.now -= seconds


def test_slots_are_assigned_once_and_reused_after_a_worker_exits():
    master = Balance(slots=2)
    a, b, c = SimpleNamespace(), SimpleNamespace(), SimpleNamespace()
    master.assign(a, [])
    master.assign(b, [a])
    assert (a.balance_slot, b.balance_slot) == (0, 1)
    master.assign(c, [a, b])
    assert c.balance_slot is None  # no slot left: that worker is simply not balanced
    master.release(a)
    assert list(master.live) == [0, 1]
    master.assign(c, [b])
    assert c.balance_slot == 0 and master.live[0] == 1 and master.busy[0] == 0


def test_a_slot_of_a_worker_that_died_without_child_exit_is_taken_again():
    master = Balance(slots=1)
    a, b = SimpleNamespace(), SimpleNamespace()
    master.assign(a, [])
    master.busy[0] = 123_456
    master.assign(b, [])  # a is no longer among the running workers
    assert b.balance_slot == 0 and master.busy[0] == 0


def test_a_worker_serving_twice_its_share_moves_one_connection_then_waits():
    clock, _, _, (a, b) = two_workers()
    clock.now += 0.5
    serve(a, clock, 0.9)  # two requests at a time for half a second
    serve(b, clock, 0.0)
    # Not before the connection has served min_requests requests.
    assert a.should_close(2) is False
    assert a.should_close(3) is True
    # One move at a time: not again until a reading taken wholly after it.
    clock.now += 0.5
    serve(a, clock, 0.9)
    assert a.should_close(50) is False
    clock.now += 0.5
    serve(a, clock, 0.9)
    assert a.should_close(50) is True


def test_workers_serving_their_share_keep_their_connections():
    clock, _, _, (a, b) = two_workers()
    for _ in range(4):
        clock.now += 0.5
        serve(a, clock, 0.8)
        serve(b, clock, 0.7)
        assert a.should_close(100) is False
        assert b.should_close(100) is False
    # The less busy worker never moves anything, whatever the imbalance.
    clock.now += 0.5
    serve(a, clock, 1.0)
    assert b.should_close(100) is False


def test_off_with_zero_and_alone_with_one_worker():
    clock, _, _, (a, _b) = two_workers(min_requests=0)
    clock.now += 0.5
    serve(a, clock, 1.0)
    assert a.should_close(100) is False

    clock = Clock()
    master = Balance(slots=2, min_requests=1, clock=clock)
    only = SimpleNamespace()
    master.assign(only, [])
    master.started(only)
    clock.now += 0.5
    serve(master, clock, 1.0)
    assert master.should_close(100) is False


def test_a_moving_request_closes_its_connection_and_pauses_accepting():
    clock, _, _, (a, b) = two_workers()
    clock.now += 0.5
    serve(a, clock, 0.9)
    paused = []
    worker = SimpleNamespace(pause_accepting=paused.append)
    req = SimpleNamespace(req_number=5, must_close=False)
    a.request_started(worker, req)
    assert req.must_close is True and paused == [serving.PAUSE]


def test_the_worker_stops_accepting_for_the_pause_only(monkeypatch):
    worker = BalancedThreadWorker.__new__(BalancedThreadWorker)
    worker.worker_connections = 1000
    woken = []
    worker.method_queue = SimpleNamespace(defer=lambda callback: woken.append(callback))
    now = [50.0]
    monkeypatch.setattr(serving.time, "monotonic", lambda: now[0])
    assert worker.worker_connections == 1000
    worker.pause_accepting(0.2)
    assert worker.worker_connections == 0 and len(woken) == 1
    now[0] += 0.25
    assert worker.worker_connections == 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ask(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/")
    response = connection.getresponse()
    return int(response.read())


@pytest.mark.parametrize("rebalance_after", [3, 0])
def test_two_clients_on_one_worker_end_up_on_two(rebalance_after):
    """Both keep-alive clients are steered onto one worker; with balancing on, one of them is
    moved to the idle worker and stays there; with it off (0) both stay where they are."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "tests.serving.busy_app:app",
        ],
        cwd=ROOT,
        env={**os.environ, "LMS_REBALANCE_AFTER": str(rebalance_after)},
    )
    connections: list[http.client.HTTPConnection] = []
    try:
        first = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connections.append(first)
        deadline = time.monotonic() + 30
        while True:
            try:
                home = ask(first)
                break
            except OSError:
                first.close()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        # A second client that lands on the same worker as the first.
        for _ in range(100):
            second = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connections.append(second)
            if ask(second) == home:
                break
            second.close()
        else:
            pytest.fail("no connection reached the first client's worker")

        served: dict[int, list[int]] = {0: [], 1: []}
        stop = time.monotonic() + 5

        def client(number: int, connection) -> None:
            for _ in range(400):
                if time.monotonic() > stop:
                    return
                served[number].append(ask(connection))

        threads = [
            threading.Thread(target=client, args=(n, c)) for n, c in enumerate((first, second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        last = {served[0][-1], served[1][-1]}
        if rebalance_after:
            assert len(last) == 2, "the clients still share one worker"
            # Moved once, and stayed apart: the last 20 answers each came from one worker.
            assert len(set(served[0][-20:])) == 1 and len(set(served[1][-20:])) == 1
        else:
            assert last == {home}
    finally:
        for connection in connections:
            connection.close()
        server.terminate()
        server.wait(timeout=30)
