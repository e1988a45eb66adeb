"""Enrolment, the lesson player, quiz attempts, completion, tampering and the xAPI record."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from lms.extensions import db
from lms.learning import services
from lms.learning.models import Certificate, Enrolment, LessonProgress, QuizAttempt
from lms.xapi import iris
from lms.xapi.models import Statement
from lms.xapi.validation import validate_statement
from tests import factories
from tests.learning.conftest import course, right_form, wrong_form

SLUG = "sample-course"


def statements(registration=None) -> list[dict]:
    query = select(Statement.raw).order_by(Statement.timestamp, Statement.seq)
    if registration is not None:
        query = query.where(Statement.registration == registration)
    return [json.loads(raw) for raw in db.session.scalars(query)]


def verbs(stmts) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in stmts]


def enrolment_of(username: str, slug: str = SLUG) -> Enrolment:
    user = db.session.scalar(
        select(factories.accounts.User).where(factories.accounts.User.username == username)
    )
    return services.enrolment_for(user, course(slug))


def enrol_and_read_all(client, app, slug: str = SLUG):
    assert client.post(f"/courses/{slug}/enrol").status_code == 302
    with app.app_context():
        ids = course(slug).lesson_ids
    for lesson_id in ids:
        assert client.get(f"/learn/{slug}/lessons/{lesson_id}").status_code == 200
        assert client.post(f"/learn/{slug}/lessons/{lesson_id}/read").status_code == 302


def start_attempt(client, app, slug: str = SLUG):
    response = client.post(f"/learn/{slug}/quiz")
    assert response.status_code == 302
    url = response.headers["Location"]
    attempt_id = uuid.UUID(url.rstrip("/").rsplit("/", 1)[-1])
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        return url, attempt, course(slug)


def test_course_page_and_self_enrolment(client, auth, app, sample, learner):
    auth.login(learner)
    page = client.get(f"/courses/{SLUG}")
    assert page.status_code == 200
    assert "Sample course" in page.text and "Enrol" in page.text
    # Lessons need an enrolment.
    assert client.get(f"/learn/{SLUG}/lessons/first").status_code == 302
    assert client.post(f"/courses/{SLUG}/enrol").status_code == 302
    assert client.post(f"/courses/{SLUG}/enrol").status_code == 302  # twice is harmless
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 1
    assert "Start the first lesson" in client.get(f"/courses/{SLUG}").text


def test_lessons_record_statements_and_resume(client, auth, app, sample, learner):
    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    page = client.get(f"/learn/{SLUG}/lessons/first")
    assert page.status_code == 200
    assert "<h2>Part 1</h2>" in page.text and "Lesson 1 of 2" in page.text
    assert (
        client.post(f"/learn/{SLUG}/lessons/first/read")
        .headers["Location"]
        .endswith(f"/learn/{SLUG}/lessons/second")
    )
    # Resume goes to the first unread lesson.
    assert (
        client.get(f"/learn/{SLUG}/").headers["Location"].endswith(f"/learn/{SLUG}/lessons/second")
    )
    with app.app_context():
        enrolment = enrolment_of(learner)
        stmts = statements(enrolment.id)
        assert verbs(stmts) == ["launched", "initialized", "launched", "experienced"]
        for s in stmts:
            validate_statement(s)
            assert s["context"]["registration"] == str(enrolment.id)
            assert s["actor"]["account"]["name"] == str(enrolment.person_id)
        initialized = stmts[1]
        assert {"id": iris.CMI5_CATEGORY} in initialized["context"]["contextActivities"]["category"]
        assert stmts[3]["object"]["id"].endswith(f"/xapi/activities/lesson/{SLUG}/first")
        # Opening the lesson again records nothing new.
    client.get(f"/learn/{SLUG}/lessons/first")
    with app.app_context():
        assert len(statements()) == 4


def test_quiz_page_does_not_reveal_answers(client, auth, app, sample, learner):
    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    url, attempt, crs = start_attempt(client, app)
    html = client.get(url).text
    assert "correct" not in html.lower()
    for q in crs.quiz["questions"]:
        for option in q.get("options", []):
            assert option["feedback"]["en"] not in html
            assert f'value="{option["id"]}"' not in html
        for item in q.get("items", []):
            assert f'-{item["id"]}"' not in html
    # The ordering steps are shown, each with a position to choose.
    assert "Step 1" in html and 'name="q' in html


def test_passing_the_quiz_completes_the_course(client, auth, app, sample, learner):
    auth.login(learner)
    enrol_and_read_all(client, app)
    with app.app_context():
        assert enrolment_of(learner).completed_at is None  # CompletedAndPassed: not yet
    url, attempt, crs = start_attempt(client, app)
    response = client.post(url, data=right_form(crs, attempt))
    assert response.status_code == 302
    review = client.get(url).text
    assert "Passed: 6 of 6" in review
    assert "Why option b is right." in review  # explanations after submitting
    with app.app_context():
        enrolment = enrolment_of(learner)
        assert enrolment.passed_at and enrolment.completed_at
        assert enrolment.expires_on == services.add_months(enrolment.completed_at.date(), 12)
        cert = db.session.scalar(
            select(Certificate).where(Certificate.enrolment_id == enrolment.id)
        )
        assert cert.holder_name == "Asha Gurung"
        stmts = statements(enrolment.id)
        for s in stmts:
            validate_statement(s)
        answered = [s for s in stmts if s["verb"]["id"] == iris.ANSWERED]
        assert len(answered) == 6
        assert all(s["result"]["success"] for s in answered)
        assert {s["object"]["definition"]["interactionType"] for s in answered} == {
            "choice",
            "true-false",
            "sequencing",
            "matching",
        }
        passed = next(s for s in stmts if s["verb"]["id"] == iris.PASSED)
        assert passed["result"]["score"] == {"scaled": 1.0, "raw": 6, "min": 0, "max": 6}
        assert passed["object"]["id"].endswith(f"/xapi/activities/course/{SLUG}")
        assert passed["context"]["extensions"][iris.CMI5_MASTERY_SCORE] == 0.6
        completed = next(s for s in stmts if s["verb"]["id"] == iris.COMPLETED)
        categories = completed["context"]["contextActivities"]["category"]
        assert {"id": iris.MOVEON_CATEGORY} in categories
        assert set(verbs(stmts)[-3:-1]) == {"completed", "satisfied"}
        assert verbs(stmts)[-1] == "terminated"
    # No new attempt once passed.
    assert client.post(f"/learn/{SLUG}/quiz").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(QuizAttempt)) == 1


def test_attempt_limit_wait_and_reset(client, auth, app, sample, learner):
    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    url, attempt, crs = start_attempt(client, app)
    client.post(url, data=wrong_form(crs, attempt))
    assert "Not passed" in client.get(url).text
    # Wait 30 minutes before the next attempt.
    response = client.post(f"/learn/{SLUG}/quiz")
    assert response.headers["Location"].endswith(f"/courses/{SLUG}")
    assert "You can try again after" in client.get(f"/courses/{SLUG}").text
    with app.app_context():
        failed = db.session.get(QuizAttempt, attempt.id)
        failed.submitted_at -= timedelta(minutes=31)
        db.session.commit()
    url2, attempt2, _ = start_attempt(client, app)
    assert attempt2.number == 2
    # Coming back to an open attempt resumes it instead of drawing a new one.
    _, same, _ = start_attempt(client, app)
    assert same.id == attempt2.id
    client.post(url2, data=wrong_form(crs, attempt2))
    with app.app_context():
        state = services.quiz_state(enrolment_of(learner))
        assert (state.reason, state.attempts_left) == ("no-attempts", 0)
        trainer = factories.create_user("coach", roles=("trainer",))
        services.reset_attempts(trainer, enrolment_of(learner))
        db.session.commit()
        assert services.quiz_state(enrolment_of(learner)).can_start
        failed = [s for s in statements() if s["verb"]["id"] == iris.FAILED]
        assert len(failed) == 2 and failed[0]["result"]["success"] is False


def test_tampered_posts_count_nothing(client, auth, app, sample, learner):
    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    url, attempt, crs = start_attempt(client, app)
    before = len(statements_in(app))
    form = right_form(crs, attempt)
    bad = dict(form, q0=["0123456789"])
    response = client.post(url, data=bad)
    assert response.status_code == 400
    assert "Nothing was counted" in response.text
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt.id).submitted_at is None
    assert len(statements_in(app)) == before
    # An attempt id that does not exist, or in another course's URL.
    assert client.post(f"/learn/{SLUG}/quiz/{uuid.uuid4()}", data=form).status_code == 404
    # Submitting the real answers works once; again is refused.
    assert client.post(url, data=form).status_code == 302
    again = client.post(url, data=form)
    assert again.status_code == 400
    assert "already submitted" in again.text
    # Another learner cannot open or answer this attempt.
    with app.app_context():
        factories.create_user("other", roles=("trainee",))
        db.session.commit()
    auth.logout()
    auth.login("other")
    client.post(f"/courses/{SLUG}/enrol")
    assert client.get(url).status_code == 404
    assert client.post(url, data=form).status_code == 404


def statements_in(app) -> list[dict]:
    with app.app_context():
        return statements()


@pytest.mark.parametrize(
    ("rule", "completed", "passed", "expected"),
    [
        ("Completed", True, False, True),
        ("Completed", False, True, False),
        ("Passed", False, True, True),
        ("Passed", True, False, False),
        ("CompletedAndPassed", True, True, True),
        ("CompletedAndPassed", True, False, False),
        ("CompletedAndPassed", False, True, False),
        ("CompletedOrPassed", True, False, True),
        ("CompletedOrPassed", False, True, True),
        ("CompletedOrPassed", False, False, False),
    ],
)
def test_move_on_rules(rule, completed, passed, expected):
    assert services.move_on_satisfied(rule, completed, passed) is expected


def test_completed_rule_needs_only_the_lessons(client, auth, app, sample, learner):
    with app.app_context():
        course(SLUG).completion = "Completed"
        db.session.commit()
    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    client.post(f"/learn/{SLUG}/lessons/first/read")
    with app.app_context():
        assert enrolment_of(learner).completed_at is None
    client.post(f"/learn/{SLUG}/lessons/second/read")
    with app.app_context():
        assert enrolment_of(learner).completed_at is not None


def test_passed_rule_needs_only_the_quiz(client, auth, app, sample, learner):
    with app.app_context():
        course(SLUG).completion = "Passed"
        db.session.commit()
    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    url, attempt, crs = start_attempt(client, app)
    client.post(url, data=right_form(crs, attempt))
    with app.app_context():
        assert enrolment_of(learner).completed_at is not None


def test_progress_rebuilds_from_statements_alone(client, auth, app, sample, learner):
    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    url, attempt, crs = start_attempt(client, app)
    client.post(url, data=wrong_form(crs, attempt))
    client.get(f"/learn/{SLUG}/lessons/second")
    client.post(f"/learn/{SLUG}/lessons/first/read")
    client.post(f"/learn/{SLUG}/lessons/second/read")
    with app.app_context():
        enrolment = enrolment_of(learner)
        fields = (
            "started_at",
            "last_lesson_id",
            "passed_at",
            "best_score",
            "completed_at",
            "expires_on",
        )
        before_fields = {f: getattr(enrolment, f) for f in fields}
        before_rows = sorted((p.lesson_id, p.opened_at, p.read_at) for p in enrolment.lessons)
        assert len(before_rows) == 2 and before_fields["started_at"]
        registration = enrolment.id
        db.session.execute(
            delete(LessonProgress).where(LessonProgress.enrolment_id == registration)
        )
        for f in fields:
            setattr(enrolment, f, None)
        db.session.commit()

        rebuilt = services.rebuild_progress(registration)
        db.session.commit()
        assert {f: getattr(rebuilt, f) for f in fields} == before_fields
        assert sorted((p.lesson_id, p.opened_at, p.read_at) for p in rebuilt.lessons) == before_rows


def test_certificate_pdf_and_public_verification(client, auth, app, sample, learner):
    auth.login(learner)
    assert client.get(f"/learn/{SLUG}/certificate.pdf").status_code == 404  # not enrolled
    enrol_and_read_all(client, app)
    assert client.get(f"/learn/{SLUG}/certificate.pdf").status_code == 404  # not complete
    url, attempt, crs = start_attempt(client, app)
    client.post(url, data=right_form(crs, attempt))
    pdf = client.get(f"/learn/{SLUG}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        code = cert.code
        service_number = cert.enrolment.person.service_number
    assert code.encode() in pdf.data
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    auth.logout()
    page = client.get(f"/verify/{code.lower()}")
    assert page.status_code == 200
    assert "genuine and valid" in page.text and "Asha Gurung" in page.text
    assert "Sample course" in page.text
    assert service_number not in page.text
    with app.app_context():
        db.session.scalar(select(Certificate)).expires_on = date.today() - timedelta(days=1)
        db.session.commit()
    assert "has expired" in client.get(f"/verify/{code}").text
    missing = client.get("/verify/AAAA-BBBB-CCCC")
    assert missing.status_code == 404 and "No certificate has the code" in missing.text


@pytest.mark.parametrize("lang", ["ar", "ne", "bn", "hi", "ru", "zh", "ur", "fr"])
def test_certificate_in_every_script(app, sample, lang):
    from lms.learning.certificates import certificate_pdf

    with app.test_request_context():
        cert = Certificate(
            code="ABCD-EFGH-JKLM",
            holder_name="Asha Gurung",
            course_slug=SLUG,
            course_title={"en": "Sample course", lang: "नमूना / عينة / Образец / 样本"},
            completed_on=date(2026, 11, 21),
            expires_on=date(2027, 11, 21),
        )
        data = certificate_pdf(cert, lang)
    assert data.startswith(b"%PDF") and b"ABCD-EFGH-JKLM" in data


def test_lesson_shown_in_english_when_not_translated(client, app, sample):
    with app.app_context():
        user = factories.create_user("maya", roles=("trainee",), locale="ne")
        db.session.commit()
        assert user.locale == "ne"
    client.post("/login", data={"username": "maya", "password": factories.PASSWORD})
    client.post(f"/courses/{SLUG}/enrol")
    page = client.get(f"/learn/{SLUG}/lessons/first")
    assert page.status_code == 200
    assert 'lang="en"' in page.text


def test_course_images_are_served_safely(client, auth, sample, learner):
    auth.login(learner)
    image = client.get(f"/courses/{SLUG}/images/map.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert "default-src 'none'" in image.headers["Content-Security-Policy"]
    image.close()
    assert client.get(f"/courses/{SLUG}/images/..%2Fcourse.yaml").status_code == 404
    assert client.get(f"/courses/{SLUG}/images/other.svg").status_code == 404


def test_lesson_page_is_light_and_self_contained(client, auth, sample, learner):
    import gzip

    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    html = client.get(f"/learn/{SLUG}/lessons/first").data
    response = client.get("/static/style.css")
    css = response.data
    response.close()
    weight = len(gzip.compress(html)) + len(gzip.compress(css))
    assert weight < 40 * 1024
    assert not re.search(rb'(?:src|href)="(?:https?:)?//', html)
    assert b"<script" not in html


def test_an_attempt_of_another_course_is_refused(client, auth, app, sample, learner):
    from pathlib import Path

    from lms.catalog import services as catalog
    from tests.catalog import coursekit

    root = Path(app.config["COURSES_DIR"])
    coursekit.write_course(root, coursekit.course_data("second-course"))
    with app.app_context():
        catalog.import_courses([root / "second-course"], root)
        db.session.commit()
    auth.login(learner)
    client.post(f"/courses/{SLUG}/enrol")
    client.post("/courses/second-course/enrol")
    url, attempt, crs = start_attempt(client, app, "second-course")
    form = right_form(crs, attempt)
    wrong_url = f"/learn/{SLUG}/quiz/{attempt.id}"
    assert client.get(wrong_url).status_code == 404
    assert client.post(wrong_url, data=form).status_code == 404
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt.id).submitted_at is None
    assert client.post(url, data=form).status_code == 302


def test_export_and_erasure_of_a_persons_learning(client, auth, app, sample, learner):
    auth.login(learner)
    enrol_and_read_all(client, app)
    url, attempt, crs = start_attempt(client, app)
    client.post(url, data=right_form(crs, attempt))
    with app.app_context():
        enrolment = enrolment_of(learner)
        person = enrolment.person
        [record] = services.export_learning(person)
        assert record["course"] == SLUG and record["certificate"]
        assert record["lessons_read"] == ["first", "second"]
        assert record["attempts"][0]["passed"] is True
        code = record["certificate"]
        # The person is erased (the tombstone keeps erased_at): the certificate names nobody.
        from lms.catalog.timeutil import now_ms

        person.erased_at = now_ms()
        assert services.erase_learning(person) == 1
        db.session.commit()
        assert db.session.scalar(select(Certificate)).holder_name == ""
    auth.logout()
    page = client.get(f"/verify/{code}")
    assert "was withdrawn" in page.text and "Asha Gurung" not in page.text
