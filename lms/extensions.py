"""Extensions, created unbound and bound to the app in ``create_app``."""

from __future__ import annotations

import threading
import time

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from lms.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class LocalStore:
    """In-process key-value store with expiry, for a single field laptop."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str):
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires and expires < time.monotonic():
            del self._data[key]
            return None
        return value

    def get(self, key: str):
        with self._lock:
            return self._live(key)

    def set(self, key: str, value, ttl: int | None = None) -> None:
        with self._lock:
            if len(self._data) > 100_000:
                self._data.clear()
            self._data[key] = (time.monotonic() + ttl if ttl else 0.0, value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def incr(self, key: str, ttl: int) -> int:
        """Add one to a counter; the window starts at the first increment."""
        with self._lock:
            current = self._live(key)
            if current is None:
                self._data[key] = (time.monotonic() + ttl, 1)
                return 1
            expires, value = self._data[key]
            self._data[key] = (expires, int(value) + 1)
            return int(value) + 1


class RedisStore:
    """The same interface over Redis, shared by every worker and host at HQ."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2)
        self._prefix = "lms:"

    def get(self, key: str):
        value = self._redis.get(self._prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    def set(self, key: str, value, ttl: int | None = None) -> None:
        self._redis.set(self._prefix + key, value, ex=ttl)

    def delete(self, key: str) -> None:
        self._redis.delete(self._prefix + key)

    def incr(self, key: str, ttl: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(self._prefix + key)
        pipe.expire(self._prefix + key, ttl, nx=True)
        count, _ = pipe.execute()
        return int(count)


class Cache:
    """Shared store for rate-limit counters and short-lived cached values."""

    def __init__(self) -> None:
        self._store: LocalStore | RedisStore = LocalStore()

    def init_app(self, app) -> None:
        url = app.config.get("REDIS_URL")
        self._store = RedisStore(url) if url else LocalStore()
        app.extensions["lms_cache"] = self

    @property
    def backend(self) -> str:
        return "redis" if isinstance(self._store, RedisStore) else "local"

    def get(self, key: str):
        return self._store.get(key)

    def set(self, key: str, value, ttl: int | None = None) -> None:
        self._store.set(key, value, ttl)

    def delete(self, key: str) -> None:
        self._store.delete(key)

    def incr(self, key: str, ttl: int) -> int:
        return self._store.incr(key, ttl)


cache = Cache()
