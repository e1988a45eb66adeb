"""The catalogs: up to date with the source, and complete in every language."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from lms.config import LANGUAGES, ROOT
from lms.i18n import missing_translations


def test_template_is_up_to_date_with_the_source(tmp_path):
    """messages.pot holds every string the code and templates use."""
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(out, "rb") as fh:
        fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with open(ROOT / "translations" / "messages.pot", "rb") as fh:
        current = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert fresh - current == set(), "run `make translations-update`: new strings are missing"


def test_every_catalog_translates_every_string():
    missing = missing_translations()
    summary = {lang: len(ids) for lang, ids in missing.items()}
    assert missing == {}, f"untranslated UI strings per language: {summary}"


def test_every_language_has_a_catalog():
    for lang in LANGUAGES:
        if lang != "en":
            assert Path(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").exists(), lang
