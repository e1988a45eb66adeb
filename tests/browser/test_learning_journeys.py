"""Learning journeys in a real browser: a Nepali-speaking trainee takes a lesson, passes the quiz
and downloads the certificate; an Arabic-speaking trainee reads a course right to left."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from lms.catalog import services as catalog
from lms.extensions import db
from tests.browser.conftest import follow, login

pytestmark = pytest.mark.browser

COURSES = Path(__file__).resolve().parents[2] / "courses"


def norm(text: str) -> str:
    return " ".join(str(text).split())


def pick_course(lang: str) -> str:
    """A course written in ``lang`` (the first one found), else cyber-hygiene in English."""
    for folder in sorted(COURSES.iterdir()):
        path = folder / "course.yaml"
        if path.exists() and lang in yaml.safe_load(path.read_text(encoding="utf-8"))["languages"]:
            return folder.name
    return "cyber-hygiene"


def import_courses(app) -> None:
    with app.app_context():
        catalog.import_courses(None, COURSES)
        db.session.commit()


def answer_quiz(page, slug: str, lang: str) -> None:
    """Answer every question right, knowing the answers from the course files only."""
    quiz = yaml.safe_load((COURSES / slug / "quiz.yaml").read_text(encoding="utf-8"))

    def text(value: dict) -> str:
        return norm(value.get(lang) or value["en"])

    def key(situation: str, prompt: str) -> str:
        # Scenario questions may share a prompt ("What do you do?"): the situation tells them apart.
        return f"{situation}|{prompt}"

    by_key = {
        key(text(q["situation"]) if "situation" in q else "", text(q["prompt"])): q
        for q in quiz["questions"]
    }
    fieldsets = page.locator("fieldset.question")
    for index in range(fieldsets.count()):
        box = fieldsets.nth(index)
        situation = box.locator("p.situation")
        shown = norm(situation.inner_text()) if situation.count() else ""
        q = by_key[key(shown, norm(box.locator("p.prompt").inner_text()))]
        if q["type"] in ("single", "scenario", "multiple"):
            right = {text(o["text"]) for o in q["options"] if o["correct"]}
            labels = box.locator("ul.choices label")
            for n in range(labels.count()):
                if norm(labels.nth(n).inner_text()) in right:
                    labels.nth(n).locator("input").check()
        elif q["type"] == "truefalse":
            box.locator(f"input[value='{'true' if q['answer'] else 'false'}']").check()
        elif q["type"] == "ordering":
            order = [text(i["text"]) for i in q["items"]]
            rows = box.locator("ul.choices li")
            for n in range(rows.count()):
                row = rows.nth(n)
                position = order.index(norm(row.locator("label").inner_text())) + 1
                row.locator("select").select_option(str(position))
        elif q["type"] == "matching":
            pairs = {text(p["left"]): text(p["right"]) for p in q["pairs"]}
            rows = box.locator("ul.choices li")
            for n in range(rows.count()):
                row = rows.nth(n)
                wanted = pairs[norm(row.locator("label").inner_text())]
                options = row.locator("select option")
                for m in range(options.count()):
                    if norm(options.nth(m).inner_text()) == wanted:
                        row.locator("select").select_option(options.nth(m).get_attribute("value"))
                        break


def test_nepali_trainee_takes_a_lesson_passes_the_quiz_and_gets_a_certificate(
    app, live_server, page, artifacts
):
    from lms.learning.models import Certificate

    import_courses(app)
    slug = pick_course("ne")
    with app.app_context():
        languages = catalog.course_by_slug(slug).languages
    lang = "ne" if "ne" in languages else "en"

    login(page, live_server, "trainee", "carana-trainee-2026")
    assert page.locator("html").get_attribute("lang") == "ne"
    page.goto(f"{live_server}/courses/{slug}")
    follow(page, page.locator("form[action$='/enrol'] button"))
    follow(page, page.locator("a.resume"))
    article = page.locator("article.lesson")
    assert article.get_attribute("lang") == lang
    assert article.locator("h2").count() >= 2
    page.screenshot(path=str(artifacts / "learning-lesson-ne.png"), full_page=True)

    # Read every lesson: "done, next" until the course page comes back.
    for _ in range(40):
        follow(page, page.locator("form[action$='/read'] button"))
        if "/lessons/" not in page.url:
            break
    assert page.url.endswith(f"/courses/{slug}")

    follow(page, page.locator("form[action$='/quiz'] button"))
    assert page.locator("fieldset.question").count() >= 1
    assert "correct" not in page.content().lower()
    answer_quiz(page, slug, lang)
    page.screenshot(path=str(artifacts / "learning-quiz-ne.png"), full_page=True)
    follow(page, page.locator("form.quiz button[type=submit]"))
    assert page.locator("p.result.ok").is_visible()
    # Every answer was right: no question is marked wrong in the review.
    assert page.locator("section.question.wrong").count() == 0
    page.screenshot(path=str(artifacts / "learning-results-ne.png"), full_page=True)

    with page.expect_download() as info:
        page.locator("a.certificate").first.click()
    pdf_path = artifacts / "learning-certificate-ne.pdf"
    info.value.save_as(str(pdf_path))
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    assert code.encode() in data

    # Anyone can check the certificate with its code.
    page.goto(f"{live_server}/verify/{code}")
    assert page.locator("p.result.ok").is_visible()


def test_arabic_trainee_sees_the_course_right_to_left(app, live_server, browser, artifacts):
    import_courses(app)
    slug = pick_course("ar")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server, "trainee", "carana-trainee-2026")
    page.select_option("#lang-select", "ar")
    follow(page, page.locator("form.lang button"))
    page.goto(f"{live_server}/courses/{slug}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    follow(page, page.locator("form[action$='/enrol'] button"))
    follow(page, page.locator("a.resume"))
    article = page.locator("article.lesson")
    assert article.get_attribute("lang") == "ar"
    assert article.get_attribute("dir") == "rtl"
    # Right to left: the heading starts at the right edge of the lesson.
    heading = article.locator("h1").bounding_box()
    box = article.bounding_box()
    assert heading["x"] + heading["width"] >= box["x"] + box["width"] - 2
    # Readable on a 360-pixel phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "learning-lesson-ar-phone.png"), full_page=True)
    context.close()
