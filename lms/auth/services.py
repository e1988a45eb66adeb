"""Accounts: password hashing, creation, authentication and login rate limiting."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from lms.auth.models import User, UserRole, UserScope
from lms.auth.roles import ALL_ROLES
from lms.db import utcnow
from lms.extensions import cache, db

_hasher = PasswordHasher()
# Verified against an unknown username so that a miss costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A rule about accounts was broken; the message is shown to the user."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused, or None. Length matters more than symbols."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "too-short"
    if username and username.lower() in password.lower():
        return "contains-username"
    if len(set(password)) < 4:
        return "too-simple"
    return None


def generate_password() -> str:
    """A temporary password an administrator hands over; the user must change it."""
    words = secrets.token_urlsafe(12)
    return f"{words[:4]}-{words[4:8]}-{words[8:12]}"


def get_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def create_user(
    username: str,
    password: str,
    display_name: str,
    roles: set[str] | list[str] | tuple[str, ...] = (),
    *,
    email: str | None = None,
    locale: str | None = None,
    must_change_password: bool = False,
    person=None,
) -> User:
    username = username.strip()
    if not username:
        raise AccountError("username-required")
    if get_user_by_username(username) is not None:
        raise AccountError("username-taken")
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise AccountError("unknown-role")
    user = User(
        username=username,
        display_name=display_name or username,
        email=email or None,
        password_hash=hash_password(password),
        locale=locale or None,
        must_change_password=must_change_password,
        person=person,
    )
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    return user


def set_roles(user: User, roles) -> None:
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise AccountError("unknown-role")
    keep = [row for row in user.role_rows if row.role in roles]
    have = {row.role for row in keep}
    user.role_rows = keep + [UserRole(role=r) for r in sorted(set(roles) - have)]


def set_scopes(user: User, country_ids, contingent_ids) -> None:
    user.scopes = [UserScope(country_id=c) for c in country_ids] + [
        UserScope(contingent_id=c) for c in contingent_ids
    ]


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong-password")
    problem = password_problem(new, user.username)
    if problem:
        raise AccountError(problem)
    if verify_password(user.password_hash, new):
        raise AccountError("same-password")
    user.password_hash = hash_password(new)
    user.must_change_password = False


def reset_password(user: User) -> str:
    temporary = generate_password()
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    return temporary


def _limit_key(username: str, remote_addr: str) -> str:
    digest = hashlib.sha256(f"{username.lower()}|{remote_addr}".encode()).hexdigest()[:32]
    return f"login-fail:{digest}"


def login_blocked(username: str, remote_addr: str, max_failures: int) -> bool:
    count = cache.get(_limit_key(username, remote_addr))
    return count is not None and int(count) >= max_failures


def authenticate(
    username: str, password: str, remote_addr: str, max_failures: int, window: int
) -> User | None:
    """The user when the credentials are right; counts failures for rate limiting."""
    user = get_user_by_username(username)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        ok = False
    else:
        ok = user.active and verify_password(user.password_hash, password)
    key = _limit_key(username, remote_addr)
    if not ok:
        cache.incr(key, window)
        return None
    cache.delete(key)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user
