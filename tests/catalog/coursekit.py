"""Build small valid courses on disk for the checker and importer tests, then break them."""

from __future__ import annotations

from pathlib import Path

import yaml

PARAGRAPH = (
    "At the checkpoint near Galasi the patrol keeps its phones locked and its reports short. "
    "Every soldier knows who to call when something looks wrong, and writes down what was seen, "
    "where, when and by whom, before sharing it with the company operations room. "
)


def lesson_text(words: int = 360, key_points: int = 3, heading: str = "Key points") -> str:
    body = []
    count = 0
    section = 1
    while count < words:
        body.append(f"## Part {section}\n\n{PARAGRAPH}\n")
        count += len(PARAGRAPH.split()) + 2
        section += 1
    points = "\n".join(f"- Point number {n} to remember." for n in range(1, key_points + 1))
    return "\n".join(body) + f"\n## {heading}\n\n{points}\n"


def option(oid: str, correct: bool, text: str = "") -> dict:
    return {
        "id": oid,
        "text": {"en": text or f"Option {oid}"},
        "correct": correct,
        "feedback": {"en": f"Why option {oid} is {'right' if correct else 'wrong'}."},
    }


def quiz_data() -> dict:
    return {
        "pass_mark": 0.6,
        "max_attempts": 2,
        "wait_minutes": 30,
        "questions_per_attempt": 6,
        "questions": [
            {
                "id": "q-single",
                "type": "single",
                "lesson": "first",
                "prompt": {"en": "Pick the right one."},
                "options": [option("a", False), option("b", True), option("c", False)],
            },
            {
                "id": "q-multiple",
                "type": "multiple",
                "prompt": {"en": "Pick all right ones."},
                "options": [option("a", True), option("b", True), option("c", False)],
            },
            {
                "id": "q-tf",
                "type": "truefalse",
                "prompt": {"en": "A locked phone protects the patrol."},
                "answer": True,
                "feedback_true": {"en": "Yes."},
                "feedback_false": {"en": "It does."},
            },
            {
                "id": "q-order",
                "type": "ordering",
                "prompt": {"en": "Order the steps."},
                "items": [
                    {
                        "id": f"s{n}",
                        "text": {"en": f"Step {n}"},
                        "feedback": {"en": f"Step {n} comes {n}."},
                    }
                    for n in range(1, 4)
                ],
            },
            {
                "id": "q-match",
                "type": "matching",
                "prompt": {"en": "Match the terms."},
                "pairs": [
                    {
                        "id": f"p{n}",
                        "left": {"en": f"Term {n}"},
                        "right": {"en": f"Meaning {n}"},
                        "feedback": {"en": f"Term {n} means meaning {n}."},
                    }
                    for n in range(1, 4)
                ],
            },
            {
                "id": "q-scenario",
                "type": "scenario",
                "situation": {"en": "A crowd gathers at the gate."},
                "prompt": {"en": "What do you do first?"},
                "options": [option("a", True), option("b", False), option("c", False)],
            },
        ],
    }


def course_data(
    course_id: str = "sample-course", version: int = 1, lessons=("first", "second")
) -> dict:
    return {
        "id": course_id,
        "version": version,
        "topic": "cyber-hygiene",
        "languages": ["en"],
        "estimated_minutes": 20,
        "prerequisites": [],
        "completion": "CompletedAndPassed",
        "validity_months": 12,
        "title": {"en": "Sample course"},
        "description": {"en": "A short course for the tests."},
        "modules": [
            {
                "id": "only",
                "title": {"en": "The module"},
                "lessons": [
                    {"id": lid, "minutes": 10, "title": {"en": f"Lesson {lid}"}} for lid in lessons
                ],
            }
        ],
    }


def write_course(
    root: Path, course: dict | None = None, quiz: dict | None = None, texts=None
) -> Path:
    course = course or course_data()
    folder = root / course["id"]
    (folder / "lessons" / "en").mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    (folder / "images" / "map.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    )
    (folder / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True, sort_keys=False))
    (folder / "quiz.yaml").write_text(
        yaml.safe_dump(quiz or quiz_data(), allow_unicode=True, sort_keys=False)
    )
    for module in course["modules"]:
        for lesson in module["lessons"]:
            text = (texts or {}).get(lesson["id"]) or lesson_text()
            (folder / "lessons" / "en" / f"{lesson['id']}.md").write_text(text)
    return folder
