"""Configuration from `LMS_*` environment variables.

Every setting has a safe default for a field kit (SQLite in the instance folder, no Redis).
A production deployment (``LMS_ENV=production``) refuses to start without ``LMS_SECRET_KEY``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "ru": "Русский",
    "zh": "中文",
    "pt": "Português",
    "bn": "বাংলা",
    "ne": "नेपाली",
    "hi": "हिन्दी",
    "ur": "اردو",
}
RTL_LANGUAGES = frozenset({"ar", "ur"})

ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {value!r}") from exc


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "lms.sqlite3")


class Config:
    """Settings read once at start-up. Tests pass overrides to ``create_app``."""

    def __init__(self) -> None:
        env = os.environ.get("LMS_ENV", "production")
        self.ENV_NAME = env
        self.DEBUG = env == "development"
        self.SECRET_KEY = os.environ.get("LMS_SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("LMS_DATABASE_URL")
        # Connections idle for a while are checked before use (lms.db); busy ones are not.
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {}
        self.REDIS_URL = os.environ.get("LMS_REDIS_URL") or None
        self.ACTIVITY_BASE = os.environ.get("LMS_ACTIVITY_BASE", "https://training.unmic.example")
        self.INSTANCE_NAME = os.environ.get("LMS_INSTANCE_NAME", "UNMIC training portal")
        self.LANGUAGES = LANGUAGES
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
        self.WTF_CSRF_TIME_LIMIT = None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("LMS_SECURE_COOKIES", env == "production")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("LMS_SESSION_HOURS", 12))
        self.MAX_CONTENT_LENGTH = _int("LMS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
        self.LOGIN_MAX_FAILURES = _int("LMS_LOGIN_MAX_FAILURES", 5)
        self.LOGIN_WINDOW_SECONDS = _int("LMS_LOGIN_WINDOW_SECONDS", 900)
        self.PAGE_SIZE = _int("LMS_PAGE_SIZE", 25)
        self.COURSES_DIR = os.environ.get("LMS_COURSES_DIR", str(ROOT / "courses"))
        # The LRS (lms/xapi): forwarding to an external LRS, request and page size limits.
        self.LRS_FORWARD_URL = os.environ.get("LMS_LRS_FORWARD_URL") or None
        self.LRS_FORWARD_KEY = os.environ.get("LMS_LRS_FORWARD_KEY") or None
        self.LRS_FORWARD_SECRET = os.environ.get("LMS_LRS_FORWARD_SECRET") or None
        self.LRS_MAX_BODY_BYTES = _int("LMS_LRS_MAX_BODY_BYTES", 10 * 1024 * 1024)
        self.LRS_MAX_PAGE = _int("LMS_LRS_MAX_PAGE", 500)

    def as_dict(self) -> dict:
        return dict(vars(self))
