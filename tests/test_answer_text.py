"""Answers in plain text: the labelled-lines reader and the answer cell reader, on odd input.

Nothing a trainee types can fail: no labels, labels twice, labels with typing slips, and text full
of quotes, braces and backslashes all give an answer the marker takes, and say how they were read.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside import grading
from alongside.answer_text import (cell_body, cell_item, digest, first_line, item_fields, notebook_answers,
                                   parse_answer, read_answer, write_answer)
from alongside.data import list_names
from alongside.labelled import Field, labelled_lines, match_label, read_labelled

# These tests mark statements to sort as the trainer's grader does, with the answer key.
pytestmark = pytest.mark.usefixtures("answer_keys")

ROOT = Path(__file__).resolve().parents[1]
ITEMS = [(ex, item["id"]) for ex in list_names("exercises") for item in grading.exercise(ex)["items"]]
PLAN = [Field("shared_goal", "Our shared goal for Layla"), Field("trial", "What we will try, and for how long"),
        Field("review_date", "Review date"), Field("parents_knowledge", "What Mo and Jess know about Layla, for her profile")]
ODD = 'I\'d say "let\'s meet" {soon} \\"""'


# --- labelled lines ---------------------------------------------------------------------------

def test_text_after_a_label_belongs_to_it_until_the_next_label():
    found = read_labelled("Shared goal: Layla reads.\nShe enjoys it.\n\nTrial: six weeks\nReview date: 12 March", PLAN)
    assert found.values == {"shared_goal": "Layla reads.\nShe enjoys it.", "trial": "six weeks",
                            "review_date": "12 March", "parents_knowledge": ""}
    assert found.named == ["shared_goal", "trial", "review_date"] and not found.unplaced and not found.repeated


def test_labels_in_any_case_spacing_markup_and_with_typing_slips():
    text = ("**SHARED_GOAL**: a\n- trial : b\nReveiw dat: c\nwhat mo and jess know about layla: d")
    assert read_labelled(text, PLAN).values == {"shared_goal": "a", "trial": "b", "review_date": "c", "parents_knowledge": "d"}


def test_no_labels_keeps_every_line_as_unplaced_and_fills_nothing():
    found = read_labelled("Layla will read.\nWe try the sounds group.", PLAN)
    assert found.values == {f.id: "" for f in PLAN}
    assert found.unplaced == ["Layla will read.", "We try the sounds group."] and found.named == []


def test_lines_before_the_first_label_are_unplaced_not_lost():
    found = read_labelled("Hello\nTrial: six weeks", PLAN)
    assert found.unplaced == ["Hello"] and found.values["trial"] == "six weeks"


def test_a_label_given_twice_keeps_both_parts_and_says_so():
    found = read_labelled("Trial: six weeks\nReview date: 12 March\nTrial: mornings only", PLAN)
    assert found.values["trial"] == "six weeks\nmornings only" and found.repeated == ["trial"]


def test_quotes_braces_backslashes_and_colons_in_text_stay_as_typed():
    found = read_labelled(f"Trial: {ODD}\nNote: Kerry runs it {{daily}} \\n\nReview date: 12:30 on 3 March", PLAN)
    assert found.values["trial"] == f"{ODD}\nNote: Kerry runs it {{daily}} \\n"
    assert found.values["review_date"] == "12:30 on 3 March"


def test_short_labels_must_be_exact_so_c1_is_never_read_as_c7():
    fields = [Field(f"c{i}", f"c{i}", (str(i),)) for i in range(1, 9)]
    assert match_label("c1", fields).id == "c1" and match_label("C 01", fields).id == "c1"
    assert match_label("c9", fields) is None and match_label("cl", fields) is None
    found = read_labelled("c1 parent\nc2 - both\n3. school\n- c4: home", fields)
    assert [found.values[f"c{i}"] for i in range(1, 5)] == ["parent", "both", "school", "home"]


def test_a_typed_label_like_two_fields_is_read_as_neither():
    fields = [Field("step_1", "Step 1"), Field("step_2", "Step 2")]
    assert match_label("Step 3", fields) is None and match_label("Step", fields) is None


def test_labelled_lines_read_back_as_they_were_written():
    values = {"shared_goal": "Layla reads.", "trial": ODD, "review_date": "", "parents_knowledge": "Give her\ntime."}
    assert read_labelled(labelled_lines(PLAN, values), PLAN).values == values


# --- answers to exercise items ----------------------------------------------------------------

def test_free_text_is_the_text_as_typed_without_nbgrader_marks():
    text = f"### BEGIN SOLUTION\n{ODD}\n\n...and then \\ }}\n### END SOLUTION\n"
    assert parse_answer("02-words", "listening", text) == f"{ODD}\n\n...and then \\ }}"
    assert parse_answer("02-words", "listening", "YOUR ANSWER HERE") == ""
    assert parse_answer("02-words", "listening", f"{first_line('02-words', 'listening')}\nHello") == "Hello"


def test_sorting_accepts_everyday_words_lists_slips_and_old_quoted_answers():
    answer = parse_answer("02-words", "classify", 's01: Harmful - pity\ns02: ["harmful", "false reassurance"]\n'
                                                  "s03: helpfull\ns4: harmful deficit\n5: harmful, how to feel")
    assert answer == {"s01": ["harmful", "pity"], "s02": ["harmful", "false reassurance"], "s03": ["helpful"],
                      "s04": ["harmful", "deficit label"], "s05": ["harmful", "how to feel"]}
    assert grading.evaluate("02-words", "classify", answer).points == 2.5


def test_an_answer_with_and_in_its_name_stays_one_answer():
    answer = parse_answer("03-listening", "stage_skill", "s4: exploring, prompting & exploring\ns1: goal setting: negotiating")
    assert answer == {"s4": ["exploration", "prompting and exploring"], "s1": ["goal setting", "negotiating"]}


def test_an_unknown_word_is_kept_so_it_is_marked_and_named():
    reading = read_answer("01-experts", "who_knows", "c1: the dog\nc2: school")
    assert reading.value == {"c1": ["the dog"], "c2": ["practitioner"]}
    assert any("the dog" in line and "I do not know this answer" in line for line in reading.understood())


def test_listing_every_answer_earns_nothing():
    hedge = "\n".join(f"c{i}: parent, practitioner, both" for i in range(1, 9))
    assert grading.evaluate("01-experts", "who_knows", parse_answer("01-experts", "who_knows", hedge)).points == 0


def test_plans_say_how_each_part_was_read():
    reading = read_answer("05-disagree", "plan", f"Hi there\nShared goal: Layla reads {ODD}\nTrial: six weeks\nTrial: mornings")
    lines = reading.understood()
    assert lines[0].startswith("Our shared goal for Layla: Layla reads")
    assert "Review date: (empty)" in lines
    assert any("could not place" in line and '"Hi there"' in line for line in lines)
    assert any("What we will try, and for how long" in line and "more than once" in line for line in lines)


def test_an_answer_with_no_labels_says_how_to_label_it():
    lines = read_answer("04-story", "part2", "Joy feels brushed off. Dan is busy.").understood()
    assert "Family: (empty)" in lines
    assert any("none of the labels" in line and '"Family: ..."' in line for line in lines)
    assert not any("none of the labels" in line for line in read_answer("04-story", "part2", "Family: x").understood())


def test_story_parts_use_the_items_own_labels():
    answer = parse_answer("04-story", "part1", "Family: Joy is worried.\nSchool: Dan is pleased.\nQuestion: What helps?")
    assert answer == {"family": "Joy is worried.", "service": "Dan is pleased.", "question": "What helps?"}


@pytest.mark.parametrize("exercise_id,item_id", ITEMS)
def test_every_answer_written_out_reads_back_the_same(exercise_id, item_id):
    model = notebook_answers(nbformat.read(ROOT / "solutions" / exercise_id / f"{exercise_id}.ipynb", as_version=4))
    value = parse_answer(exercise_id, item_id, model[(exercise_id, item_id)])
    assert value and parse_answer(exercise_id, item_id, write_answer(exercise_id, item_id, value)) == value


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_is_read_and_marked_without_an_error(text):
    for exercise_id, item_id in ITEMS:
        reading = read_answer(exercise_id, item_id, text)
        assert isinstance(reading.understood(), list)
        result = grading.evaluate(exercise_id, item_id, reading.value)
        assert 0 <= result.points <= result.max
        assert not any("could not be marked" in line for line in result.lines), (exercise_id, item_id, result.lines)


def test_unknown_items_and_non_text_never_raise():
    assert read_answer("02-words", "no-such-item", "text").problem
    assert parse_answer("02-words", "listening", None) == "None"
    assert parse_answer("99-none", "x", "text") == "text"


# --- answer cells -------------------------------------------------------------------------------

def test_the_first_line_names_exercise_and_item():
    assert cell_item("%%answer 03-listening summary\nHello") == ("03-listening", "summary")
    assert cell_item("\n%%answer 03-listening summary") == ("03-listening", "summary")
    assert cell_item("%%answer 03-listening") is None and cell_item("summary = 'x'") is None
    assert cell_body("%%answer 03-listening summary\nHello\nthere") == "Hello\nthere"
    assert cell_body("%%answer 03-listening summary") == ""


def test_digest_ignores_trailing_spaces_and_blank_edges_but_not_words():
    assert digest("Hello  \nthere\n\n") == digest("\nHello\nthere") == digest("Hello\r\nthere")
    assert digest("Hello\nthere") != digest("Hello\nthere!") and len(digest(ODD)) == 8
    assert digest("") == "811c9dc5"  # FNV-1a's offset basis: the page script computes the same


@pytest.mark.parametrize("exercise_id,item_id", [(e, i) for e, i in ITEMS
                                                 if item_fields(grading.item_spec(e, i)) is not None])
def test_each_exercise_shows_the_labels_its_answer_cell_reads(exercise_id, item_id):
    """The released instructions show a label for every part, and that label reads as that part."""
    nb = nbformat.read(ROOT / "exercises" / exercise_id / f"{exercise_id}.ipynb", as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    fields = item_fields(grading.item_spec(exercise_id, item_id))
    for f in fields:
        shown = f"{f.short}:"
        assert shown in markdown, f"{exercise_id} does not show the label {shown!r}"
        assert match_label(f.short, fields) == f
    assert "dict" not in markdown and "Python" not in markdown and '`"' not in markdown
