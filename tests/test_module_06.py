"""Module 06 (every family): the six-element sort, the engagement-plan builder and its exercise items.

Widgets run in-process with a fresh ALONGSIDE_HOME, as in a trainee's kernel.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from alongside import grading
from alongside.rubric import score
from alongside.widgets import AgreementBuilder, StatementSorter

# These tests mark statements to sort as the trainer's grader does, with the answer key.
pytestmark = pytest.mark.usefixtures("answer_keys")

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["who", "strength", "outside", "shaping", "language_culture", "learning"]
GOOD = {
    "who": "Dads who do drop-off and families who work shifts.",
    "strength": "Darren fixes bikes, so he leads the bike games.",
    "outside": "A Saturday walk in the park.",
    "shaping": "Parents and staff choose the family events together each term.",
    "language_culture": "A professional interpreter at every meeting, and songs from home.",
    "learning": "Key persons ask each family what works at home and try it at nursery.",
}
RIGHT = {"e1": "strengths", "e2": "validate and engage", "e3": "outside the setting", "e4": "learn alongside",
         "e5": "collaborative schemes", "e6": "language and culture"}
ELEMENTS = ["Strengths", "Validate and engage", "Outside the setting", "Learn alongside", "Collaborative schemes",
            "Language and culture"]


def _text(html_value: str) -> str:
    return re.sub(r"<[^>]+>", "", html_value)


def test_sorter_offers_the_six_elements_by_name(alongside_home):
    sorter = StatementSorter("06-practice")
    assert not sorter.has_second
    choice = next(iter(sorter.first.values()))
    assert [label for label, _value in choice.options] == ELEMENTS
    assert choice.description.startswith("Which element does this practice show?")


def test_sorter_says_right_and_not_yet_with_the_reason(alongside_home):
    sorter = StatementSorter("06-practice")
    sorter.first["p1"].value = "strengths"
    sorter.first["p6"].value = "collaborative_schemes"
    sorter.check()
    shown = _text(sorter.feedback.value)
    assert "Right" in shown and "Not yet" in shown
    assert "a name said right tells a family they belong" in shown


def test_every_element_is_right_once_in_the_graded_sort():
    assert grading.evaluate("06-every-family", "sort", RIGHT).points == 3
    assert sorted(RIGHT.values()) == sorted(e.lower() for e in ELEMENTS)


def test_sort_accepts_everyday_spellings():
    answer = {"e1": "Strength", "e2": "welcome", "e3": "Outside", "e4": "learning_alongside",
              "e5": "Together", "e6": "culture"}
    assert grading.evaluate("06-every-family", "sort", answer).points == 3


def test_sort_marks_each_practice_and_says_why():
    wrong = dict(RIGHT, e2="strengths", e5="language and culture")
    result = grading.evaluate("06-every-family", "sort", wrong)
    assert result.points == 2
    assert any("e2" in line and "Dropping the label" in line for line in result.lines)


def test_sort_of_wrong_shape_earns_nothing_with_a_reason():
    result = grading.evaluate("06-every-family", "sort", ["strengths"] * 6)
    assert result.points == 0 and "one line for each statement" in result.lines[0] and '"e1: ..."' in result.lines[0]


def test_builder_has_a_box_for_each_part_of_the_plan_and_checks_it(alongside_home):
    builder = AgreementBuilder("engagement-plan")
    assert list(builder.boxes) == FIELDS
    for fid, text in GOOD.items():
        builder.boxes[fid].value = text
    result = builder.check()
    assert result.score == result.max == 8
    assert "8 of 8 points" in _text(builder.feedback.value)
    assert grading.evaluate("06-every-family", "plan", builder.value).points == 8


def test_hard_to_reach_label_loses_its_point_and_says_why():
    plan = dict(GOOD, who="The hard to reach dads who never come.")
    result = grading.evaluate("06-every-family", "plan", plan)
    assert result.points == 7
    assert any("hard to reach" in line and "Crozier and Davies" in line for line in result.lines)


def test_saying_you_will_drop_the_label_is_not_blamed():
    plan = dict(GOOD, who='We stop calling anyone "hard to reach". We mean dads who work shifts.')
    assert grading.evaluate("06-every-family", "plan", plan).points == 8


def test_asking_without_sharing_the_decision_does_not_count_as_shaping():
    plan = dict(GOOD, shaping="We send a survey and the manager decides.")
    result = grading.evaluate("06-every-family", "plan", plan)
    assert result.points == 7
    assert any("not the same as sharing the decision" in line for line in result.lines)


def test_a_plan_for_all_parents_in_the_building_earns_little_and_says_what_to_add():
    plan = {"who": "All parents.", "strength": "None.", "outside": "Parents' evening in the hall.",
            "shaping": "Staff decide.", "language_culture": "Everything is in English.", "learning": "Training."}
    result = grading.evaluate("06-every-family", "plan", plan)
    assert result.points == 2  # no blaming label, no jargon: nothing else
    assert any("hear from least" in line for line in result.lines)


@pytest.mark.parametrize("field, text, criterion", [
    ("outside", "No home visits.", "outside_setting"),
    ("outside", "There will be no online meetings.", "outside_setting"),
    ("language_culture", "No interpreter needed.", "language_culture"),
    ("language_culture", "We treat every culture the same.", "language_culture"),
    ("learning", "We don't ask families.", "learns_from_families"),
    ("strength", "They lack skills.", "builds_on_strength"),
    ("shaping", "Families don't decide anything.", "families_shape"),
    ("shaping", "Parents are told the plan.", "families_shape"),
])
def test_a_negated_practice_does_not_count(field, text, criterion):
    result = score("engagement-plan", dict(GOOD, **{field: text}))
    assert not result.criteria[criterion].met
    assert result.score == 7


@pytest.mark.parametrize("field, text", [
    ("outside", "No home visits, but a walk in the park on Saturday."),
    ("outside", "We won't text; we phone at a time that suits."),
    ("language_culture", "We don't use children as interpreters; we book a professional one."),
    ("learning", "We don't guess: we ask each family what works at home."),
    ("shaping", "Staff don't decide alone; parents vote on the plan."),
])
def test_a_negation_that_turns_round_still_counts(field, text):
    assert score("engagement-plan", dict(GOOD, **{field: text})).score == 8


def test_plan_of_wrong_shape_gets_a_message_not_a_traceback():
    for answer in (["dads", "park"], "Dads in the park on Saturday, with an interpreter.", 42):
        result = grading.evaluate("06-every-family", "plan", answer)
        assert result.points == 0
        assert "should be a dict like" in result.lines[0] and '"who"' in result.lines[0]


def test_plan_with_misnamed_parts_says_which_names_it_expects():
    result = grading.evaluate("06-every-family", "plan", {"Who": "Dads who work shifts.", "Outside": "A walk in the park."})
    assert result.points == 0
    assert "none of the parts" in result.lines[0] and '"language_culture"' in result.lines[0]


def test_plan_survives_a_restart_apart_from_other_plans(alongside_home):
    AgreementBuilder("engagement-plan").boxes["outside"].value = "A walk in the park."
    assert AgreementBuilder("engagement-plan").boxes["outside"].value == "A walk in the park."
    assert AgreementBuilder("feedback-loop").value["how_often"] == ""


def test_blank_plan_earns_nothing():
    assert grading.evaluate("06-every-family", "plan", {f: "" for f in FIELDS}).points == 0


def test_story_names_are_new_to_the_course():
    names = ("Darren", "Ellie", "Kirsty", "Mei", "Jun", "Amina", "Karim", "Ania", "Kacper", "Joanne",
             "Larch Street", "Hollinford")
    for path in sorted((ROOT / "course").glob("*.ipynb")):
        if path.name.startswith("06-"):
            continue
        text = " ".join(c.source for c in nbformat.read(path, as_version=4).cells)
        for name in names:
            assert not re.search(rf"\b{name}\b", text), f"{name} is already used in {path.name}"
