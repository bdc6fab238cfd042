"""The self-check: one rendered block per item, the answer that was run, and no answer key for sorting:
these tests run with no key on the computer, as a trainee's kernel does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from alongside import grading, runs, self_check
from alongside.answer_text import first_line
from alongside.data import list_names
from alongside.store import progress
from alongside.widgets.answer_guard import AnswerGuard
from alongside.widgets.result_block import language_block

ROOT = Path(__file__).resolve().parents[1]
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


def _key_labels(set_name: str) -> dict[str, list[str]]:
    """The right answers, read straight from the trainer's file (not through alongside.keys)."""
    found = yaml.safe_load((ROOT / "answer-keys.yaml").read_text(encoding="utf-8"))[set_name]
    return {sid: [grading.label_key(v) for v in entry["answer"]] for sid, entry in found.items()}


def _wrong(right: list[str], parts: list[dict]) -> list[str]:
    """A wrong answer of a form the grader can read: the last label swapped for another one."""
    labels = list(right)
    labels[-1] = next(label for label in parts[len(labels) - 1]["labels"] if label != labels[-1])
    if len(labels) == 1 and len(parts) > 1 and parts[1]["after"] and labels[0] in parts[1]["after"]:
        labels.append(parts[1]["labels"][0])
    return labels


def _sorting_block(exercise_id: str, item_id: str, answers: dict[str, list[str]], shown: list) -> str:
    runs.record(exercise_id, item_id, "\n".join(f"{sid}: {', '.join(labels)}" for sid, labels in answers.items()))
    shown.clear()
    self_check.check(exercise_id, item_id)
    return _html(shown).replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.parametrize("exercise_id,item_id,set_name", CLASSIFICATION)
def test_sorting_self_check_needs_no_answer_key_and_gives_nothing_away(exercise_id, item_id, set_name, shown,
                                                                       monkeypatch):
    """With no key on this computer (as for a trainee), the self-check of statements to sort works,
    never tries to read a key, and shows the same for right answers as for wrong ones."""
    from alongside import keys

    assert keys.key_file() is None, "no answer key is available here"
    monkeypatch.setattr(keys, "answer_key", lambda name: pytest.fail(f"the self-check read the key of {name}"))
    data = grading.statement_set(set_name)
    spec = grading.item_spec(exercise_id, item_id)
    ids = [s["id"] for s in data["statements"] if not spec.get("items") or s["id"] in spec["items"]]
    right, parts = _key_labels(set_name), grading.answer_parts(data)
    answered, blank = ids[:-1], ids[-1]
    html = _sorting_block(exercise_id, item_id, {sid: right[sid] for sid in answered}, shown)
    wrong = _sorting_block(exercise_id, item_id, {sid: _wrong(right[sid], parts) for sid in answered}, shown)
    assert html == wrong, "a right answer and a wrong one of the same form look the same in the self-check"
    assert f"Not marked here: your trainer's grader marks it (up to {spec['points']:g} points)" in html
    assert f"Ready for the grader</strong>: {len(answered)} of {len(ids)} statements" in html
    assert f"No answer yet</strong>: {blank}." in html
    assert " ".join(str(data["hint"]).split()) in html
    assert grading.NOT_MARKED_HERE in html
    assert "Right" not in html and "Not yet" not in html, "no statement is marked one by one"
    reasons = yaml.safe_load((ROOT / "answer-keys.yaml").read_text(encoding="utf-8"))[set_name]
    for sid in ids:
        for reason in (reasons[sid]["why"], reasons[sid].get("why_right", "")):
            if reason.strip():
                assert " ".join(reason.split())[:40] not in html, sid
    assert progress().get(exercise_id) is None, "a self-check that marks nothing saves no score"


@pytest.mark.parametrize("exercise_id,item_id,set_name", CLASSIFICATION)
def test_the_grader_marks_sorting_with_the_key_and_gives_every_reason(exercise_id, item_id, set_name, answer_keys):
    data = grading.statement_set(set_name)
    spec = grading.item_spec(exercise_id, item_id)
    ids = [s["id"] for s in data["statements"] if not spec.get("items") or s["id"] in spec["items"]]
    right, parts = _key_labels(set_name), grading.answer_parts(data)
    half = len(ids) // 2
    answer = {sid: right[sid] if n < half else _wrong(right[sid], parts) for n, sid in enumerate(ids)}
    full = grading.evaluate(exercise_id, item_id, answer)
    assert full.marked and [c.met for c in full.criteria] == [n < half for n in range(len(ids))]
    assert sum(line.startswith(f"{sid}: Right.") for sid in ids[:half] for line in full.lines) == half
    assert all(any(line.startswith(f"{sid} (") and "Not yet" in line for line in full.lines) for sid in ids[half:])
    assert 0 < full.points < full.max


def test_sorting_self_check_says_what_the_grader_cannot_read():
    result = grading.evaluate("02-words", "classify", {"s01": ["harmful"], "s02": ["helpful", "pity"],
                                                       "s03": ["nonsense"], "s04": ["helpful", "harmful"]}, reasons=False)
    lines = result.lines
    assert "s01: add the kind of harm." in lines
    assert 's02: "helpful" needs nothing after it.' in lines
    assert 's03: "nonsense" is not one of the answers. Use one of: helpful, harmful.' in lines
    assert "s04: give one answer, not more." in lines
    assert "No answer yet: s05, s06, s07, s08." in lines and result.points == 0 and not result.marked
    stage = grading.evaluate("03-listening", "stage_skill", {"s1": ["goal setting"]}, reasons=False)
    assert "s1: add the skill." in stage.lines


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
