"""Spreading long-lived client connections over gunicorn's worker processes.

gunicorn's threaded workers all accept from one listening socket, and a keep-alive connection
stays with the worker that accepted it. A few long-lived clients (field kits syncing, a learning
platform posting statements) can therefore end up on one worker while another idles, and a
worker runs the application's Python on one core at a time: half the machine goes unused.

``Balance`` keeps, in memory shared by the master and its workers, the time each worker has
spent serving requests. From it each worker works out, about twice a second, how many requests
every worker has been serving on average. A worker that has been serving at least half a
request more than the average answers the next request on a connection that has served
``min_requests`` requests with ``Connection: close`` and stops accepting connections for a
moment (``PAUSE``), so the client, which reconnects at once, lands on another worker. It then
waits for a reading taken wholly after the move before it moves another. Workers serving their
share keep their connections.

Each worker writes only its own slot and the master alone assigns and frees slots, so no lock is
shared between processes and a worker that is killed cannot leave one held. gunicorn.conf.py
wires it to gunicorn's hooks.
"""

from __future__ import annotations

import multiprocessing
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

# Seconds between readings of the workers' load.
WINDOW = 0.5
# A worker moves a connection when it serves this many requests more than the average.
EXCESS = 0.5
# Seconds a worker that moves a connection stops accepting new ones.
PAUSE = 0.2


class BalancedThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, able to stop accepting connections for a moment.

    Left to the race between workers, a client that reconnects mostly lands on the worker it
    just left: that worker's main thread is already awake.
    """

    _accept_paused_until = 0.0
    _connections_limit = 1000

    @property
    def worker_connections(self) -> int:
        # The worker's loop accepts while its open connections are under this limit.
        if time.monotonic() < self._accept_paused_until:
            return 0
        return self._connections_limit

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._connections_limit = value

    def pause_accepting(self, seconds: float) -> None:
        self._accept_paused_until = time.monotonic() + seconds
        self.method_queue.defer(lambda: None)  # wake the loop, which stops listening


class Balance:
    """The workers' shared load, and each worker's decision to move a connection.

    Made once in the master (gunicorn.conf.py); each forked worker uses its own copy of the
    object, on the shared arrays.
    """

    def __init__(self, slots: int = 64, min_requests: int = 10, clock=time.monotonic) -> None:
        self.min_requests = min_requests
        self.clock = clock
        # Per slot: 1 while a worker owns it; the microseconds that worker has spent serving.
        self.live = multiprocessing.RawArray("i", slots)
        self.busy = multiprocessing.RawArray("q", slots)
        self.owners: dict[int, object] = {}  # master only: slot -> worker object
        self.slot: int | None = None  # in a worker: its own slot
        self._lock = threading.Lock()
        self._read_at = 0.0
        self._last = [0] * slots
        self._loads: dict[int, float] = {}
        self._quiet_until = 0.0

    # Master side (gunicorn's pre_fork and child_exit hooks).

    def assign(self, worker, running) -> None:
        """Give the worker about to be forked a free slot; ``running`` are the live workers."""
        alive = {id(w) for w in running}
        for slot in range(len(self.live)):
            owner = self.owners.get(slot)
            if owner is None or id(owner) not in alive:
                self.owners[slot] = worker
                self.busy[slot] = 0
                self.live[slot] = 1
                worker.balance_slot = slot
                return
        worker.balance_slot = None  # more workers than slots: this one is not balanced

    def release(self, worker) -> None:
        slot = getattr(worker, "balance_slot", None)
        if slot is not None and self.owners.get(slot) is worker:
            self.live[slot] = 0
            del self.owners[slot]

    # Worker side (gunicorn's post_fork, pre_request and post_request hooks).

    def started(self, worker) -> None:
        self.slot = getattr(worker, "balance_slot", None)
        self._read_at = self.clock()
        self._last = list(self.busy)

    def request_started(self, worker, req) -> None:
        """gunicorn's pre_request: count the request in, maybe move its connection."""
        req.balance_started = self.clock()
        if self.should_close(req.req_number):
            req.must_close = True
            pause = getattr(worker, "pause_accepting", None)
            if pause is not None:
                pause(PAUSE)

    def request_finished(self, req) -> None:
        """gunicorn's post_request: add the time the request took to this worker's count."""
        started = getattr(req, "balance_started", None)
        if self.slot is not None and started is not None:
            with self._lock:
                self.busy[self.slot] += int((self.clock() - started) * 1_000_000)

    def should_close(self, requests_on_connection: int) -> bool:
        """True when the connection of the request about to be served should close after it."""
        if self.slot is None or not self.min_requests:
            return False
        if requests_on_connection < self.min_requests:
            return False
        now = self.clock()
        with self._lock:
            if now - self._read_at >= WINDOW:
                self._read(now)
            if now < self._quiet_until or len(self._loads) < 2:
                return False
            mine = self._loads.get(self.slot, 0.0)
            average = sum(self._loads.values()) / len(self._loads)
            if mine - average < EXCESS:
                return False
            # One move at a time: wait for a reading taken wholly after it.
            self._quiet_until = self._read_at + 2 * WINDOW
            return True

    def _read(self, now: float) -> None:
        # Other workers' counts are read without a lock: a count a moment old only delays a move.
        elapsed = now - self._read_at
        counts = list(self.busy)
        self._loads = {
            slot: max(counts[slot] - self._last[slot], 0) / 1_000_000 / elapsed
            for slot, live in enumerate(self.live)
            if live
        }
        self._last, self._read_at = counts, now
