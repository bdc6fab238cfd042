"""The families the course describes (data/families.yaml): they agree with the cast and the text, and they show a range.

families.yaml records each family's make-up as the course tells it. These tests keep it honest in
three ways: the list cannot drift from the cast or from the words the course uses (each family's
quoted passages must still be in its module's text); the range the course promises is there (two
mums or two dads, adoptive or foster carers, a kinship carer who is not a grandparent, a lone dad,
a disabled carer, a family with no money worries, a parent who arrives well informed); and no one
family pattern is told more than twice.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from alongside.cast import cast
from alongside.course_texts import course_texts
from alongside.data import load_yaml
from alongside.progress import modules

ROOT = Path(__file__).resolve().parents[1]
DATA = load_yaml("families.yaml")
ALLOWED = DATA["allowed"]
FAMILIES = DATA["families"]
OTHERS = DATA["others"]
NOT_SAID = "not said"
FIELDS = {"module", "source", "child", "carers", "carer_names", "kind", "parents_gender", "lone_carer",
          "disabled_carer", "home_languages", "money", "stance", "child_needs", "says"}
OPTIONAL = {"other_children"}

# The pattern of a family: its make-up and how it meets the service.
PATTERN_FIELDS = ("kind", "parents_gender", "lone_carer", "disabled_carer", "money", "stance")
# A family's pattern leaves out the fields the course does not state ("not said"). Two families share
# a pattern when they state the same fields with the same values. (Reading "not said" as a wildcard
# that matches anything would make a family the course says little about match nearly every other
# family: the rule would then punish a short case, not the same family told again.)
#
# A family the course gives in a line or two (an interpreter case, a letter, a goal to rewrite)
# states three of these six fields or fewer, so its "pattern" is a bare "a mum" or "a dad"; counting
# those would count an exercise's cases, not the range of families. So a family needs at least
# FULL_PATTERN stated fields to have a pattern, and a family from a story, an example or a practice
# conversation must have one: the threshold can leave out a short exercise case, never a story.
FULL_PATTERN = 4
MAX_REPEATS = 2  # "no single pattern more than twice"


def _modules_of(family: dict) -> list[str]:
    module = family["module"]
    return [module] if isinstance(module, str) else list(module)


def _children(family: dict) -> list[dict]:
    return [family["child"], *(family.get("other_children") or [])]


def _names(family: dict) -> set[str]:
    """The family's people by name, as cast.yaml spells them: its children and its carers."""
    return {c["name"] for c in _children(family) if c["name"] != NOT_SAID} | set(family["carer_names"])


def _label(family: dict) -> str:
    names = sorted(_names(family))
    return f"{_modules_of(family)[0]}: {', '.join(names) or family['carers']}"


def pattern(family: dict) -> tuple[tuple[str, object], ...]:
    """The family's stated make-up and stance, leaving out what the course does not say."""
    return tuple((f, family[f]) for f in PATTERN_FIELDS if family[f] != NOT_SAID)


def patterns(families: list[dict]) -> Counter:
    """How often each full pattern occurs (families with fewer than FULL_PATTERN stated fields have none)."""
    return Counter(p for p in map(pattern, families) if len(p) >= FULL_PATTERN)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


@pytest.fixture(scope="module")
def module_texts() -> dict[str, str]:
    texts: dict[str, list[str]] = {}
    for t in course_texts(ROOT):
        texts.setdefault(t.module, []).append(_normalise(t.text))
    return {m: "\n".join(parts) for m, parts in texts.items()}


# ---- the file's shape and its allowed values ----

def test_every_family_has_the_fields_and_only_allowed_values():
    module_ids = {m["id"] for m in modules()}
    assert len(FAMILIES) >= 20
    for family in FAMILIES:
        label = _label(family)
        assert FIELDS <= set(family) <= FIELDS | OPTIONAL, f"{label}: fields {sorted(set(family) ^ FIELDS)}"
        assert set(_modules_of(family)) <= module_ids, label
        for field, values in ALLOWED.items():
            given = family[field] if isinstance(family[field], list) else [family[field]]
            assert given, f"{label}: {field} is empty"
            for value in given:
                # `True == 1` in Python: compare types too, so a stray number cannot pass as a boolean.
                assert any(value == v and type(value) is type(v) for v in values), \
                    f"{label}: {field} {value!r} is not one of {values}"
        for child in _children(family):
            assert set(child) == {"name", "age"} and child["name"], label
        assert isinstance(family["carers"], str) and family["carers"].strip(), label
        assert all(isinstance(n, str) and n for n in family["carer_names"]), label
        assert family["home_languages"] and all(isinstance(x, str) and x for x in family["home_languages"]), label
        assert family["says"] and all(isinstance(s, str) and s.strip() for s in family["says"]), label


def test_the_allowed_values_are_the_ones_the_header_describes():
    assert set(ALLOWED) == {"source", "kind", "parents_gender", "lone_carer", "disabled_carer", "money",
                            "stance", "child_needs"}
    assert {"birth", "adoptive", "foster", "kinship"} <= set(ALLOWED["kind"])
    assert set(ALLOWED["money"]) == {"short", "getting by", "comfortable", NOT_SAID}
    assert set(ALLOWED["disabled_carer"]) == {True, False}
    header = (ROOT / "widgets" / "alongside" / "data" / "families.yaml").read_text(encoding="utf-8").split("\nallowed:")[0]
    for value in ALLOWED["stance"]:
        assert value in header, f"the header does not explain the stance {value!r}"


# ---- (a) the list cannot drift from the cast or from the text ----

def test_every_child_and_carer_in_a_modules_cast_is_in_a_family_and_everyone_else_is_accounted_for():
    for module, entry in cast().items():
        people = set(entry["people"])
        in_families = set().union(*(_names(f) for f in FAMILIES if module in _modules_of(f)))
        others = set(OTHERS.get(module) or {})
        assert not in_families & others, f"{module}: both in a family and in `others`: {in_families & others}"
        unplaced = people - in_families - others
        assert not unplaced, f"{module}: cast people in no family and not in `others` of families.yaml: {unplaced}"
        assert others <= people, f"{module}: `others` names people not in the cast: {others - people}"


def test_every_family_member_is_in_the_cast_under_the_family_s_module():
    for family in FAMILIES:
        for module in _modules_of(family):
            people = set(cast()[module]["people"])
            missing = _names(family) - people
            assert not missing, f"{_label(family)}: not in cast.yaml under {module}: {missing}"
            assert family["child"]["name"] == NOT_SAID or family["child"]["name"] in people


def test_what_families_yaml_quotes_is_still_in_the_course(module_texts):
    for family in FAMILIES:
        body = "\n".join(module_texts.get(m, "") for m in _modules_of(family))
        for quote in family["says"]:
            assert _normalise(quote) in body, f"{_label(family)}: the course no longer says {quote!r}"


def test_the_drift_checks_can_fail(module_texts):
    # A family whose quote the course does not hold, and a cast person nobody has placed.
    assert _normalise("He lives with his aunt, Ottilie.") not in module_texts["04-story"]
    placed = set().union(*(_names(f) for f in FAMILIES)) | {n for entry in OTHERS.values() for n in entry}
    assert "Ottilie" not in placed


# ---- (b) the range ----

def _grandparent(family: dict) -> bool:
    return re.search(r"\bgran|grandad|grandfather|grandmother|grandparent", family["carers"]) is not None


RANGE = {
    "two mothers or two fathers": lambda f: f["parents_gender"] in ("two mothers", "two fathers"),
    "adoptive or foster carers": lambda f: f["kind"] in ("adoptive", "foster"),
    # Stricter than "not a grandmother": the review asked for kinship carers beyond grandparents.
    "a kinship carer who is not a grandparent": lambda f: f["kind"] == "kinship" and not _grandparent(f),
    # A dad bringing up his child alone; a grandad or an uncle counts as a kinship carer instead.
    "a lone father": lambda f: f["parents_gender"] == "father" and f["lone_carer"] is True
    and f["kind"] in ("birth", "adoptive", "foster"),
    "a disabled carer": lambda f: f["disabled_carer"] is True,
    "a family with no money worries": lambda f: f["money"] == "comfortable",
    "a well-informed or confident parent": lambda f: f["stance"] in ("well-informed with reports",
                                                                   "confident and challenging"),
}


@pytest.mark.parametrize("kind", RANGE)
def test_the_course_has_the_range_of_families(kind):
    found = [_label(f) for f in FAMILIES if RANGE[kind](f)]
    assert found, f"no family in the course is {kind}"


def test_the_range_checks_tell_families_apart():
    gran = {"kind": "kinship", "carers": "grandmother (kinship carer)"}
    uncle = {"kind": "kinship", "carers": "uncle (kinship carer)"}
    assert not RANGE["a kinship carer who is not a grandparent"](gran)
    assert RANGE["a kinship carer who is not a grandparent"](uncle)
    grandad = {"parents_gender": "father", "lone_carer": True, "kind": "kinship"}
    assert not RANGE["a lone father"](grandad) and RANGE["a lone father"]({**grandad, "kind": "birth"})
    assert not RANGE["a lone father"]({**grandad, "kind": "birth", "lone_carer": NOT_SAID})


# ---- (c) no single pattern more than twice ----

def test_no_family_pattern_is_told_more_than_twice():
    counts = patterns(FAMILIES)
    assert sum(counts.values()) >= 20, "too few families have a full pattern for the check to mean much"
    repeated = {p: n for p, n in counts.items() if n > MAX_REPEATS}
    assert not repeated, "told more than twice: " + "; ".join(
        f"{dict(p)} ({n} times: {[_label(f) for f in FAMILIES if pattern(f) == p]})" for p, n in repeated.items())


def test_every_family_from_a_story_example_or_practice_has_a_full_pattern():
    short = [_label(f) for f in FAMILIES
             if f["source"] in ("story", "example", "practice") and len(pattern(f)) < FULL_PATTERN]
    assert not short, f"these families are told in full but state fewer than {FULL_PATTERN} pattern fields: {short}"


def test_the_pattern_check_counts_repeats_and_leaves_out_what_is_not_said():
    single_mum = {"kind": "birth", "parents_gender": "mother", "lone_carer": True, "disabled_carer": False,
                  "money": "short", "stance": "frightened"}
    assert patterns([single_mum] * 3)[pattern(single_mum)] == 3
    vaguer = {**single_mum, "money": NOT_SAID}
    assert pattern(vaguer) == tuple((f, single_mum[f]) for f in PATTERN_FIELDS if f != "money")
    assert patterns([single_mum, single_mum, vaguer]).most_common(1)[0][1] == 2
    sketch = {"kind": "birth", "parents_gender": "mother", "lone_carer": NOT_SAID, "disabled_carer": False,
              "money": NOT_SAID, "stance": NOT_SAID}
    assert not patterns([sketch] * 5)
