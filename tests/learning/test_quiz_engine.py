"""The quiz engine: drawing, reading form posts, scoring every question type, xAPI responses."""

from __future__ import annotations

import pytest

from lms.learning import quiz
from lms.xapi.validation import validate_statement
from tests.catalog import coursekit

QUIZ = coursekit.quiz_data()
BY_ID = {q["id"]: q for q in QUIZ["questions"]}


def test_draw_is_seeded_and_shuffles():
    a = quiz.draw(QUIZ, 42)
    b = quiz.draw(QUIZ, 42)
    assert [e["q"] for e in a] == [e["q"] for e in b]
    assert [[oid for _, oid in e.get("options", [])] for e in a] == [
        [oid for _, oid in e.get("options", [])] for e in b
    ]
    orders = {tuple(e["q"] for e in quiz.draw(QUIZ, seed)) for seed in range(30)}
    assert len(orders) > 5


def test_draw_takes_questions_per_attempt():
    small = {**QUIZ, "questions_per_attempt": 3}
    layout = quiz.draw(small, 7)
    assert len(layout) == 3
    assert len({e["q"] for e in layout}) == 3


def test_tokens_are_opaque_and_unique():
    layout = quiz.draw(QUIZ, 1)
    tokens = [
        t
        for e in layout
        for key in ("options", "items", "left", "right")
        for t, _ in e.get(key, [])
    ]
    assert len(tokens) == len(set(tokens))
    option_ids = {o["id"] for q in QUIZ["questions"] for o in q.get("options", [])}
    assert not set(tokens) & option_ids
    # the left and right tokens of a matching pair differ
    match = next(e for e in layout if e["type"] == "matching")
    assert not {t for t, _ in match["left"]} & {t for t, _ in match["right"]}


def _entry(layout, qid):
    index = next(i for i, e in enumerate(layout) if e["q"] == qid)
    return index, layout[index]


def test_single_and_scenario_scoring():
    for qid in ("q-single", "q-scenario"):
        q = BY_ID[qid]
        right = next(o["id"] for o in q["options"] if o["correct"])
        assert quiz.is_correct(q, right)
        assert not quiz.is_correct(q, next(o["id"] for o in q["options"] if not o["correct"]))
        assert not quiz.is_correct(q, None)


def test_multiple_needs_all_right_and_none_wrong():
    q = BY_ID["q-multiple"]
    assert quiz.is_correct(q, ["a", "b"])
    assert not quiz.is_correct(q, ["a"])
    assert not quiz.is_correct(q, ["a", "b", "c"])
    assert not quiz.is_correct(q, [])


def test_truefalse_scoring():
    q = BY_ID["q-tf"]
    assert quiz.is_correct(q, True)
    assert not quiz.is_correct(q, False)
    assert not quiz.is_correct(q, None)


def test_ordering_scoring():
    q = BY_ID["q-order"]
    assert quiz.is_correct(q, {"s1": 1, "s2": 2, "s3": 3})
    assert not quiz.is_correct(q, {"s1": 2, "s2": 1, "s3": 3})
    assert not quiz.is_correct(q, {"s1": 1, "s2": 1, "s3": 3})
    assert not quiz.is_correct(q, {"s1": 1, "s2": 2})


def test_matching_scoring():
    q = BY_ID["q-match"]
    assert quiz.is_correct(q, {"p1": "p1", "p2": "p2", "p3": "p3"})
    assert not quiz.is_correct(q, {"p1": "p2", "p2": "p1", "p3": "p3"})
    assert not quiz.is_correct(q, {"p1": "p1", "p2": "p2"})


def _right_post(layout):
    form = {}
    for index, entry in enumerate(layout):
        q = BY_ID[entry["q"]]
        if q["type"] in ("single", "multiple", "scenario"):
            right = {o["id"] for o in q["options"] if o["correct"]}
            form[quiz.field_name(index)] = [t for t, oid in entry["options"] if oid in right]
        elif q["type"] == "truefalse":
            form[quiz.field_name(index)] = ["true"]
        elif q["type"] == "ordering":
            for token, item_id in entry["items"]:
                form[quiz.field_name(index, token)] = [item_id[1:]]
        else:
            rights = {pid: t for t, pid in entry["right"]}
            for token, pid in entry["left"]:
                form[quiz.field_name(index, token)] = [rights[pid]]
    return form


def test_parse_and_score_a_full_post():
    layout = quiz.draw(QUIZ, 3)
    answers = quiz.parse_answers(layout, _right_post(layout))
    result = quiz.score(QUIZ, layout, answers)
    assert (result.points, result.maximum, result.passed) == (6, 6, True)
    assert result.scaled == 1.0


def test_pass_mark_boundary():
    layout = quiz.draw(QUIZ, 3)
    post = _right_post(layout)
    # Leave two questions unanswered: 4 of 6 = 0.667 passes a 0.6 mark, 3 of 6 does not.
    for index in range(2):
        for key in [k for k in post if k == f"q{index}" or k.startswith(f"q{index}-")]:
            del post[key]
    result = quiz.score(QUIZ, layout, quiz.parse_answers(layout, post))
    assert (result.points, result.passed) == (4, True)
    for key in [k for k in post if k == "q2" or k.startswith("q2-")]:
        del post[key]
    result = quiz.score(QUIZ, layout, quiz.parse_answers(layout, post))
    assert (result.points, result.passed) == (3, False)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda layout, post: post.update({"q0": ["not-a-token"]}),
        lambda layout, post: post.update({"q99": ["x"]}),
        lambda layout, post: post.update({"q0": post["q0"] + post["q0"]}),
        lambda layout, post: post.update({f"q{_entry(layout, 'q-tf')[0]}": ["maybe"]}),
        lambda layout, post: post.update(
            {
                quiz.field_name(
                    _entry(layout, "q-order")[0], _entry(layout, "q-order")[1]["items"][0][0]
                ): ["9"]
            }
        ),
        lambda layout, post: post.update(
            {
                quiz.field_name(
                    _entry(layout, "q-match")[0], _entry(layout, "q-match")[1]["left"][0][0]
                ): ["zzz"]
            }
        ),
    ],
)
def test_tampered_posts_are_refused(tamper):
    layout = quiz.draw(QUIZ, 5)
    post = _right_post(layout)
    if "q0" not in post:
        post["q0"] = post.get("q0", [])
    tamper(layout, post)
    with pytest.raises(quiz.TamperedAnswer):
        quiz.parse_answers(layout, post)


def test_option_tokens_from_another_attempt_are_refused():
    first = quiz.draw(QUIZ, 5)
    second = quiz.draw(QUIZ, 5)  # same order, new tokens
    with pytest.raises(quiz.TamperedAnswer):
        quiz.parse_answers(second, _right_post(first))


def test_interaction_definitions_and_responses_are_valid_xapi():
    agent = {"objectType": "Agent", "account": {"homePage": "https://t.example", "name": "p1"}}
    answers = {
        "q-single": "b",
        "q-multiple": ["a", "b"],
        "q-tf": True,
        "q-order": {"s2": 1, "s1": 2, "s3": 3},
        "q-match": {"p1": "p1", "p2": "p3", "p3": "p2"},
        "q-scenario": None,
    }
    expected = {
        "q-single": "b",
        "q-multiple": "a[,]b",
        "q-tf": "true",
        "q-order": "s2[,]s1[,]s3",
        "q-match": "p1[.]p1[,]p2[.]p3[,]p3[.]p2",
        "q-scenario": "",
    }
    for qid, answer in answers.items():
        q = BY_ID[qid]
        definition = quiz.interaction_definition(q, "sample-course", "https://t.example", ["en"])
        response = quiz.response_string(q, answer)
        assert response == expected[qid]
        validate_statement(
            {
                "actor": agent,
                "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                "object": {"id": f"https://t.example/q/{qid}", "definition": definition},
                "result": {"response": response, "success": quiz.is_correct(q, answer)},
            }
        )


def test_statement_ids_are_time_ordered_uuids():
    import uuid

    from lms.learning.statements import statement_id

    ids = [statement_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids, key=uuid.UUID)
    assert {uuid.UUID(i).version for i in ids} == {7}
