"""Module 09 (co-production and feedback): the sort, the feedback-loop builder and its exercise items.

Widgets run in-process with a fresh ALONGSIDE_HOME, as in a trainee's kernel.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from alongside import grading
from alongside.widgets import AgreementBuilder, StatementSorter

# These tests mark statements to sort as the trainer's grader does, with the answer key.
pytestmark = pytest.mark.usefixtures("answer_keys")

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["who_is_asked", "how_asked", "how_often", "what_changes", "telling_families", "staff_use"]
GOOD = {
    "who_is_asked": "All families, including dads and families who stopped coming.",
    "how_asked": "A chat with a professional interpreter where needed, and a picture board for children.",
    "how_often": "Every half term.",
    "what_changes": "Parents and staff decide together in a planning group, within a month.",
    "telling_families": "A you said, we did poster, with what we could not do and why.",
    "staff_use": "Staff bring comments to supervision to reflect on how they work.",
}
RIGHT = {"c1": "informing", "c2": "consultation", "c3": "co-production", "c4": "co-production",
         "c5": "informing", "c6": "consultation"}


def _text(html_value: str) -> str:
    return re.sub(r"<[^>]+>", "", html_value)


def test_sorter_offers_three_labelled_kinds_and_no_second_choice(alongside_home):
    sorter = StatementSorter("09-practice")
    assert not sorter.has_second
    choice = next(iter(sorter.first.values()))
    assert [label for label, _value in choice.options] == ["Informing", "Consultation", "Co-production"]
    assert choice.description.startswith("Informing, consultation or co-production?")


def test_sorter_says_right_and_not_yet_in_words(alongside_home):
    sorter = StatementSorter("09-practice")
    sorter.first["p1"].value = "informing"
    sorter.first["p2"].value = "co_production"
    sorter.check()
    shown = _text(sorter.feedback.value)
    assert "Right" in shown and "Not yet" in shown
    assert "the head makes the decision alone" in shown


def test_sort_accepts_everyday_spellings():
    answer = {"c1": "Informed", "c2": "consulted", "c3": "coproduction", "c4": "Co-Production",
              "c5": "telling", "c6": "asking"}
    assert grading.evaluate("09-co-production", "sort", answer).points == 3


def test_sort_marks_each_example_and_says_why():
    wrong = dict(RIGHT, c2="co-production", c6="informing")
    result = grading.evaluate("09-co-production", "sort", wrong)
    assert result.points == 2
    assert any("c2" in line and "managers make the" in line for line in result.lines)


def test_sort_of_wrong_shape_earns_nothing_with_a_reason():
    result = grading.evaluate("09-co-production", "sort", ["informing", "consultation"])
    assert result.points == 0 and "one line for each statement" in result.lines[0]


def test_builder_has_a_box_for_each_part_of_the_loop_and_checks_it(alongside_home):
    builder = AgreementBuilder("feedback-loop")
    assert list(builder.boxes) == FIELDS
    for fid, text in GOOD.items():
        builder.boxes[fid].value = text
    result = builder.check()
    assert result.score == result.max == 11
    assert "11 of 11 points" in _text(builder.feedback.value)
    assert grading.evaluate("09-co-production", "loop", builder.value).points == 11


def test_asking_without_sharing_the_decision_is_named_as_consultation(alongside_home):
    loop = dict(GOOD, what_changes="The manager decides what to change within a month.")
    result = grading.evaluate("09-co-production", "loop", loop)
    assert result.points == 10
    assert any("consultation, not co-production" in line for line in result.lines)


def test_paper_form_only_loop_earns_little_and_says_what_to_add():
    loop = {"who_is_asked": "Parents.", "how_asked": "A paper form.", "how_often": "Sometimes.",
            "what_changes": "The manager decides.", "telling_families": "Nothing planned.", "staff_use": "Filed."}
    result = grading.evaluate("09-co-production", "loop", loop)
    assert 0 < result.points <= 4
    assert any("families who stopped coming" in line for line in result.lines)


def test_loop_survives_a_restart_apart_from_other_plans(alongside_home):
    AgreementBuilder("feedback-loop").boxes["how_often"].value = "Every half term."
    assert AgreementBuilder("feedback-loop").boxes["how_often"].value == "Every half term."
    assert AgreementBuilder("communication-agreement").value["review"] == ""


def test_blank_loop_earns_nothing():
    assert grading.evaluate("09-co-production", "loop", {f: "" for f in FIELDS}).points == 0


def test_story_names_are_new_to_the_course():
    names = ("Gabriel", "Poppy", "Hodan", "Abdi", "Nkechi", "Ollie", "Wrenfield")
    for path in sorted((ROOT / "course").glob("0[1-7]-*.ipynb")):
        text = " ".join(c.source for c in nbformat.read(path, as_version=4).cells)
        for name in names:
            assert not re.search(rf"\b{name}\b", text), f"{name} is already used in {path.name}"
