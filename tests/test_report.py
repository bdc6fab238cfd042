"""The cohort report's pieces, on small hand-made tables: item analysis, moderated agreement, the
ideas to revisit with their answers, the ranked follow-ups and the page's first screen.

The whole report on a real graded cohort is in tests/test_cohort.py (slow) and, in a browser,
tests/browser/test_report_in_browser.py.
"""

from __future__ import annotations

import json
import math
import re
import statistics

import pandas as pd
import pytest

from alongside.cohort.demo import PERSONAL
from alongside.cohort.items import NO_ANSWER, item_analysis, point_biserial
from alongside.cohort.moderated import Moderation, agreement_table, by_hand, read_moderation
from alongside.cohort.page import PALETTE, contrast, render_html, text_colour
from alongside.cohort.report import CohortTables, _shares, follow_up_first, plain_reason
from alongside.cohort.revisit import choose_ideas, enough_answers, excerpt, with_examples


class _Cohort:
    """Just what the report reads of a cohort folder: its state folder."""

    def __init__(self, state):
        self.state = state


# ---- item analysis ------------------------------------------------------------------------------

def test_point_biserial_is_the_value_worked_out_by_hand():
    # right: 1 1 1 0 0; rest: 9 7 5 4 0. M1 = 21/3 = 7, M0 = 4/2 = 2; the mean is 5, the squared
    # deviations 16 4 0 1 25 add to 46, so s = sqrt(46/5); p = 0.6, q = 0.4.
    right, rest = [True, True, True, False, False], [9, 7, 5, 4, 0]
    by_hand = (7 - 2) / math.sqrt(46 / 5) * math.sqrt(0.6 * 0.4)
    assert by_hand == pytest.approx(0.8076, abs=1e-4)
    assert point_biserial(right, rest) == pytest.approx(by_hand)
    assert point_biserial(right, rest) == pytest.approx(statistics.correlation([1, 1, 1, 0, 0], rest))  # it is Pearson's r


@pytest.mark.parametrize("right, rest", [([True, True], [1, 2]), ([False, False], [1, 2]), ([True, False], [3, 3]),
                                         ([True], [1])])
def test_point_biserial_is_none_when_nothing_varies(right, rest):
    assert point_biserial(right, rest) is None


def _criteria(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([{"trainee": t, "exercise": "01-experts", "item": item, "criterion": c, "part": "",
                          "looks_for": f"looks for {c}", "met": met, "points": points}
                         for t, item, c, met, points in rows])


def test_item_analysis_on_a_hand_made_table():
    # Four trainees, two statements of 01-experts' sort (0.5 points each) and a rubric criterion (2 points).
    rows = []
    for trainee, c1, c2, rubric in (("a", True, True, True), ("b", True, False, True), ("c", False, True, False),
                                    ("d", False, False, False)):
        rows += [(trainee, "who_knows", "c1", c1, 0.5 * c1), (trainee, "who_knows", "c2", c2, 0.5 * c2),
                 (trainee, "unheard", "feeling", rubric, 2.0 * rubric)]
    answers = {("a", "01-experts"): {"who_knows": {"c1": ["parent"], "c2": ["practitioner"]}},
               ("b", "01-experts"): {"who_knows": {"c1": ["parent"], "c2": ["Kofi"]}},  # an alias of parent
               ("c", "01-experts"): {"who_knows": {"c1": ["both"]}},
               ("d", "01-experts"): {"who_knows": {"c1": ["home"], "c2": ["family"]}}}
    rows += [("e", "who_knows", "c1", False, 0.0), ("e", "who_knows", "c2", False, 0.0), ("e", "unheard", "feeling", False, 0.0)]
    answers[("e", "01-experts")] = {"who_knows": {"c1": ["Carys Evans"], "c2": ["parent", "Carys"]}}  # not choices
    table = item_analysis(_criteria(rows), answers, ["01-experts"]).set_index("statement")
    assert list(table.index) == ["c1", "c2"]
    # c1: right for a and b; the rest of the exercise (c2 and the rubric) is 2.5, 2, 0.5, 0, 0, so
    # M1 = 2.25, M0 = 0.5 / 3, s = sqrt(5.5 / 5) (the mean is 1), p = 0.4: r = 2.0833 / 1.0488 * 0.4899
    assert table.loc["c1", "facility"] == 0.4 and table.loc["c1", "answers"] == 5
    assert table.loc["c1", "discrimination"] == pytest.approx(round(point_biserial([1, 1, 0, 0, 0], [2.5, 2, 0.5, 0, 0]), 3))
    assert table.loc["c1", "discrimination"] == pytest.approx(0.973, abs=1e-3)
    # the wrong answers to c1 were "both" and "home" (an alias of parent): one each, the first met wins
    assert (table.loc["c1", "most_chosen_wrong"], table.loc["c1", "chosen_by"], table.loc["c1", "no_answer"]) == \
        ("both", 1, 0)
    # c2: b and d chose parent ("Kofi", "family"), c gave no answer
    assert (table.loc["c2", "most_chosen_wrong"], table.loc["c2", "chosen_by"], table.loc["c2", "no_answer"]) == \
        ("parent", 2, 0)
    c_missing = item_analysis(_criteria(rows), {**answers, ("c", "01-experts"): {}}, ["01-experts"])
    assert c_missing.set_index("statement").loc["c2", "no_answer"] == 0  # c was right on c2: not counted
    blank = {**answers, ("b", "01-experts"): {"who_knows": {"c1": ["parent"]}}}
    assert item_analysis(_criteria(rows), blank, ["01-experts"]).set_index("statement").loc["c2", "no_answer"] == 1
    assert NO_ANSWER not in set(table["most_chosen_wrong"])
    assert "carys" not in table.to_csv().lower()  # e's typed labels are not choices, and are never repeated


# ---- moderated agreement ------------------------------------------------------------------------

def _write_moderation(state, data) -> None:
    state.mkdir(parents=True, exist_ok=True)
    (state / "moderation.json").write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def _entry(agree: float, n: int = 20) -> dict:
    return {"agree": agree, "kappa": 0.5, "kappa_low": 0.2, "kappa_high": 0.8, "n": n,
            "sheet": "sheet-2026-12-02.csv", "read_at": "2026-12-02T10:00:00+00:00"}


def test_no_moderation_file_is_no_moderation_yet(tmp_path):
    found = read_moderation(_Cohort(tmp_path / ".alongside"))
    assert found.rubrics == {} and found.problem == ""


@pytest.mark.parametrize("text, says", [("{not json", "could not be read"), ('{"rubric": {}}', "no \"rubrics\""),
                                        ("[1, 2]", "no \"rubrics\""), ("\ud800", "could not be read")])
def test_a_broken_moderation_file_is_one_line(tmp_path, text, says):
    state = tmp_path / ".alongside"
    state.mkdir()
    (state / "moderation.json").write_bytes(text.encode("utf-8", "surrogatepass"))
    found = read_moderation(_Cohort(state))
    assert found.rubrics == {} and says in found.problem and "\n" not in found.problem


def test_moderation_entries_in_the_wrong_shape_are_left_out_and_named(tmp_path):
    state = tmp_path / ".alongside"
    _write_moderation(state, {"rubrics": {"felt-unheard": {"feeling": _entry(0.7), "wanted": _entry(0.95),
                                                           "specific": {"agree": "high", "n": 3},
                                                           "moment": {**_entry(1.4)}, "impact": {**_entry(0.9), "n": -1}},
                                          "broken": [1, 2]}})
    found = read_moderation(_Cohort(state))
    assert set(found.rubrics["felt-unheard"]) == {"feeling", "wanted"}
    assert "4 entries in the wrong shape" in found.problem and "felt-unheard/specific" in found.problem
    assert found.check_by_hand("felt-unheard", "feeling") and not found.check_by_hand("felt-unheard", "wanted")
    assert not found.check_by_hand("felt-unheard", "never-moderated")


def test_the_agreement_table_lists_every_rubric_criterion_and_flags_those_under_0_8():
    moderation = Moderation({"felt-unheard": {"feeling": _entry(0.7, 12), "wanted": _entry(0.8)}})
    table = agreement_table(moderation, ["01-experts"]).set_index("criterion")
    assert set(table["rubric"]) == {"felt-unheard"} and table["used_in"].eq("01-experts unheard").all()
    assert table.loc["feeling", "check_by_hand"] and table.loc["feeling", "n"] == 12
    assert not table.loc["wanted", "check_by_hand"]  # 0.8 is enough
    assert len(table) > 2 and table.drop(["feeling", "wanted"])["agree"].isna().all()  # the rest: not moderated yet
    assert by_hand(moderation, ["01-experts"]) == {("01-experts", "unheard", "feeling")}


# ---- ideas to revisit and their answers ---------------------------------------------------------

def test_ideas_are_the_least_met_with_enough_answers_one_per_item():
    shares = pd.DataFrame([
        {"exercise": "01-experts", "item": "unheard", "criterion": "feeling", "met_share": 0.2, "trainees": 6},
        {"exercise": "01-experts", "item": "unheard", "criterion": "wanted", "met_share": 0.1, "trainees": 6},
        {"exercise": "01-experts", "item": "who_knows", "criterion": "c1", "met_share": 0.0, "trainees": 2},  # too few
        {"exercise": "01-experts", "item": "who_knows", "criterion": "c2", "met_share": 0.5, "trainees": 6},
        {"exercise": "02-words", "item": "listening", "criterion": "open", "met_share": 0.7, "trainees": 6},  # met enough
    ]).assign(looks_for="x", revisit=lambda f: f["met_share"] < 0.6)
    assert enough_answers(6) == 3 and enough_answers(2) == 3 and enough_answers(30) == 15
    ideas = choose_ideas(shares, trainees=6)
    assert list(zip(ideas["item"], ideas["criterion"])) == [("unheard", "wanted"), ("who_knows", "c2")]


def test_an_answer_is_quoted_only_if_it_names_no_one_and_raises_no_concern():
    idea = pd.DataFrame([{"exercise": "01-experts", "item": "unheard", "criterion": "feeling", "looks_for": "a feeling",
                          "met_share": 0.25, "trainees": 4}])
    texts = {"p1": f"I felt small. {PERSONAL}",  # a real-looking family's details
             "p2": "I felt small, and Carys was there to see it.",  # a trainee's name
             "p3": "I felt <b>small</b> when the nurse kept typing.",  # markup
             "p4": "I felt small and invisible when the doctor kept typing and never looked up at me once.",
             "p5": "The receptionist was busy."}
    criteria = pd.DataFrame([{"trainee": t, "exercise": "01-experts", "item": "unheard", "criterion": "feeling",
                              "part": "", "met": t != "p5"} for t in texts])
    answers = {(t, "01-experts"): {"unheard": text} for t, text in texts.items()}
    pseudonyms = {t: f"trainee-0000000{n}" for n, t in enumerate(texts, 1)}
    shown = with_examples(idea, criteria, answers, pseudonyms, {"carys", "evans", "p1", "p2"}).iloc[0]
    assert shown["met_by"] == "trainee-00000004" and shown["met_example"] == excerpt(texts["p4"])
    assert shown["met_example"].endswith("...") and len(shown["met_example"]) <= 70
    assert (shown["unmet_by"], shown["unmet_example"]) == ("trainee-00000005", "The receptionist was busy.")
    nobody = with_examples(idea, criteria[criteria["trainee"] != "p4"], answers, pseudonyms, {"carys"}).iloc[0]
    assert nobody["met_example"] == "" and nobody["met_by"] == ""


# ---- follow-ups first, in plain words -----------------------------------------------------------

def test_follow_ups_are_ranked_and_plain():
    damaged = ("could not be graded: the notebook file is damaged and cannot be read (JSONDecodeError: Unterminated "
               "string starting at: line 1 column 4922 (char 4921))")
    follow = pd.DataFrame([
        ("late-only", "01-experts", "late", "submitted 3 hours after the due date"),
        ("harmful", "02-words", "low", "scored 20% (below 50%)"),
        ("harmful", "01-experts", "harmful", 'wording that can hurt a parent: "in denial" (blame)'),
        ("damaged", "01-experts", "not graded", damaged),
        ("damaged", "02-words", "missing", "not submitted"),
        ("odd", "01-experts", "not graded", "could not be graded: ValidationError: bad cell"),
    ], columns=["trainee", "exercise", "kind", "reason"])
    ranked = follow_up_first(follow)
    assert list(ranked["trainee"]) == ["harmful", "damaged", "odd", "late-only"]
    assert ranked.iloc[0]["reasons"] == ("01-experts: wording that can hurt a parent (see the notebook); "
                                         "02-words: scored 20% (below 50%)")
    assert ranked.iloc[1]["reasons"].startswith("01-experts: could not be graded: the notebook file is damaged and "
                                                "cannot be read; 02-words: not submitted")
    everything = " ".join(ranked["reasons"])
    assert not re.search(r"Error|char \d|column \d", everything), everything
    assert plain_reason("not graded", "could not be graded: ValidationError: bad cell") == \
        "could not be graded: nbgrader could not read or mark it"


# ---- the page -----------------------------------------------------------------------------------

def _tables(**extra) -> CohortTables:
    grades = pd.DataFrame([
        {"trainee": t, "name": t, "exercise": ex, "status": status, "score": None, "max_score": 9.0, "percent": percent,
         "submitted": None, "hours_late": None, "needs_manual_grading": False, "reason": "", "check_by_hand": ""}
        for t, ex, status, percent in (("amara", "01-experts", "graded", 88.9), ("amara", "02-words", "late", 40.0),
                                       ("bilal", "01-experts", "missing", None), ("bilal", "02-words", "not graded", None))])
    criteria = pd.DataFrame([{"trainee": "amara", "exercise": "01-experts", "item": "unheard", "criterion": "feeling",
                              "part": "", "looks_for": "a <feeling> word", "met": False, "points": 0.0}])
    follow = pd.DataFrame([("bilal", "01-experts", "missing", "not submitted")],
                          columns=["trainee", "exercise", "kind", "reason"])
    ideas = pd.DataFrame([{"exercise": "01-experts", "item": "unheard", "criterion": "feeling", "looks_for": "a <feeling>",
                           "met_share": 0.0, "trainees": 1, "met_example": "", "met_by": "",
                           "unmet_example": "I was <script>alert(1)</script>", "unmet_by": "trainee-1a2b3c4d"}])
    shares = _shares(criteria, grades, {("01-experts", "unheard", "feeling")})
    return CohortTables(grades, criteria, shares, follow, ["01-experts", "02-words"], ideas=ideas, **extra)


def test_the_first_screen_answers_three_questions_and_the_rest_is_folded():
    moderation = Moderation({"felt-unheard": {"feeling": _entry(0.6)}})
    page = render_html(_tables(agreement=agreement_table(moderation, ["01-experts"])))
    first, rest = page.split("id='more'", 1)
    for heading in ("How the group is doing", "One idea to revisit together", "Who needs a follow-up first"):
        assert heading in first
    assert "<details" not in first and rest.count("<details>") == 2 + 4  # two modules, then four other parts
    assert "<script" not in page.lower() and "&lt;script&gt;" in page and "&lt;feeling&gt;" in page
    assert "trainee-1a2b3c4d" in first and "Not yet" in first and "no answer here could be shown" in first
    assert "Check by hand" in first and "felt-unheard feeling" in first
    heat = re.search(r"<table class='heat'>.*?</table>", page, re.S).group(0)
    assert heat.count("<th scope='row'>") == 3 and heat.count("<th scope='col'>") == 3  # 2 trainees + mean; 2 modules
    for shown in (">89<", "40 <span class='cue' aria-hidden='true'>&#9660;</span><span class='sr'>low</span>",
                  "<span class='cue'>late</span>", ">missing<", ">not marked<"):
        assert shown in heat, shown


def test_a_broken_moderation_file_is_a_line_in_the_report_not_a_crash(tmp_path):
    state = tmp_path / ".alongside"
    _write_moderation(state, "{oops")
    found = read_moderation(_Cohort(state))
    page = render_html(_tables(moderation_problem=found.problem))
    assert "Marking agreement: .alongside/moderation.json could not be read" in page


def test_every_heatmap_colour_has_readable_numbers():
    assert all(contrast(text_colour(c), c) >= 4.5 for c in PALETTE)
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
