"""The course's data files hang together: every name one file uses exists in another."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alongside import grading, language, rubric
from alongside.answer_text import vocabulary
from alongside.data import list_names, load_yaml

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = list_names("exercises")


@pytest.mark.parametrize("rubric_id", rubric.rubric_ids())
def test_rubric_loads_with_feedback_for_every_criterion(rubric_id):
    loaded = rubric.load_rubric(rubric_id)
    assert loaded.max > 0
    for criterion in loaded.criteria:
        assert criterion.looks_for and criterion.met and criterion.not_met


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_exercise_spec_names_things_that_exist(exercise_id):
    spec = grading.exercise(exercise_id)
    assert spec["id"] == exercise_id
    ids = [item["id"] for item in spec["items"]]
    assert len(ids) == len(set(ids))
    for item in spec["items"]:
        assert item["kind"] in ("rubric", "classification", "rewrites", "reflection_parts", "letter")
        assert item["points"] > 0 and item["title"].startswith("Section ")
        if "rubric" in item:
            assert item["rubric"] in rubric.rubric_ids()
        if "statements" in item:
            known = {s["id"] for s in grading.statement_set(item["statements"])["statements"]}
            assert set(item.get("items") or known) <= known
        if item["kind"] == "classification":  # the self-check's hint when an answer is not right yet
            assert grading.statement_set(item["statements"]).get("hint", "").strip()


KEYS = yaml.safe_load((ROOT / "answer-keys.yaml").read_text(encoding="utf-8"))
PRACTICE = sorted(set(list_names("statements")) - grading.graded_sets())


def test_every_graded_set_has_a_key_and_only_graded_sets_do():
    assert grading.graded_sets() == set(KEYS)
    assert {"01-experts", "02-words", "09-co-production"} <= set(KEYS) and "02-practice" not in KEYS
    assert PRACTICE == ["02-practice", "06-practice", "08-practice", "09-practice", "11-practice"]


@pytest.mark.parametrize("set_name", sorted(KEYS))
def test_a_graded_set_shows_only_what_a_trainee_may_see(set_name):
    data = grading.statement_set(set_name)
    assert set(data) <= {"hint", "choices", "aliases", "parts", "statements"}
    ids = [s["id"] for s in data["statements"]]
    assert len(ids) == len(set(ids))
    for statement in data["statements"]:
        assert set(statement) == {"id", "text"} and statement["text"].strip()


@pytest.mark.parametrize("set_name", sorted(KEYS))
def test_the_key_has_an_answer_and_a_reason_for_every_statement_in_labels_the_set_accepts(set_name):
    data = grading.statement_set(set_name)
    assert set(KEYS[set_name]) == {s["id"] for s in data["statements"]}
    known = vocabulary(set_name)
    parts = grading.answer_parts(data)
    for sid, entry in KEYS[set_name].items():
        assert set(entry) <= {"answer", "why", "why_right"} and str(entry["why"]).strip(), sid
        if set_name == "07-goals":  # rewritten, not sorted: the key says what is wrong with each original
            assert "answer" not in entry
            continue
        labels = [grading.label_key(v) for v in entry["answer"]]
        assert all(label in known and known[label] == label for label in labels), (sid, labels)
        wanted = [parts[0]] + [p for p in parts[1:] if p["after"] is None or labels[0] in p["after"]]
        assert len(labels) == len(wanted), f"{sid}: an answer in the form the set's parts describe"
        assert all(label in part["labels"] for label, part in zip(labels, wanted)), sid


@pytest.mark.parametrize("set_name", PRACTICE)
def test_practice_sets_keep_their_answers_and_reasons(set_name):
    data = grading.statement_set(set_name)
    ids = [s["id"] for s in data["statements"]]
    assert len(ids) == len(set(ids))
    for statement in data["statements"]:
        assert statement["text"].strip() and statement["why"].strip() and statement["answer"]


def test_module_02_statement_categories_are_language_categories():
    parts = grading.answer_parts(grading.statement_set("02-words"))
    known = {c.id.replace("_", " ") for c in language.categories()}
    assert parts[0]["labels"] == ["helpful", "harmful"] and set(parts[1]["labels"]) <= known
    for sid, entry in KEYS["02-words"].items():
        labels = [grading.label_key(v) for v in entry["answer"]]
        assert labels[0] in ("helpful", "harmful")
        if labels[0] == "harmful":
            assert labels[1] in known, f"{sid}: unknown category {entry['answer'][1]!r}"


def test_module_list_has_all_twelve_modules():
    modules = load_yaml("modules.yaml")["modules"]
    assert [m["number"] for m in modules] == list(range(12))
