"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator, Uuid, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry
from sqlalchemy.pool import Pool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class TZDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: TZDateTime, uuid.UUID: Uuid},
    )


class UUIDPk:
    """A random UUID primary key: records keep their identity between a field kit and HQ."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Bytes of write-ahead log file kept after the log restarts (SQLite truncates it to this size).
# Above what a log grows to between two restarts of the checkpoint thread (LOG_RESTART_FRAMES
# and what comes in while it prepares one), so a busy log reuses its file instead of growing it
# again each time.
WAL_FILE_LIMIT = 192 * 2**20


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, write-ahead log for concurrent readers, wait on locks,
    read through a memory map with a 64 MB page cache."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA cache_size=-65536")
    # Checkpoints every ~4 MB of log (SQLite's default) for ordinary connections; connections
    # that write LRS statements leave them to a background thread (see _Checkpointer).
    cursor.execute("PRAGMA wal_autocheckpoint=1000")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_FILE_LIMIT:d}")
    cursor.close()


# --- server connections: checked after they have been idle -------------------------------------
#
# A ping before every use costs a round trip per request; a connection that was used a moment
# ago is almost always still good. One that has sat in the pool for IDLE_PING_SECONDS (the
# server may have restarted meanwhile) is pinged first and replaced when it does not answer.

IDLE_PING_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _mark_idle(dbapi_connection, connection_record) -> None:
    connection_record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_after_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    since = connection_record.info.get("idle_since")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # any driver error: this connection is gone, take a new one
        raise DisconnectionError(str(exc)) from exc


# --- SQLite writers queue on a file lock ------------------------------------------------------
#
# SQLite lets one connection write at a time; a writer that finds the database locked sleeps
# and retries (1, 2, 5, 10, 15 ms ...), so a busy worker often sleeps past the moment the
# database became free. Writers that expect to write (the LRS) take this lock first: a file
# lock next to the database, held until their transaction ends, so the next writer starts
# within a fraction of a millisecond. SQLite's own locking still decides; the gate only
# shortens the queue. After GATE_TIMEOUT seconds a writer goes ahead without it.

GATE_TIMEOUT = 10.0


class _Gate:
    """The lock file of one database, opened by this process (not inherited across a fork)."""

    def __init__(self, path: str) -> None:
        self.threads = threading.Lock()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.pid = os.getpid()
        self.owner: int | None = None
        self.checkpointer: _Checkpointer | None = None
        self.database_fd: int | None = None

    def take(self, timeout: float = GATE_TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            return False
        # flock cannot wait with a time limit, so the lock is tried every 50-200 µs: a commit
        # of one statement holds it for about a millisecond, and a waiter that slept longer
        # would leave the database idle (single-statement POSTs: about 10% more a second, p99
        # 11 -> 8.5 ms, than with 1 ms naps).
        pause = 0.00005
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.owner = threading.get_ident()
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break
                time.sleep(pause)
                pause = min(pause * 2, 0.0002)
            except OSError:
                break
        self.threads.release()
        return False

    def sync_database(self, database: str) -> None:
        """Flush the database file's written pages to disk (fdatasync)."""
        # Kept open for the life of the process: closing any descriptor of a file drops the
        # POSIX locks this process holds on it, SQLite's included. A database file replaced
        # under the same name (a restored backup) gets a descriptor of its own.
        if (
            self.database_fd is None
            or os.fstat(self.database_fd).st_ino != os.stat(database).st_ino
        ):
            self.database_fd = os.open(database, os.O_RDONLY)
        os.fdatasync(self.database_fd)

    def give(self) -> None:
        self.owner = None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()


# --- SQLite checkpoints in the background -------------------------------------------------------
#
# A commit only appends to the write-ahead log; a checkpoint copies the log back into the
# database file and syncs it to disk. By default the writer whose commit fills the log pays for
# that, inside its request. Processes that write LRS statements instead run one thread per
# database that checkpoints whatever the log holds, a few times a second, while the writers go
# on (a PASSIVE checkpoint waits for nobody). Writers that passed the gate do no checkpoints of
# their own. When the log has grown past LOG_RESTART_FRAMES the thread also takes the gate for a
# moment and restarts the log from its beginning, so the file stays small under continuous load.
# A restart has to sync the database file first; the thread does most of that syncing before it
# takes the gate (PRESYNC_ROUNDS), so the writers wait for the last few commits only. (Measured
# under batched ingest: a restart held the gate for about 120 ms before, 70-90 ms after.)

CHECKPOINT_INTERVAL = 0.1
LOG_RESTART_FRAMES = 32768  # about 128 MB of log with 4 KB pages
CHECKPOINT_IDLE_EXIT = 5.0
PRESYNC_ROUNDS = 2


class _Checkpointer(threading.Thread):
    def __init__(self, database: str, gate: _Gate) -> None:
        super().__init__(name=f"sqlite-checkpoint {os.path.basename(database)}", daemon=True)
        self.database = database
        self.gate = gate
        self.stop = threading.Event()
        self.failures = 0
        self.last: tuple[int, int] = (-1, -1)
        self.restarts = 0

    def run(self) -> None:
        connection = None
        idle_since = time.monotonic()
        while os.path.exists(self.database) and os.getpid() == self.gate.pid:
            if self.stop.wait(CHECKPOINT_INTERVAL):
                break
            try:
                if connection is None:
                    connection = sqlite3.connect(self.database, isolation_level=None)
                    connection.execute("PRAGMA busy_timeout=2000")
                if self.checkpoint(connection):
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > CHECKPOINT_IDLE_EXIT:
                    break  # nothing written for a while; the next writer starts a new thread
                self.failures = 0
            except (sqlite3.Error, OSError):
                # The database is busy in a way a checkpoint cannot pass, or it is gone: the
                # log only grows meanwhile; try again a little later with a new connection.
                self.failures += 1
                if connection is not None:
                    connection.close()
                    connection = None
                time.sleep(min(5.0, 0.1 * 2**self.failures))
        if connection is not None:
            connection.close()

    def checkpoint(self, connection: sqlite3.Connection) -> bool:
        """One round; True when the log changed since the previous round (it was written to)."""
        _busy, log, done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        copied = (log, done)
        fresh = copied != self.last
        self.last = copied
        if log >= LOG_RESTART_FRAMES and fresh:
            self.restart(connection)
        return fresh

    def restart(self, connection: sqlite3.Connection) -> None:
        """Start the log again from its beginning.

        The restart copies what is left of the log and syncs the database file while the
        writers queue on the gate; the next writer then writes from the log's beginning. Most of
        that is done first, with the writers going on: sync what the passive rounds copied, then
        copy what came in meanwhile, and again. Readers still on the log are given a moment (the
        busy timeout); otherwise the restart waits for a later round.
        """
        for _ in range(PRESYNC_ROUNDS):
            self.gate.sync_database(self.database)
            _busy, log, _done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if log < LOG_RESTART_FRAMES:
                return  # started again meanwhile (by another process, or a writer)
        if not self.gate.take(timeout=1.0):
            return
        try:
            connection.execute("PRAGMA busy_timeout=100")
            busy, log, done = connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            self.last = (log, done)
            if not busy:
                self.restarts += 1
        finally:
            connection.execute("PRAGMA busy_timeout=2000")
            self.gate.give()


_gates: dict[str, _Gate] = {}
_gates_lock = threading.Lock()


def _gate_for(session: Session) -> _Gate | None:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    database = bind.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    database = os.path.abspath(database)
    path = database + ".write-lock"
    with _gates_lock:
        gate = _gates.get(path)
        if gate is None or gate.pid != os.getpid():
            try:
                gate = _gates[path] = _Gate(path)
            except OSError:
                return None
        if gate.checkpointer is None or not gate.checkpointer.is_alive():
            gate.checkpointer = _Checkpointer(database, gate)
            gate.checkpointer.start()
        return gate


def sqlite_write_gate(session: Session) -> None:
    """Wait for this machine's other SQLite writers, until the session's transaction ends."""
    if "write_gate" in session.info:
        return
    gate = _gate_for(session)
    # A thread already inside the gate (another session of its own) goes on without it.
    if gate is None or gate.owner == threading.get_ident():
        return
    # The connection is checked out before the gate is taken, so the gate is held for the
    # writes and the commit alone. It leaves checkpoints to the gate's thread (_Checkpointer).
    connection = session.connection()
    if not connection.connection.info.get("background_checkpoints"):
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        connection.connection.info["background_checkpoints"] = True
    if gate.take():
        session.info["write_gate"] = gate


@event.listens_for(Session, "after_transaction_end")
def _open_write_gate(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    gate = session.info.pop("write_gate", None)
    if gate is not None:
        gate.give()
