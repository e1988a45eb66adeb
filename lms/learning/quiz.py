"""The quiz engine, pure Python: draw an attempt, read a form post, score, describe for xAPI.

An attempt draws ``questions_per_attempt`` questions and shuffles questions and options with a
seed kept on the server. Options are named in the page by random tokens drawn per attempt (not
from the seed), so the page never shows which option is which; the stored layout maps tokens
back to option ids.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from lms.xapi import iris


class TamperedAnswer(ValueError):
    """A form post that the attempt's page could not have produced."""


def _tokens(count: int, used: set[str]) -> list[str]:
    """Option names for the page: random, unrelated to the seed, unique within the attempt."""
    out = []
    while len(out) < count:
        token = secrets.token_hex(5)
        if token not in used:
            used.add(token)
            out.append(token)
    return out


def draw(quiz: dict, seed: int) -> list[dict]:
    """The questions of one attempt, in order, with shuffled options and their tokens."""
    # Seeded so an attempt's draw and order can be reproduced; not a secret (tokens are).
    rng = random.Random(seed)  # noqa: S311
    questions = quiz["questions"]
    count = min(quiz.get("questions_per_attempt") or len(questions), len(questions))
    chosen = rng.sample(questions, count)
    used: set[str] = set()
    layout = []
    for q in chosen:
        entry: dict = {"q": q["id"], "type": q["type"]}
        if q["type"] in ("single", "multiple", "scenario"):
            ids = [o["id"] for o in q["options"]]
            rng.shuffle(ids)
            entry["options"] = list(zip(_tokens(len(ids), used), ids, strict=True))
        elif q["type"] == "ordering":
            ids = [i["id"] for i in q["items"]]
            rng.shuffle(ids)
            entry["items"] = list(zip(_tokens(len(ids), used), ids, strict=True))
        elif q["type"] == "matching":
            left = [p["id"] for p in q["pairs"]]
            right = list(left)
            rng.shuffle(left)
            rng.shuffle(right)
            entry["left"] = list(zip(_tokens(len(left), used), left, strict=True))
            entry["right"] = list(zip(_tokens(len(right), used), right, strict=True))
        layout.append(entry)
    return layout


def field_name(index: int, token: str | None = None) -> str:
    return f"q{index}" if token is None else f"q{index}-{token}"


def parse_answers(layout: list[dict], form) -> dict[str, object]:
    """Turn a form post into answers keyed by question id; raise TamperedAnswer on anything odd.

    ``form`` is a mapping of field name to list of values (e.g. ``request.form.to_dict(flat=False)``).
    Unanswered questions are allowed and score nothing.
    """
    expected: set[str] = set()
    answers: dict[str, object] = {}
    for index, entry in enumerate(layout):
        kind = entry["type"]
        if kind in ("single", "scenario", "multiple"):
            name = field_name(index)
            expected.add(name)
            tokens = dict(entry["options"])
            values = form.get(name, [])
            if any(v not in tokens for v in values) or len(set(values)) != len(values):
                raise TamperedAnswer(f"question {index + 1}: unknown option")
            if kind == "multiple":
                answers[entry["q"]] = sorted(tokens[v] for v in values)
            else:
                if len(values) > 1:
                    raise TamperedAnswer(f"question {index + 1}: one option only")
                answers[entry["q"]] = tokens[values[0]] if values else None
        elif kind == "truefalse":
            name = field_name(index)
            expected.add(name)
            values = form.get(name, [])
            if len(values) > 1 or any(v not in ("true", "false") for v in values):
                raise TamperedAnswer(f"question {index + 1}: answer true or false")
            answers[entry["q"]] = (values[0] == "true") if values else None
        elif kind == "ordering":
            positions: dict[str, int] = {}
            size = len(entry["items"])
            for token, item_id in entry["items"]:
                name = field_name(index, token)
                expected.add(name)
                values = form.get(name, [])
                if len(values) > 1:
                    raise TamperedAnswer(f"question {index + 1}: one position per step")
                if not values or values[0] == "":
                    continue
                if not values[0].isdigit() or not 1 <= int(values[0]) <= size:
                    raise TamperedAnswer(f"question {index + 1}: position out of range")
                positions[item_id] = int(values[0])
            answers[entry["q"]] = positions
        elif kind == "matching":
            rights = dict(entry["right"])
            chosen: dict[str, str] = {}
            for token, pair_id in entry["left"]:
                name = field_name(index, token)
                expected.add(name)
                values = form.get(name, [])
                if len(values) > 1:
                    raise TamperedAnswer(f"question {index + 1}: one text per line")
                if not values or values[0] == "":
                    continue
                if values[0] not in rights:
                    raise TamperedAnswer(f"question {index + 1}: unknown text")
                chosen[pair_id] = rights[values[0]]
            answers[entry["q"]] = chosen
    unknown = {k for k in form if k.startswith("q") and k not in expected}
    if unknown:
        raise TamperedAnswer("answers to questions that are not in this attempt")
    return answers


def is_correct(question: dict, answer: object) -> bool:
    kind = question["type"]
    if kind in ("single", "scenario"):
        right = next(o["id"] for o in question["options"] if o["correct"])
        return answer == right
    if kind == "multiple":
        right = sorted(o["id"] for o in question["options"] if o["correct"])
        return answer == right
    if kind == "truefalse":
        return answer is not None and answer == question["answer"]
    if kind == "ordering":
        order = [i["id"] for i in question["items"]]
        positions = answer if isinstance(answer, dict) else {}
        return [positions.get(item_id) for item_id in order] == list(range(1, len(order) + 1))
    if kind == "matching":
        chosen = answer if isinstance(answer, dict) else {}
        return all(chosen.get(p["id"]) == p["id"] for p in question["pairs"])
    return False


@dataclass
class Score:
    points: int
    maximum: int
    scaled: float
    passed: bool
    correct: dict[str, bool]


def score(quiz: dict, layout: list[dict], answers: dict[str, object]) -> Score:
    """One point per question answered fully right; passed when the share reaches the pass mark."""
    by_id = {q["id"]: q for q in quiz["questions"]}
    correct = {e["q"]: is_correct(by_id[e["q"]], answers.get(e["q"])) for e in layout}
    points = sum(correct.values())
    maximum = len(layout)
    scaled = round(points / maximum, 4) if maximum else 0.0
    return Score(points, maximum, scaled, points >= quiz["pass_mark"] * maximum - 1e-9, correct)


# -- xAPI descriptions (cmi.interaction) ---------------------------------------------------

INTERACTION_TYPES = {
    "single": "choice",
    "scenario": "choice",
    "multiple": "choice",
    "truefalse": "true-false",
    "ordering": "sequencing",
    "matching": "matching",
}


def interaction_definition(question: dict, course_slug: str, base: str, languages) -> dict:
    """The activity definition of a question (Data 2.4.4.1 interaction activities)."""
    kind = question["type"]
    prompt = {lang: question["prompt"][lang] for lang in languages if lang in question["prompt"]}
    definition: dict = {
        "type": iris.INTERACTION,
        "name": prompt,
        "interactionType": INTERACTION_TYPES[kind],
    }
    if kind in ("single", "scenario", "multiple"):
        definition["choices"] = [
            {"id": o["id"], "description": dict(o["text"])} for o in question["options"]
        ]
        right = [o["id"] for o in question["options"] if o["correct"]]
        definition["correctResponsesPattern"] = ["[,]".join(right)]
    elif kind == "truefalse":
        definition["correctResponsesPattern"] = ["true" if question["answer"] else "false"]
    elif kind == "ordering":
        definition["choices"] = [
            {"id": i["id"], "description": dict(i["text"])} for i in question["items"]
        ]
        definition["correctResponsesPattern"] = ["[,]".join(i["id"] for i in question["items"])]
    elif kind == "matching":
        definition["source"] = [
            {"id": p["id"], "description": dict(p["left"])} for p in question["pairs"]
        ]
        definition["target"] = [
            {"id": p["id"], "description": dict(p["right"])} for p in question["pairs"]
        ]
        definition["correctResponsesPattern"] = [
            "[,]".join(f"{p['id']}[.]{p['id']}" for p in question["pairs"])
        ]
    return definition


def response_string(question: dict, answer: object) -> str:
    """The learner's answer in the cmi.interaction response format."""
    kind = question["type"]
    if kind in ("single", "scenario"):
        return answer or ""
    if kind == "multiple":
        return "[,]".join(answer or [])
    if kind == "truefalse":
        return "" if answer is None else ("true" if answer else "false")
    if kind == "ordering":
        positions = answer or {}
        return "[,]".join(sorted(positions, key=lambda item_id: positions[item_id]))
    if kind == "matching":
        return "[,]".join(f"{left}[.]{right}" for left, right in (answer or {}).items())
    return ""
