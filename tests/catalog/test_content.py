"""The course checker: every rule of courses/README.md, reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.catalog import content
from tests.catalog import coursekit

COURSES = Path(__file__).resolve().parents[2] / "courses"


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def test_every_shipped_course_is_valid():
    results = content.load_courses(None, COURSES)
    assert len(results) >= 8
    for folder, course, problems in results:
        assert problems == [], (folder, messages(problems))
        assert course.id == folder.name
        assert course.quiz and course.quiz["questions"]
        for lesson in course.lessons:
            for lang in course.languages:
                assert (lesson.id, lang) in course.texts


def test_sample_course_is_valid(tmp_path):
    folder = coursekit.write_course(tmp_path)
    course, problems = content.load_course(folder)
    assert messages(problems) == []
    assert [q["type"] for q in course.quiz["questions"]] == [
        "single",
        "multiple",
        "truefalse",
        "ordering",
        "matching",
        "scenario",
    ]


def test_yaml_syntax_error_has_its_line(tmp_path):
    folder = coursekit.write_course(tmp_path)
    (folder / "course.yaml").write_text("id: sample-course\nversion: 1\ntitle: [unclosed\n")
    course, problems = content.load_course(folder)
    assert course is None
    assert len(problems) == 1
    assert problems[0].path.endswith("sample-course/course.yaml")
    assert problems[0].line >= 3
    assert "invalid YAML" in problems[0].message


def test_course_yaml_errors_with_lines(tmp_path):
    folder = coursekit.write_course(tmp_path)
    text = (folder / "course.yaml").read_text()
    text = text.replace("topic: cyber-hygiene", "topic: cooking\ncolour: blue")
    text = text.replace("version: 1", "version: one")
    (folder / "course.yaml").write_text(text)
    _, problems = content.load_course(folder)
    lines = text.splitlines()
    found = {p.message.split(":")[1].strip()[:20]: p for p in problems}
    shown = messages(problems)
    topic_line = next(i for i, line in enumerate(lines, 1) if line.startswith("topic:"))
    assert any(p.line == topic_line and "topic 'cooking'" in p.message for p in problems), shown
    assert any("unknown key 'colour'" in p.message and p.line == topic_line + 1 for p in problems)
    assert any("'version' must be a whole number" in p.message for p in problems), found


def test_language_map_missing_a_language(tmp_path):
    data = coursekit.course_data()
    data["languages"] = ["en", "fr"]
    folder = coursekit.write_course(tmp_path, data)
    _, problems = content.load_course(folder)
    shown = messages(problems)
    assert any("'title' misses the language 'fr'" in m for m in shown), shown
    lines = (tmp_path / "sample-course" / "course.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == "- id: first")
    assert (
        f"sample-course/course.yaml:{line}: lesson 'first': file missing for 'fr': "
        "sample-course/lessons/fr/first.md"
    ) in shown, shown


def test_english_must_come_first_and_ids_unique(tmp_path):
    data = coursekit.course_data(lessons=("first", "first"))
    data["languages"] = ["fr", "en"]
    data["title"]["fr"] = "Cours"
    folder = coursekit.write_course(tmp_path, data)
    _, problems = content.load_course(folder)
    shown = messages(problems)
    assert any("'en' must be the first language" in m for m in shown)
    assert any("lesson id used twice" in m for m in shown)


def _lesson_problems(tmp_path, text: str) -> list[str]:
    folder = coursekit.write_course(tmp_path, texts={"first": text})
    _, problems = content.load_course(folder)
    return [m for m in messages(problems) if "lessons/en/first.md" in m]


def test_lesson_level_one_heading_and_html(tmp_path):
    text = "# Title\n\n<b>bold</b>\n\n" + coursekit.lesson_text()
    shown = _lesson_problems(tmp_path, text)
    assert any(
        m.endswith("first.md:1: level-1 heading: the title comes from course.yaml; use ## and ###")
        for m in shown
    ), shown
    assert any(":3: raw HTML is not allowed" in m for m in shown), shown


def test_lesson_length_and_key_points(tmp_path):
    assert any(
        "a lesson has 300 to 900" in m
        for m in _lesson_problems(tmp_path, coursekit.lesson_text(words=100))
    )
    assert any(
        "a lesson has 300 to 900" in m
        for m in _lesson_problems(tmp_path, coursekit.lesson_text(words=1000))
    )
    shown = _lesson_problems(tmp_path, coursekit.lesson_text(key_points=2))
    assert any("has 2 bullet points; use three to six" in m for m in shown), shown
    shown = _lesson_problems(tmp_path, coursekit.lesson_text(heading="Summary"))
    assert any("must be '## Key points'" in m for m in shown), shown


def test_translated_key_points_heading_is_accepted():
    problems = content.check_lesson_markdown(
        coursekit.lesson_text(heading="Points clés"), "fr", set()
    )
    assert problems == []


def test_lesson_images_and_links(tmp_path):
    text = coursekit.lesson_text() + (
        "\n![](images/map.svg)\n\n![A map](images/missing.svg)\n\n![x](http://example.org/a.png)\n\n"
        "[bad](javascript:alert(1)) [good](https://example.org)\n"
    )
    shown = _lesson_problems(tmp_path, text)
    assert any("image 'images/map.svg' needs a description" in m for m in shown), shown
    assert any("'images/missing.svg': no such file" in m for m in shown), shown
    assert any("'http://example.org/a.png' must be images/" in m for m in shown), shown
    assert any("link 'javascript:alert(1)'" in m for m in shown), shown
    assert not any("example.org'" in m and "link" in m for m in shown), shown


def test_images_size_name_and_svg_safety(tmp_path):
    folder = coursekit.write_course(tmp_path)
    (folder / "images" / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 40_000)
    (folder / "images" / "Bad Name.svg").write_text("<svg/>")
    (folder / "images" / "evil.svg").write_text('<svg onload="alert(1)"></svg>')
    _, problems = content.load_course(folder)
    shown = messages(problems)
    assert any("big.png" in m and "under 30 KB" in m for m in shown)
    assert any("Bad Name.svg" in m for m in shown)
    assert any("evil.svg" in m and "scripts" in m for m in shown)


def _quiz_problems(tmp_path, quiz: dict) -> list[str]:
    folder = coursekit.write_course(tmp_path, quiz=quiz)
    course, problems = content.load_course(folder)
    return [m for m in messages(problems) if "quiz.yaml" in m]


def test_quiz_single_needs_one_correct_and_three_options(tmp_path):
    quiz = coursekit.quiz_data()
    quiz["questions"][0]["options"] = [coursekit.option("a", True), coursekit.option("b", True)]
    shown = _quiz_problems(tmp_path, quiz)
    assert any("question q-single: at least three options" in m for m in shown), shown
    assert any("exactly one correct option, found 2" in m for m in shown), shown
    # the line is the line of the question's options key
    line = next(
        i
        for i, text in enumerate(
            (tmp_path / "sample-course" / "quiz.yaml").read_text().splitlines(), 1
        )
        if text.strip() == "options:"
    )
    assert any(m.startswith(f"sample-course/quiz.yaml:{line}: question q-single") for m in shown), (
        shown
    )


def test_quiz_other_rules(tmp_path):
    quiz = coursekit.quiz_data()
    quiz["questions"][1]["options"] = [coursekit.option(x, False) for x in "abc"]
    quiz["questions"][2]["answer"] = "yes"
    quiz["questions"][3]["items"] = quiz["questions"][3]["items"][:2]
    quiz["questions"][4]["pairs"][1]["right"] = {"en": "Meaning 1"}
    del quiz["questions"][5]["options"][0]["feedback"]
    quiz["questions"][0]["lesson"] = "nowhere"
    quiz["questions"].append(dict(quiz["questions"][0]))
    quiz["questions_per_attempt"] = 12
    quiz["pass_mark"] = 1.5
    shown = _quiz_problems(tmp_path, quiz)
    for expected in (
        "question q-multiple: at least one correct option",
        "question q-tf: 'answer' must be true or false",
        "question q-order: 3 to 7 items, found 2",
        "question q-match: the right texts in 'en' must differ",
        "missing key 'feedback'",
        "lesson 'nowhere' is not a lesson of the course",
        "question q-single: id used twice",
        "fewer than questions_per_attempt (12)",
        "'pass_mark' must be a number above 0, at most 1",
    ):
        assert any(expected in m for m in shown), (expected, shown)


def test_duplicate_yaml_keys_are_reported(tmp_path):
    folder = coursekit.write_course(tmp_path)
    text = (folder / "course.yaml").read_text() + "topic: opsec\n"
    (folder / "course.yaml").write_text(text)
    _, problems = content.load_course(folder)
    assert any(
        p.message == "duplicate key 'topic'" and p.line == len(text.splitlines()) for p in problems
    )


def test_unknown_prerequisite(tmp_path):
    data = coursekit.course_data()
    data["prerequisites"] = ["no-such-course"]
    coursekit.write_course(tmp_path, data)
    [(_, _, problems)] = content.load_courses(None, tmp_path)
    assert any("unknown prerequisite 'no-such-course'" in m for m in messages(problems))
    [(_, _, problems)] = content.load_courses(None, tmp_path, known_ids={"no-such-course"})
    assert problems == []


@pytest.mark.parametrize(
    ("text", "lang", "low", "high"),
    [
        ("one two three", "en", 3, 3),
        ("नेपाली भाषामा लेखिएको पाठ", "ne", 4, 4),
        ("网络安全很重要" * 10, "zh", 30, 40),
    ],
)
def test_word_count(text, lang, low, high):
    assert low <= content.count_words(text, lang) <= high
