"""The self-check: one rendered block per item, the answer that was run, no answer key for sorting."""

from __future__ import annotations

import re

import pytest

from alongside import grading, runs, self_check
from alongside.answer_text import first_line
from alongside.data import list_names
from alongside.store import progress
from alongside.widgets.answer_guard import AnswerGuard
from alongside.widgets.result_block import language_block

CLASSIFICATION = [(ex, item["id"], item["statements"]) for ex in list_names("exercises")
                  for item in grading.exercise(ex)["items"] if item["kind"] == "classification"]


@pytest.fixture
def shown(monkeypatch, alongside_home):
    """What the self-check displays: a list of mime bundles and widgets."""
    out: list = []
    monkeypatch.setattr(self_check, "display", lambda obj, raw=False: out.append(obj))
    return out


def _html(shown: list) -> str:
    return "".join(o["text/html"] for o in shown if isinstance(o, dict) and "text/html" in o)


def test_an_answer_cell_not_run_since_the_kernel_started_is_named_and_not_marked(shown):
    self_check.check("03-listening", "summary")
    html = _html(shown)
    assert "Not marked yet" in html and "not run your answer cell since the notebook" in html
    assert "alongside-check-message" in html and "alongside-check-result" not in html, "no result to hide or show"
    assert first_line("03-listening", "summary") in html
    assert progress().get("03-listening") is None, "nothing is marked, so no score is saved"
    assert not any(isinstance(o, AnswerGuard) for o in shown)


def test_the_self_check_marks_the_latest_run_in_one_block_with_points_in_words(shown):
    runs.record("02-words", "listening", "Don't worry, boys are just slower.")
    runs.record("02-words", "listening", "It sounds like nobody has listened to you. What have you noticed at home? "
                                         "Let's meet next week with our special needs lead and plan together.")
    self_check.check("02-words", "listening")
    html = _html(shown)
    assert html.count('class="alongside-result alongside-check-result"') == 1
    assert re.search(r"<strong>\d of 6 points</strong>", html)
    assert "<strong>Met</strong> (1 of 1)" in html and "Self-check: Section C, the listening reply" in html
    assert "{" not in re.sub(r"<style>.*?</style>", "", html), "no raw dict in the block"
    saved = progress().get("02-words")["items"]["listening"]
    assert saved["max"] == 6 and saved["points"] >= 4


def test_the_block_carries_a_guard_with_the_fingerprint_of_what_was_run(shown):
    run = runs.record("01-experts", "unheard", 'I said "no" {x} \\ and felt small.')
    self_check.check("01-experts", "unheard")
    guard = next(o for o in shown if isinstance(o, AnswerGuard))
    assert (guard.exercise, guard.item, guard.digest) == ("01-experts", "unheard", run.digest)
    assert repr(guard) == "", "where widgets cannot show, nothing stands in their place"


def test_trainee_text_is_escaped_in_the_block(shown):
    runs.record("05-disagree", "plan", "Shared goal: <script>alert(1)</script> Layla & <b>me</b>")
    self_check.check("05-disagree", "plan")
    html = _html(shown)
    assert "<script>" not in html and "<b>me</b>" not in html


@pytest.mark.parametrize("exercise_id,item_id,set_name", CLASSIFICATION)
def test_sorting_self_check_says_how_many_are_right_never_which_answer(exercise_id, item_id, set_name, shown):
    data = grading.statement_set(set_name)
    spec = grading.item_spec(exercise_id, item_id)
    statements = [s for s in data["statements"] if not spec.get("items") or s["id"] in spec["items"]]
    wrong = {"parent": "practitioner", "family": "school", "listen": "facts"}
    lines = []
    for n, s in enumerate(statements):  # the first half right, the rest given an answer that is wrong
        answer = s["answer"] if isinstance(s["answer"], list) else [s["answer"]]
        given = answer if n < len(statements) // 2 else [wrong.get(str(answer[0]), "none of these")]
        lines.append(f"{s['id']}: {', '.join(map(str, given))}")
    runs.record(exercise_id, item_id, "\n".join(lines))
    self_check.check(exercise_id, item_id)
    html = _html(shown)
    assert f"Right</strong>: {len(statements) // 2} of {len(statements)}." in html
    assert " ".join(str(data["hint"]).split()) in html.replace("&#x27;", "'")
    for s in statements:
        for reason in (s["why"], s.get("why_right", "")):
            if reason.strip():
                assert " ".join(reason.split())[:40] not in html.replace("&#x27;", "'").replace("&quot;", '"'), s["id"]
    assert "Not yet" not in html, "no statement is marked one by one"
    full = grading.evaluate(exercise_id, item_id, runs.latest(exercise_id, item_id).reading.value)
    assert f"{full.points:g} of {full.max:g} points" in html, "the same points as the grader"
    assert any(s["id"] in line and "Not yet" in line for line in full.lines for s in statements), \
        "the grader's feedback still gives every reason"


def test_sorting_self_check_names_statements_with_no_answer(shown):
    runs.record("05-disagree", "steps", "m1: listen")
    self_check.check("05-disagree", "steps")
    assert "No answer yet</strong>: m2, m3, m4, m5, m6." in _html(shown)


def test_language_check_is_a_block_not_a_dict():
    page, text = language_block({"harmful": True, "flags": [
        {"phrase": "Don't worry", "category": "false reassurance", "why": "It closes a door.", "suggestion": "Say <thanks>."}]})
    assert "<strong>Look again</strong>: \u201cDon&#x27;t worry\u201d" in page and "&lt;thanks&gt;" in page
    assert text.startswith("Language check\n1 phrase to look at again.")
    clean, _ = language_block({"harmful": False, "flags": []})
    assert "No words that can hurt were found." in clean
