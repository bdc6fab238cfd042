"""Module 07 (goals and boundaries): its rubrics, its exercise items and its agreement builder.

The builder runs in-process with a fresh ALONGSIDE_HOME, as in a trainee's kernel: typing,
checking, restarting (a new builder reading the saved agreement) and a store that cannot save.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from alongside import grading, rubric
from alongside.store import Store
from alongside.widgets import AgreementBuilder
from alongside.answer_text import parse_answer, plan_fields

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["how_to_contact", "reply_time", "not_appropriate", "parent_can_expect", "review"]
GOOD = {
    "how_to_contact": "A note in the home-school book. If it is urgent, phone the office the same day.",
    "reply_time": "Within two school days; nobody replies in the evening or at weekends.",
    "not_appropriate": "Clive won't message staff's own phones, and staff won't talk about Rhys where others can hear.",
    "parent_can_expect": "A note every Friday and a call before any change to Rhys's day.",
    "review": "Clive and Bronwen look at it together at the end of this half term.",
}


def _text(html_value: str) -> str:
    return re.sub(r"<[^>]+>", "", html_value)


def test_builder_has_a_labelled_box_for_each_part_of_the_agreement(alongside_home):
    builder = AgreementBuilder("communication-agreement")
    assert list(builder.boxes) == FIELDS
    for field, box in zip(plan_fields("communication-agreement"), builder.boxes.values()):
        assert field["label"] in box.description and field["hint"]
    assert builder.check_button.description == "Check my plan"


def test_builder_checks_with_the_exercise_rubric_and_says_met_in_words(alongside_home):
    builder = AgreementBuilder("communication-agreement")
    for fid, text in GOOD.items():
        builder.boxes[fid].value = text
    result = builder.check()
    assert result.score == result.max == 11
    shown = _text(builder.feedback.value)
    assert "11 of 11 points" in shown and shown.count("Met") == 11 and "Not yet" not in shown
    item = grading.evaluate("07-goals", "agreement", builder.value)
    assert item.points == item.max == 11


def test_part_done_agreement_says_what_to_add(alongside_home):
    builder = AgreementBuilder("communication-agreement")
    builder.boxes["how_to_contact"].value = "Write a note in the home-school book."
    builder.boxes["reply_time"].value = "Bronwen replies within two school days."
    result = builder.check()
    assert 0 < result.score < result.max
    assert not result.criteria["contact_urgent"].met and not result.criteria["both_sides"].met
    assert "Not yet" in _text(builder.feedback.value)
    assert "limit for the school too" in _text(builder.feedback.value)


def test_agreement_survives_a_restart_under_its_own_key(alongside_home):
    builder = AgreementBuilder("communication-agreement")
    builder.boxes["review"].value = GOOD["review"]
    again = AgreementBuilder("communication-agreement")
    assert again.boxes["review"].value == GOOD["review"]
    assert AgreementBuilder().value["shared_goal"] == ""  # module 05's plan is kept apart


def test_builder_says_so_when_the_agreement_cannot_be_saved(alongside_home, monkeypatch):
    def disk_full(self, key, value):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "set", disk_full)
    builder = AgreementBuilder("communication-agreement")
    builder.boxes["review"].value = "At half term, together."
    assert "could not be saved" in builder.saved_status.value
    assert builder.value["review"] == "At half term, together."


def test_as_lines_gives_labelled_lines_the_exercise_reads_back(alongside_home):
    builder = AgreementBuilder("communication-agreement")
    builder.boxes["reply_time"].value = "Within two school days."
    builder.boxes["review"].value = 'At half term, "together".\nWith Clive: at the school.'
    lines = builder.as_lines()
    assert "Reply time: Within two school days." in lines and "{" not in lines
    assert parse_answer("07-goals", "agreement", lines) == builder.value


def test_professional_goals_fail_the_family_goal_checks():
    for statement in grading.statement_set("07-goals")["statements"]:
        result = rubric.score("family-goal", statement["text"])
        assert not result.criteria["everyday_words"].met, statement["id"]
        assert not result.criteria["child_does"].met, statement["id"]
        assert not result.criteria["why_it_matters"].met, statement["id"]


def test_copying_the_professional_goal_earns_nothing():
    originals = {s["id"]: s["text"] for s in grading.statement_set("07-goals")["statements"]}
    result = grading.evaluate("07-goals", "goals", dict(originals))
    assert result.points == 0
    assert any("same as the original" in line for line in result.lines)


def test_one_good_goal_earns_a_third_of_the_goal_points():
    answer = {"g1": "Rhys will zip up his coat by himself so that he can go out to play with his friends."}
    result = grading.evaluate("07-goals", "goals", answer)
    assert result.points == 2 and result.max == 6


def test_wrong_shaped_answers_earn_nothing_with_a_reason():
    goals = grading.evaluate("07-goals", "goals", "Rhys will zip his coat so he can play.")
    assert goals.points == 0 and 'such as "g1: ..."' in goals.lines[0]
    agreement = grading.evaluate("07-goals", "agreement", ["a note", "two days"])
    assert agreement.points == 0 and "not list" in agreement.lines[0]


def test_blank_agreement_earns_nothing_even_on_the_jargon_check():
    result = grading.evaluate("07-goals", "agreement", {f: "" for f in FIELDS})
    assert result.points == 0


def test_story_names_are_new_to_the_course():
    names = ("Rhys", "Clive", "Bronwen", "Dafydd", "Jayden", "Tomasz", "Ffion", "Kit")
    for path in sorted((ROOT / "course").glob("0[1-6]-*.ipynb")):
        text = " ".join(c.source for c in nbformat.read(path, as_version=4).cells)
        for name in names:
            assert not re.search(rf"\b{name}\b", text), f"{name} is already used in {path.name}"
