"""Marking never stops on a bad answer: wrong shapes and missing answers earn 0 with a reason."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alongside import grading, runs
from alongside.answer_text import first_line
from alongside.data import list_names

# These tests mark statements to sort as the trainer's grader does, with the answer key.
pytestmark = pytest.mark.usefixtures("answer_keys")

EXERCISES = list_names("exercises")
ITEMS = [(ex, item["id"]) for ex in EXERCISES for item in grading.exercise(ex)["items"]]

WRONG_SHAPES = [None, 42, 3.5, [], (), {}, "", "   ", "# YOUR ANSWER HERE", object(), {"x": object()}, ["a", "b"], b"bytes"]


def test_every_exercise_has_items():
    assert "02-words" in EXERCISES
    assert all(grading.exercise(ex)["items"] for ex in EXERCISES)


@pytest.mark.parametrize("exercise_id,item_id", ITEMS)
@pytest.mark.parametrize("answer", WRONG_SHAPES, ids=lambda a: type(a).__name__ + repr(a)[:12])
def test_wrong_shapes_earn_zero_with_a_reason(exercise_id, item_id, answer):
    result = grading.evaluate(exercise_id, item_id, answer)
    assert result.points == 0
    assert result.max > 0
    assert result.lines and all(isinstance(line, str) and line.strip() for line in result.lines)


@pytest.mark.parametrize("exercise_id,item_id", ITEMS)
def test_answer_cell_not_run_is_named_and_printed_on_stdout_only(exercise_id, item_id, capsys):
    points = grading.mark(exercise_id, item_id)
    out, err = capsys.readouterr()
    assert points == 0.0 and type(points) is float
    assert "has not been run" in out and first_line(exercise_id, item_id) in out
    assert err == "", "nbgrader gives zero for any output on stderr"


def test_mark_marks_the_latest_run_of_the_answer_cell(capsys):
    runs.record("02-words", "listening", "Don't worry.")
    runs.record("02-words", "listening", "It sounds like nobody has listened. What have you noticed at home? "
                                         "Let's meet next week and plan together.")
    assert grading.mark("02-words", "listening") >= 4
    assert "Met (1 of 1)" in capsys.readouterr().out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.one_of(st.text(), st.dictionaries(st.text(max_size=8), st.one_of(st.text(), st.none(), st.integers())),
                        st.lists(st.text(), max_size=4), st.integers()))
def test_any_answer_gives_points_within_bounds(answer):
    for exercise_id, item_id in ITEMS:
        result = grading.evaluate(exercise_id, item_id, answer)
        assert 0 <= result.points <= result.max
        assert not math.isnan(result.points)


def test_unknown_item_is_a_message_not_an_error(capsys):
    assert grading.mark("02-words", "no-such-item") == 0.0
    assert "could not be marked" in capsys.readouterr().out


def test_reflection_parts_item_gives_a_share_per_part_and_says_what_to_add():
    from alongside.grading import evaluate

    whole = ("Last week a parent told me at the door that her son hates the noisy hall. I felt rushed and said I "
             "would pass it on. I think she felt brushed off, and I learned that passing things on is not the same "
             "as listening. Next time I will ask what helps him and write it down with her.")
    result = evaluate("10-together", "reflection", whole)
    assert result.max == 3 and 0 < result.points <= 3
    assert any(line.startswith(("Met: What?", "Not yet: What?")) for line in result.lines)
    blank = evaluate("10-together", "reflection", "# YOUR ANSWER HERE")
    assert blank.points == 0 and "no reflection" in blank.lines[0]
    assert evaluate("10-together", "reflection", 42).points == 0


def test_reflection_parts_item_warns_about_identifying_details():
    from alongside.grading import evaluate

    text = "I met Mrs Khan at 14 Elm Road about her son. I felt unsure. Next time I will ask more questions."
    assert any(line.startswith("Privacy check:") for line in evaluate("10-together", "reflection", text).lines)


def test_letter_item_gives_a_point_share_per_check_with_what_to_fix():
    import yaml

    from alongside.grading import evaluate

    bad = yaml.safe_load((Path(__file__).parent / "data" / "letters" / "02-review-primary-bad.yaml").read_text())["text"]
    result = evaluate("08-safeguarding", "letter", bad)
    assert result.max == 10 and 0 < result.points <= 2  # when and where, and why: little else
    assert any(line.startswith("Not yet: No blaming") and "failure to attend" in line for line in result.lines)
    assert result.lines[-1] == "The letter does not pass yet."
    assert evaluate("08-safeguarding", "letter", "").points == 0
    assert evaluate("08-safeguarding", "letter", ["not", "text"]).points == 0
