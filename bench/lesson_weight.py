"""Weigh every lesson page: HTML + CSS (+ the lesson's images), gzip-compressed, against 40 KB.

    .venv/bin/python bench/lesson_weight.py [--quick]

Builds a throw-away SQLite database with the migrations, imports courses/, enrols one learner in
every course and renders each lesson in each of the course's languages with the test client.
Each page is checked for requests to other hosts (there must be none). Prints one line per page
and ends with one JSON line, e.g. {"max_kb": 12.3, "lessons": 180, "over_40kb": 0}.
``--quick`` weighs the first lesson of each course in each language.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_KB = 40.0


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="first lesson of each course only")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from lms import create_app
    from lms.catalog import services as catalog
    from lms.extensions import db
    from lms.learning import services as learning
    from tests.factories import PASSWORD, create_user

    workdir = Path(tempfile.mkdtemp(prefix="lesson-weight-"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "REDIS_URL": None,
            "ENV_NAME": "testing",
        }
    )
    with app.app_context():
        upgrade()
        catalog.import_courses(None, Path(app.config["COURSES_DIR"]))
        user = create_user("reader", roles=("trainee",), display_name="Lesson reader")
        pages = []
        for course in catalog.catalog():
            learning.enrol_self(user, course)
            ids = course.lesson_ids[:1] if args.quick else course.lesson_ids
            pages += [
                (course.slug, lesson_id, lang) for lang in course.languages for lesson_id in ids
            ]
        db.session.commit()
        user_id = user.id

    client = app.test_client()
    client.post("/login", data={"username": "reader", "password": PASSWORD})
    css = client.get("/static/style.css").data
    css_kb = gz(css) / 1024
    weights = []
    foreign = 0
    current_lang = None
    for slug, lesson_id, lang in pages:
        if lang != current_lang:
            with app.app_context():
                from lms.auth.models import User

                db.session.get(User, user_id).locale = lang
                db.session.commit()
            current_lang = lang
        response = client.get(f"/learn/{slug}/lessons/{lesson_id}")
        if response.status_code != 200:
            print(f"{slug}/{lesson_id} [{lang}]: HTTP {response.status_code}", file=sys.stderr)
            return 1
        html = response.data
        images = re.findall(rb'<img src="([^"]+)"', html)
        image_bytes = 0
        for src in images:
            image = client.get(src.decode())
            image_bytes += gz(image.data)
            image.close()
        if re.search(rb'(?:src|href)="(?:https?:)?//', html):
            foreign += 1
        total = (gz(html) + gz(css) + image_bytes) / 1024
        weights.append(total)
        print(
            f"{slug}/{lesson_id} [{lang}]: html {gz(html) / 1024:.1f} KB + css {css_kb:.1f} KB"
            f" + {len(images)} image(s) {image_bytes / 1024:.1f} KB = {total:.1f} KB"
        )
    summary = {
        "max_kb": round(max(weights), 1),
        "mean_kb": round(sum(weights) / len(weights), 1),
        "lessons": len(weights),
        "over_40kb": sum(1 for w in weights if w > LIMIT_KB),
        "third_party_requests": foreign,
    }
    print(json.dumps(summary))
    return 0 if summary["over_40kb"] == 0 and foreign == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
