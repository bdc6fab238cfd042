"""Module 11 (rights and the system): the story, the myth sorter, the reply rubric and the exercise.

Widgets run in-process with a fresh ALONGSIDE_HOME, as in a trainee's kernel. The graded myths are
marked as the trainer's grader marks them, with the answer key.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import textstat
import yaml

from alongside import grading
from alongside.answer_text import notebook_answers, parse_answer
from alongside.rubric import load_rubric, score
from alongside.widgets import StatementSorter
from alongside.widgets.story import load_story
from prose_tools import prose

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course" / "11-rights.ipynb"
SOLUTION = ROOT / "solutions" / "11-rights" / "11-rights.ipynb"
RELEASED = ROOT / "exercises" / "11-rights" / "11-rights.ipynb"
KEYS = yaml.safe_load((ROOT / "answer-keys.yaml").read_text(encoding="utf-8"))
RIGHT = {"m1": "myth", "m2": "myth", "m3": "fact", "m4": "myth", "m5": "fact", "m6": "fact", "m7": "myth",
         "m8": "fact"}


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _markdown(path: Path) -> list[str]:
    return [c.source for c in _read(path).cells if c.cell_type == "markdown"]


def _answers(path: Path) -> dict:
    return {item: parse_answer("11-rights", item, text) for (_ex, item), text in notebook_answers(_read(path)).items()}


def _text(html_value: str) -> str:
    return re.sub(r"<[^>]+>", "", html_value)


# --- the exercise: the model answers earn every point, a blank earns none --------------------------


def test_model_answers_earn_full_marks_with_the_key_and_a_blank_earns_none(answer_keys):
    solved, blank = _answers(SOLUTION), _answers(RELEASED)
    for item in grading.exercise("11-rights")["items"]:
        full = grading.evaluate("11-rights", item["id"], solved[item["id"]])
        assert full.points == full.max == item["points"], full.report()
        assert grading.evaluate("11-rights", item["id"], blank[item["id"]]).points == 0


def test_the_key_says_myth_or_fact_as_the_model_answer_does():
    assert {sid: entry["answer"] for sid, entry in KEYS["11-rights"].items()} == {s: [a] for s, a in RIGHT.items()}
    assert sorted(RIGHT.values()).count("myth") == 4  # half myths, half facts: guessing one word earns half


def test_points_live_in_the_spec_and_the_notebook_agrees():
    spec = {item["id"]: item["points"] for item in grading.exercise("11-rights")["items"]}
    assert spec == {"myths": 4, "reply": 6}
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("points")
              for c in _read(SOLUTION).cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert graded == {"test_myths": 4, "test_reply": 6}


def test_myths_accept_everyday_words_and_each_wrong_one_gets_its_reason(answer_keys):
    everyday = {"m1": "Myth", "m2": "false", "m3": "true", "m4": "not true", "m5": "Fact", "m6": "correct",
                "m7": "a myth", "m8": "facts"}
    assert grading.evaluate("11-rights", "myths", everyday).points == 4
    wrong = dict(RIGHT, m2="fact", m7="fact")
    result = grading.evaluate("11-rights", "myths", wrong)
    assert result.points == 3
    assert any("m2" in line and "three and a half years" in line for line in result.lines)
    assert any("m7" in line and "three times a year" in line for line in result.lines)


def test_without_the_key_the_myths_earn_nothing_and_say_why():
    result = grading.evaluate("11-rights", "myths", RIGHT)
    assert result.points == 0 and result.lines == [grading.NO_KEY]


# --- the reply rubric ------------------------------------------------------------------------------


def test_repeating_the_myth_earns_only_the_points_for_what_is_not_wrong():
    result = score("rights-reply", "I'm afraid only the school can ask, and the council won't look at it "
                                   "until Nell has a diagnosis.")
    met = {cid for cid, c in result.criteria.items() if c.met}
    assert "says_yes" not in met and "names_iass" not in met and "offers_help" not in met


def test_a_promise_about_the_councils_decision_loses_that_point_and_says_why():
    reply = ("Yes, you can ask the council yourself, and I'll help you write it. SENDIASS, which is a free advice "
             "service for families, can help too. You'll definitely get a plan.")
    result = score("rights-reply", reply)
    assert not result.criteria["no_false_promise"].met
    assert all(c.met for cid, c in result.criteria.items() if cid != "no_false_promise")
    honest = reply.replace("You'll definitely get a plan.", "I can't promise what the council will decide.")
    assert score("rights-reply", honest).score == load_rubric("rights-reply").max


def test_pointing_elsewhere_is_not_offering_help():
    reply = "Yes, you can ask the council yourself. Try SENDIASS, which is a free advice service for families."
    assert not score("rights-reply", reply).criteria["offers_help"].met


def test_every_criterion_tells_a_trainer_what_it_looks_for():
    for criterion in load_rubric("rights-reply").criteria:
        assert len(criterion.looks_for.split()) >= 8, criterion.id


# --- the teaching notebook -------------------------------------------------------------------------


def test_sorter_offers_myth_or_fact_and_says_why(alongside_home):
    sorter = StatementSorter("11-practice")
    assert not sorter.has_second
    choice = next(iter(sorter.first.values()))
    assert [label for label, _value in choice.options] == ["Myth", "Fact"]
    sorter.first["p1"].value = "fact"
    sorter.first["p2"].value = "fact"
    sorter.check()
    shown = _text(sorter.feedback.value)
    assert "Right" in shown and "Not yet" in shown and "free for families" in shown


def test_practice_statements_are_not_the_graded_ones():
    practice = {s["text"] for s in grading.statement_set("11-practice")["statements"]}
    graded = {s["text"] for s in grading.statement_set("11-rights")["statements"]}
    assert not practice & graded


def test_story_has_four_parts_from_both_sides_in_plain_english():
    story = load_story("11-rights")
    assert [p["id"] for p in story["parts"]] == ["part1", "part2", "part3", "part4"]
    assert list(story["sides"]) == ["family", "service"]
    text = " ".join(p[side] for p in story["parts"] for side in story["sides"])
    assert textstat.flesch_kincaid_grade(text) <= 9


@pytest.mark.parametrize("path", [COURSE, SOLUTION], ids=lambda p: p.parent.name + "/" + p.name)
def test_every_cell_is_plain_english(path):
    for text in _markdown(path):
        if text.startswith("## Sources"):
            continue
        grade = textstat.flesch_kincaid_grade(prose(text))
        assert grade <= 9, f"Flesch-Kincaid grade {grade:.1f} in {path.name}: {text[:60]!r}"


def test_every_citation_is_in_the_sources():
    cells = _markdown(COURSE)
    sources = next(c for c in cells if c.startswith("## Sources"))
    body = "\n".join(c for c in cells if not c.startswith("## Sources"))
    cited = re.findall(r"\(([A-Z][A-Za-z]+)[^()]*?,? (?:and [^()]*?)?(\d{4})", body)
    assert len(cited) >= 4, "no citations found"
    for name, year in cited:
        assert re.search(rf"{name}\b[^\n]*\({year}\)|{name}[^\n]*{year}", sources), f"({name}, {year}) not in Sources"


def test_the_code_paragraphs_and_timescales_are_the_ones_in_the_facts():
    body = " ".join(_markdown(COURSE))
    for paragraph in ("6.44 to 6.56", "6.45", "6.65", "regulation 13"):
        assert paragraph in body
    for weeks in ("Week 6", "Week 16", "Week 20", "15 days"):
        assert weeks in body


def test_each_acronym_is_spelt_out_at_its_first_use():
    text = " ".join(_markdown(COURSE))
    spelt = {"EHC": "education, health and care (EHC)", "SENCO": "co-ordinator (SENCO)",
             "SENDIASS": "SENDIASS: the special educational needs and disabilities information",
             "IASS": "support service (IASS)", "ALN": "additional learning needs (ALN)",
             "ALNCo": "additional learning needs co-ordinator (ALNCo)", "ASN": "additional support needs (ASN)",
             "CSP": "co-ordinated support plan (CSP)", "IDP": "individual development plan (IDP)",
             "SEND": "disability (SEND)"}
    for acronym, spelt_out in spelt.items():
        first = re.search(rf"\b{re.escape(acronym)}\b", text)
        assert first and spelt_out in text, acronym
        assert text.index(spelt_out) <= first.start() <= text.index(spelt_out) + len(spelt_out), acronym


def test_story_names_are_new_to_the_course():
    names = ("Ezra", "Owen", "Tariq", "Gemma", "Declan", "Sunita", "Nell", "Fernbridge", "Orchard Row")
    for path in sorted((ROOT / "course").glob("[01]*.ipynb")):
        if path.name == COURSE.name:
            continue
        text = " ".join(c.source for c in _read(path).cells)
        for name in names:
            assert not re.search(rf"\b{name}\b", text), f"{name} is already used in {path.name}"
