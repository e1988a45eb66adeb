"""LRS credentials: clients with a key and secret (HTTP Basic) and their scopes.

A secret is hashed with argon2 and verified once; the verified result is then cached under an
HMAC-SHA256 of the Authorization header (keyed with the app secret), with an expiry, in the shared
cache (Redis when configured, else in process). The client's row (scopes, revocation) is read
again at most every RECHECK_SECONDS per worker, so a revoked client is refused within that time
everywhere, and at once by the worker that revoked it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import keys
from .models import Client

# read: read every statement and document; read-own: only statements this client stored;
# write: store statements and documents; no-void: may not store voiding statements.
SCOPES = ("read", "read-own", "write", "no-void")
DEFAULT_SCOPES = ("read", "write")
CACHE_TTL = 300
RECHECK_SECONDS = 2.0

_hasher = PasswordHasher()


class ScopeError(ValueError):
    pass


@dataclass(frozen=True)
class Credentials:
    """Who is calling and what they may do."""

    authority: dict
    can_read_all: bool
    can_write: bool
    can_void: bool
    client_key: str | None = None
    # For portal users without a reading role: their own agent key (statements about them).
    own_agent_key: str | None = None

    @property
    def authority_key(self) -> str:
        return keys.agent_key(self.authority) or ""

    @property
    def can_read(self) -> bool:
        return True


def normalise_scopes(scopes: list[str] | tuple[str, ...] | None) -> list[str]:
    chosen = list(dict.fromkeys(scopes or DEFAULT_SCOPES))
    for scope in chosen:
        if scope not in SCOPES:
            raise ScopeError(f"unknown scope {scope!r}; choose from {', '.join(SCOPES)}")
    if "read" in chosen and "read-own" in chosen:
        chosen.remove("read-own")
    if not ({"read", "read-own", "write"} & set(chosen)):
        raise ScopeError("a client needs at least one of the scopes read, read-own or write")
    return chosen


def client_authority(client: Client, base: str) -> dict:
    """The authority of statements stored with a client's credentials (Data 2.4.9)."""
    return {
        "objectType": "Agent",
        "name": client.name,
        "account": {"homePage": f"{base.rstrip('/')}/xapi/clients", "name": client.key},
    }


def create_client(
    session: Session, name: str, scopes: list[str] | None = None, created_by: str | None = None
) -> tuple[Client, str]:
    """Create a client; return it and its secret (shown once, only its hash is kept)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ScopeError("the client name must be 1 to 120 characters")
    chosen = normalise_scopes(scopes)
    key = secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    client = Client(
        name=name,
        key=key,
        secret_hash=_hasher.hash(secret),
        scopes=" ".join(chosen),
        created_by=created_by,
    )
    session.add(client)
    session.flush()
    return client, secret


def revoke_client(session: Session, key: str) -> Client | None:
    client = session.scalar(select(Client).where(Client.key == key))
    if client is None:
        return None
    if client.revoked_at is None:
        client.revoked_at = dt.datetime.now(dt.UTC)
    session.flush()
    forget_credentials()
    return client


# digest of the Authorization header -> (credentials, monotonic expiry), per worker process.
_recent: dict[str, tuple[Credentials, float]] = {}
_recent_lock = threading.Lock()


def forget_credentials() -> None:
    with _recent_lock:
        _recent.clear()


def list_clients(session: Session) -> list[Client]:
    return list(session.scalars(select(Client).order_by(Client.created_at.desc())))


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return key, secret


def credentials_for_client(client: Client, base: str) -> Credentials:
    scopes = client.scope_set
    return Credentials(
        authority=client_authority(client, base),
        can_read_all="read" in scopes,
        can_write="write" in scopes,
        can_void="write" in scopes and "no-void" not in scopes,
        client_key=client.key,
    )


def authenticate_basic(
    session: Session, header: str, secret_key: str, cache, base: str
) -> Credentials | None:
    """Check HTTP Basic credentials; None when they are wrong or the client is revoked."""
    parsed = parse_basic(header)
    if parsed is None:
        return None
    key, secret = parsed
    digest = hmac.new(secret_key.encode(), header.encode(), hashlib.sha256).hexdigest()
    now = time.monotonic()
    with _recent_lock:
        recent = _recent.get(digest)
    if recent is not None and recent[1] > now:
        return recent[0]
    cache_key = f"lrs:basic:{digest}"
    client = session.scalar(select(Client).where(Client.key == key))
    if client is None or client.revoked_at is not None:
        return None
    if cache.get(cache_key) != client.key:
        try:
            _hasher.verify(client.secret_hash, secret)
        except (VerificationError, InvalidHashError):
            return None
        cache.set(cache_key, client.key, CACHE_TTL)
    credentials = credentials_for_client(client, base)
    with _recent_lock:
        if len(_recent) > 10_000:
            _recent.clear()
        _recent[digest] = (credentials, now + RECHECK_SECONDS)
    return credentials
