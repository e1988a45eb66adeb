"""Locale selection and the template helpers for languages and right-to-left scripts."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_login import current_user

from lms.config import LANGUAGES, RTL_LANGUAGES


def select_locale() -> str:
    """The user's profile, then a choice made before logging in, then the browser, then English."""
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def is_rtl(lang: str | None = None) -> bool:
    return (lang or current_language()) in RTL_LANGUAGES


def template_globals() -> dict:
    lang = current_language()
    return {
        "current_lang": lang,
        "text_dir": "rtl" if lang in RTL_LANGUAGES else "ltr",
        "languages": current_app.config["LANGUAGES"],
    }


def init_app(app) -> None:
    """Locale-aware filters: ``|num``, ``|pct``, ``|date`` and ``|datetime``."""
    app.jinja_env.filters["num"] = lambda v: format_decimal(v) if v is not None else ""
    app.jinja_env.filters["pct"] = lambda v: format_percent(v) if v is not None else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": format_datetime(v, fmt) if v else ""
    app.context_processor(template_globals)


def missing_translations(translations_dir=None) -> dict[str, list[str]]:
    """For each language, the UI strings of messages.pot with no (or only a fuzzy) translation."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    from lms.config import ROOT

    base = Path(translations_dir or ROOT / "translations")
    with open(base / "messages.pot", "rb") as fh:
        template = read_po(fh)
    wanted = [m.id for m in template if m.id]
    missing: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        if lang == "en":
            continue
        po_path = base / lang / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            missing[lang] = [str(w) for w in wanted]
            continue
        with open(po_path, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        gaps = []
        for msgid in wanted:
            message = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid)
            strings = message.string if message else None
            empty = not all(strings) if isinstance(strings, tuple | list) else not strings
            if message is None or empty or message.fuzzy:
                gaps.append(msgid[0] if isinstance(msgid, tuple) else msgid)
        if gaps:
            missing[lang] = gaps
    return missing
