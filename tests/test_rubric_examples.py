"""Every rubric and the language checker agree with their hand-labelled examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from alongside.agreement import language_agreement, load_examples, rubric_agreement
from alongside.rubric import load_rubric, rubric_ids

DATA = Path(__file__).resolve().parent / "data"
RUBRIC_FILES = sorted(p for p in DATA.glob("*.examples.yaml") if "rubric" in load_examples(p))


def test_every_rubric_has_at_least_thirty_labelled_examples():
    counted = {load_examples(p)["rubric"]: len(load_examples(p)["examples"]) for p in RUBRIC_FILES}
    assert set(counted) == set(rubric_ids()), "each rubric needs tests/data/<id>.examples.yaml"
    assert all(n >= 30 for n in counted.values()), counted


def test_every_example_labels_every_criterion():
    for path in RUBRIC_FILES:
        data = load_examples(path)
        # A criterion added after a file was labelled is listed under `unlabelled` and measured
        # on the corpus (tests/data/corpus) instead.
        criteria = {c.id for c in load_rubric(data["rubric"]).criteria} - set(data.get("unlabelled") or [])
        for number, example in enumerate(data["examples"], 1):
            assert set(example["labels"]) == criteria, f"{path.name} example {number}"


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.name.split(".")[0])
def test_rubric_agrees_with_its_labelled_examples(path):
    for agreement in rubric_agreement(path).values():
        assert agreement.rate >= 0.85, f"{agreement.name}: {agreement.agree}/{agreement.total}"
        assert agreement.held_rate >= 0.75, f"{agreement.name} held out: {agreement.held_agree}/{agreement.held_total}"


def test_language_checker_agrees_with_its_labelled_statements():
    table = language_agreement(DATA / "language.examples.yaml")
    assert table["harmful"].total >= 40
    assert table["harmful"].rate >= 0.9
    assert table["clean_flagged"].rate >= 0.9, "too many clean statements flagged"
    found = sum(a.agree for k, a in table.items() if k not in ("harmful", "clean_flagged"))
    labelled = sum(a.total for k, a in table.items() if k not in ("harmful", "clean_flagged"))
    assert found / labelled >= 0.85
    from alongside import corpus

    train = corpus.items(DATA / "corpus", "language", "train")
    for key in table:
        if key in ("harmful", "clean_flagged"):
            continue
        labelled = sum(key in item.labels["kinds"] for item in train)
        assert labelled >= 3, f"{key} needs at least three labelled statements in the train split"
