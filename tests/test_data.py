"""The course's data files hang together: every name one file uses exists in another."""

from __future__ import annotations

import pytest

from alongside import grading, language, rubric
from alongside.data import list_names, load_yaml

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


@pytest.mark.parametrize("set_name", list_names("statements"))
def test_statements_have_answers_and_reasons(set_name):
    data = grading.statement_set(set_name)
    ids = [s["id"] for s in data["statements"]]
    assert len(ids) == len(set(ids))
    for statement in data["statements"]:
        assert statement["text"].strip() and statement["why"].strip() and statement["answer"]


def test_module_02_statement_categories_are_language_categories():
    data = grading.statement_set("02-words")
    aliases = grading.canonical_aliases(data)
    known = {c.id.replace("_", " ") for c in language.categories()}
    for statement in data["statements"]:
        labels = [grading._label(v, aliases) for v in statement["answer"]]
        assert labels[0] in ("helpful", "harmful")
        if labels[0] == "harmful":
            assert labels[1] in known, f"{statement['id']}: unknown category {statement['answer'][1]!r}"


def test_module_list_has_all_eleven_modules():
    modules = load_yaml("modules.yaml")["modules"]
    assert [m["number"] for m in modules] == list(range(11))
