"""The reflection box and the statement sorter: labelled, saved as used, feedback in words."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alongside import grading
from alongside.store import Store, answers
from alongside.widgets import ReflectionBox, StatementSorter

GOOD_REPLY = (
    "It sounds like you've been raising this for months and feel nobody is listening. "
    "What have you noticed about Sami's talking at home? "
    "Let's meet on Thursday with our special needs lead to plan together."
)


def _disk_full(*_args, **_kwargs):
    raise OSError("No space left on device")


# --- ReflectionBox -------------------------------------------------------------------------


def test_reflection_box_shows_its_prompt_as_a_visible_label(alongside_home):
    box = ReflectionBox("t:label", "What would you say back?")
    assert box.text.description == "What would you say back?"
    assert "alongside-reflection" in box._dom_classes


def test_typed_reflection_survives_a_new_kernel(alongside_home):
    box = ReflectionBox("t:restart", "Prompt")
    box.text.value = "My first thoughts."
    assert answers().get("t:restart") == "My first thoughts."
    assert "Saved on this computer" in box.saved_note.value
    assert ReflectionBox("t:restart", "Prompt").value == "My first thoughts."


def test_reflection_box_without_rubric_has_no_check_button(alongside_home):
    box = ReflectionBox("t:plain", "Prompt")
    assert box.check() is None
    assert not any(getattr(child, "description", "") == "Check my answer" for child in box.children)


def test_check_gives_the_rubric_feedback_in_words(alongside_home):
    box = ReflectionBox("t:rubric", "Reply", rubric="listening-response")
    box.text.value = GOOD_REPLY
    box.check_button.click()
    expected = grading.rubric_engine.score("listening-response", GOOD_REPLY)
    assert f"Score: {expected.score:g} of {expected.max:g}" in box.feedback.value
    assert box.feedback.value.count("Met</strong>") == sum(r.met for r in expected.criteria.values())


def test_check_names_words_that_can_hurt(alongside_home):
    box = ReflectionBox("t:harm", "Reply", rubric="listening-response")
    box.text.value = "Don't worry, boys are just slower. Let's wait and see how he gets on."
    box.check()
    assert "Words to look at again" in box.feedback.value
    assert "Not yet</strong>" in box.feedback.value


def test_privacy_warning_appears_for_identifying_details(alongside_home):
    box = ReflectionBox("t:privacy", "Reply")
    box.text.value = "I spoke to Mrs Patel on 07700 900123 about her son."
    assert "Privacy check" in box.privacy.value and "phone number" in box.privacy.value
    box.text.value = "I spoke to the parent about her son."
    assert box.privacy.value == ""


def test_feedback_escapes_markup(alongside_home):
    box = ReflectionBox("t:html", "Reply", rubric="listening-response")
    box.text.value = "<script>alert(1)</script> don't worry, wait and see what happens with him"
    box.check()
    assert "<script>" not in box.feedback.value


def test_reflection_box_says_so_when_it_cannot_save(alongside_home, monkeypatch):
    box = ReflectionBox("t:full", "Prompt")
    monkeypatch.setattr(Store, "set", _disk_full)
    box.text.value = "something"
    assert "could not be saved" in box.saved_note.value
    assert box.value == "something"


def test_a_saved_value_of_the_wrong_type_starts_empty(alongside_home):
    answers().set("t:odd", {"not": "text"})
    assert ReflectionBox("t:odd", "Prompt").value == ""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=400), st.just("😀" * 500), st.just("مرحبا بك " * 50), st.just("<b>" * 100)))
def test_any_text_checks_without_error(alongside_home, text):
    box = ReflectionBox("t:any", "Reply", rubric="listening-response")
    box.text.value = text
    result = box.check()
    assert 0 <= result.score <= result.max
    assert "Score:" in box.feedback.value


# --- StatementSorter -------------------------------------------------------------------------


def test_sorter_has_a_labelled_choice_for_each_statement(alongside_home):
    sorter = StatementSorter("02-practice")
    assert len(sorter.first) == len(sorter.statements) == len(sorter.second)
    for number, choice in enumerate(sorter.first.values(), 1):
        assert choice.description == f"Helpful or harmful? (statement {number})"
        assert choice.value is None
    assert "alongside-sorter" in sorter._dom_classes


def _answer_all(sorter, key):
    for statement in sorter.statements:
        wanted = statement["answer"]
        sorter.first[statement["id"]].value = wanted[0]
        if len(wanted) > 1:
            sorter.second[statement["id"]].value = wanted[1]


def test_sorting_right_says_right_for_every_statement(alongside_home):
    sorter = StatementSorter("02-practice")
    _answer_all(sorter, None)
    results = sorter.check()
    assert all(r["right"] for r in results)
    assert f"{len(results)} of {len(results)} right" in sorter.feedback.value


def test_sorting_wrong_gives_the_reason(alongside_home):
    sorter = StatementSorter("02-practice")
    first = sorter.statements[0]
    sorter.first[first["id"]].value = "helpful"
    sorter.check()
    assert "Not yet</strong>: statement 1" in sorter.feedback.value
    assert first["why"].split()[0] in sorter.feedback.value
    assert "Not answered yet</strong>: statement 2" in sorter.feedback.value


def test_right_kind_of_statement_but_wrong_kind_of_harm_is_half_right(alongside_home):
    sorter = StatementSorter("02-practice")
    harmful = next(s for s in sorter.statements if len(s["answer"]) > 1)
    sorter.first[harmful["id"]].value = "harmful"
    other = next(k for k in sorter.second_options if k != harmful["answer"][1])
    sorter.second[harmful["id"]].value = other
    results = {r["id"]: r for r in sorter.check()}
    assert results[harmful["id"]]["fraction"] == 0.5
    assert "Half right" in sorter.feedback.value


def test_sorter_marks_like_the_graded_exercise(alongside_home, answer_keys):
    sorter = StatementSorter("02-words", items=["s01", "s02", "s03"])
    sorter.first["s01"].value = "harmful"
    sorter.second["s01"].value = "pity"
    sorter.first["s03"].value = "harmful"
    widget = {r["id"]: r["fraction"] for r in sorter.check()}
    graded = grading.evaluate("02-words", "classify", sorter.value)
    share = graded.max / len(graded.criteria)
    assert {sid: widget[sid] * share for sid in widget} == {c.id: c.points for c in graded.criteria if c.id in widget}


def test_a_sorter_of_graded_statements_needs_the_trainers_key(alongside_home):
    sorter = StatementSorter("02-words", items=["s01"])
    sorter.first["s01"].value = "harmful"
    assert sorter.check() == [] and "marked by your trainer's grader" in sorter.feedback.value


def test_sorter_choices_come_back_after_a_restart(alongside_home):
    sorter = StatementSorter("02-practice")
    sorter.first["p1"].value = "harmful"
    sorter.second["p1"].value = "false_reassurance"
    again = StatementSorter("02-practice")
    assert again.first["p1"].value == "harmful"
    assert again.second["p1"].value == "false_reassurance"


def test_sorter_ignores_saved_choices_that_are_not_options(alongside_home):
    answers().set("sorter:02-practice", {"p1": ["maybe", "nonsense"], "p2": 7})
    sorter = StatementSorter("02-practice")
    assert sorter.first["p1"].value is None and sorter.second["p1"].value == ""
    assert sorter.first["p2"].value is None


def test_sorter_without_choices_in_data_uses_the_answers(alongside_home):
    sorter = StatementSorter("01-experts")
    assert set(sorter.first_options) == {"parent", "practitioner", "both"}
    assert not sorter.has_second
