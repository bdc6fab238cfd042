"""Cohort grading: the demo cohort, a parallel grade run through nbgrader, re-runs, reports, records.

The fast tests check the pieces (reading answers without running them, the follow-up checks,
escaping in the report). The slow ones make a small demo cohort, grade it with
`alongside cohort grade` (real nbgrader, trusted marking: no kernel runs) and check what a trainer would rely on.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbgrader.api import Gradebook

from alongside import grading, rubric
from alongside.cli import main as cli_main
from alongside.cohort.answers import concerns, criterion_rows, quoted_phrases, read_and_understood, read_answers
from alongside.cohort.demo import HARMFUL, PERSONAL, course_exercises, make_demo
from alongside.cohort.grade import failure_reason, grade, submissions
from alongside.cohort.ledger import read_ledger
from alongside.cohort.record import record_html, signed_date
from alongside.cohort.page import render_html
from alongside.cohort.report import CohortTables, _safe_csv, cohort_tables
from nbgrader_tools import ROOT

ALONGSIDE = [str(Path(sys.executable).parent / "alongside")]


def mark_items(exercise: str, answers: dict) -> list[grading.ItemResult]:
    """Every item of an exercise marked on answers read from a notebook, as the grader marks them."""
    return [grading.evaluate(exercise, spec["id"], answers.get(spec["id"])) for spec in grading.exercise(exercise)["items"]]


def _code(source: str) -> dict:
    return {"cells": [{"cell_type": "code", "source": source, "metadata": {}}]}


# ---- reading answers without running them -------------------------------------------------------

def test_read_answers_reads_answer_cells_of_the_exercise_only():
    nb = _code("%%answer 01-experts who_knows\nc1: family\nc2: school\n")
    nb["cells"] += [
        {"cell_type": "code", "source": '%%answer 01-experts unheard\nI felt "small" {x} \\ """', "metadata": {}},
        {"cell_type": "code", "source": "%%answer 02-words listening\nAnother exercise.", "metadata": {}},
        {"cell_type": "code", "source": 'unheard_reflection = "never read"\nopen("x")', "metadata": {}},
    ]
    answers = read_answers(nb, "01-experts")
    assert answers["who_knows"] == {"c1": ["parent"], "c2": ["practitioner"]}
    assert answers["unheard"] == 'I felt "small" {x} \\ """'
    assert set(answers) == {"who_knows", "unheard"}  # other exercises' cells and Python cells are not answers


def _model_answers(exercise: str) -> dict[str, object]:
    nb = nbformat.read(ROOT / "solutions" / exercise / f"{exercise}.ipynb", as_version=4)
    return read_answers(nb, exercise)


@pytest.mark.parametrize("exercise", course_exercises(ROOT))
def test_model_answers_read_back_earn_every_point(exercise, answer_keys):
    """Answers read from the solution notebook, re-scored, earn what the hidden tests give them."""
    marks = mark_items(exercise, _model_answers(exercise))
    assert marks and all(m.points == m.max > 0 for m in marks), [(m.item, m.points, m.max) for m in marks]
    assert all(m.criteria for m in marks)
    assert all(c.met for m in marks if grading.item_spec(exercise, m.item)["kind"] == "classification" for c in m.criteria)


@pytest.mark.parametrize("exercise", course_exercises(ROOT))
def test_the_points_of_an_item_are_its_criteria_added_up(exercise, answer_keys):
    """For every model answer, each item's points are the sum of its criteria's points, each met
    criterion earns all of its points, and a nbgrader cell's points rescale the criteria."""
    for item, answer in _model_answers(exercise).items():
        result = grading.evaluate(exercise, item, answer)
        assert result.criteria, item
        assert sum(c.points for c in result.criteria) == pytest.approx(result.points), item
        assert sum(c.max for c in result.criteria) == pytest.approx(result.max), item
        assert all(c.points == pytest.approx(c.max) for c in result.criteria if c.met), item
        doubled = grading.evaluate(exercise, item, answer, points=2 * result.max)
        assert doubled.max == 2 * result.max and doubled.points == pytest.approx(2 * result.points), item
        assert [c.points for c in doubled.criteria] == pytest.approx([2 * c.points for c in result.criteria]), item
        assert doubled.lines == result.lines, "the trainee reads the same words whatever the cell's points"


def _damaged(exercise: str, item: str, answer: object) -> object:
    """The model answer with its first part blanked out, so some criteria are not met."""
    if isinstance(answer, dict) and answer:
        return {**answer, next(iter(answer)): ""}
    return "I felt cross." if isinstance(answer, str) else answer


@pytest.mark.parametrize("exercise", course_exercises(ROOT))
def test_report_rows_are_the_criteria_of_the_one_marking(exercise, answer_keys):
    """The cohort report's criterion rows come from evaluate(...).criteria, nothing marked twice:
    for letters and reflections too, and for answers that meet some criteria and miss others."""
    for answers in (_model_answers(exercise), {k: _damaged(exercise, k, v) for k, v in _model_answers(exercise).items()}):
        for result in mark_items(exercise, answers):
            direct = grading.evaluate(exercise, result.item, answers.get(result.item))
            assert result == direct
            rows = criterion_rows(result)
            kind = grading.item_spec(exercise, result.item)["kind"]
            wanted = [c for c in direct.criteria if kind != "rewrites" or "/" in c.id]
            assert [(r["criterion"], r["looks_for"], r["met"]) for r in rows] == \
                [(c.id.split("/")[-1], c.looks_for, c.met) for c in wanted]
            assert all((r["exercise"], r["item"]) == (exercise, result.item) for r in rows)


def test_letter_and_reflection_rows_say_which_checks_were_missed(answer_keys):
    letter = mark_items("08-safeguarding", {"letter": "Dear Mrs Patel, you failed to attend. Regards, Sam"})[0]
    rows = {r["criterion"]: r["met"] for r in criterion_rows(letter)}
    assert rows["blame"] is False and rows["grade"] is True and set(rows) >= {"jargon", "blame", "grade"}
    assert [c.feedback for c in letter.criteria if c.id == "blame"][0].startswith("Not yet: No blaming")
    reflection = grading.evaluate("10-together", "reflection", "Last week a parent told me her son hates the hall.")
    assert [r["criterion"] for r in criterion_rows(reflection)] == ["what", "so_what", "now_what"]
    assert [c.met for c in reflection.criteria][0] is True and reflection.criteria[2].met is False


def test_rewrite_rows_are_one_per_criterion_per_rewrite(answer_keys):
    result = grading.evaluate("02-words", "rewrites", {"r1": "Thank you for telling me. What have you noticed at home?"})
    rows = criterion_rows(result)
    rubric_ids = [c.id for c in rubric.load_rubric("rewrite-statement").criteria]
    assert [r["criterion"] for r in rows] == rubric_ids * 3
    assert [c.id for c in result.criteria][:1 + len(rubric_ids)] == ["r1", *(f"r1/{c}" for c in rubric_ids)]


def test_blank_answers_meet_no_criterion(answer_keys):
    marks = mark_items("01-experts", {})
    assert all(m.points == 0 for m in marks)
    assert not any(c.met for m in marks for c in m.criteria)


def test_without_the_key_sorting_is_not_marked_and_says_so():
    result = grading.evaluate("01-experts", "who_knows", {"c1": ["parent"]})
    assert result.points == 0 and result.lines == [grading.NO_KEY] and not result.marked
    assert all(row["met"] is None for row in criterion_rows(result))


# ---- what needs a follow-up ---------------------------------------------------------------------

def test_concerns_find_harmful_words_personal_details_and_markup():
    found = dict(concerns([HARMFUL, PERSONAL, "I said <script>alert(1)</script> to her."]))
    kinds = [k for k, _ in concerns([HARMFUL, PERSONAL, "<b>hi</b> there"])]
    assert {"harmful", "personal", "markup"} <= set(kinds)
    assert "hard to reach" in " ".join(r for k, r in concerns([HARMFUL]) if k == "harmful")
    personal = found["personal"]
    assert "phone number" in personal and "07700" not in personal and "Rowan" not in personal


def test_concerns_ignore_phrases_the_exercise_itself_quotes():
    text = "She is afraid of being seen as a difficult parent."
    assert concerns([text])
    assert not concerns([text], quoted_phrases([_code(f"story = {text!r}")]))


def test_plain_reflection_raises_no_concern():
    assert concerns(["I felt small when the doctor kept typing. I wish she had asked me what I noticed."]) == []


@pytest.mark.parametrize("answer, signed", [
    (None, None), ("", None), ("# YOUR ANSWER HERE", None), (False, None), ({"name": "", "date": ""}, None),
    ("Carys Evans", "Carys Evans"), (True, "confirmed"), ({"name": "Carys Evans", "date": "3 March"}, "name: Carys Evans; date: 3 March"),
])
def test_read_and_understood(answer, signed):
    assert read_and_understood(answer) == signed


def test_failure_reason_names_the_error_in_plain_words():
    log = "[ERROR] There was an error\nTraceback...\nnbformat.reader.NotJSONError: Notebook does not appear to be JSON: '{\"ce'"
    reason = failure_reason({"success": False, "log": log, "error": "NbGraderException: Please see the above traceback"})
    assert "damaged" in reason and "NbGraderException" not in reason


# ---- the report's escaping and its exports ------------------------------------------------------

def _tables(trainee: str, reason: str) -> CohortTables:
    grades = pd.DataFrame([{"trainee": trainee, "name": trainee, "exercise": "01-experts", "status": "graded",
                            "score": 4.0, "max_score": 9.0, "percent": 44.4, "submitted": "2026-01-10 10:00",
                            "hours_late": 0.0, "needs_manual_grading": False, "reason": reason}])
    criteria = pd.DataFrame([{"trainee": trainee, "exercise": "01-experts", "item": "unheard", "criterion": "feeling",
                              "looks_for": "a <feeling> word", "met": True}])
    follow = pd.DataFrame([{"trainee": trainee, "exercise": "01-experts", "kind": "markup", "reason": reason}])
    from alongside.cohort.report import _shares

    return CohortTables(grades, criteria, _shares(criteria, grades), follow, ["01-experts"])


def test_report_escapes_trainee_text_and_is_self_contained():
    page = render_html(_tables("<img src=x onerror=alert(1)>", "<script>alert(1)</script>"))
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;feeling&gt;" in page
    assert not re.search(r"""(src|href)=['"]?(https?:)?//""", page), "the report must not load anything"
    assert "data:image/png;base64," in page


def test_csv_cells_cannot_become_spreadsheet_formulas():
    safe = _safe_csv(pd.DataFrame({"reason": ["=HYPERLINK(\"x\")", "+1", "fine"], "n": [-1, 2, 3]}))
    assert safe["reason"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "fine"] and safe["n"].tolist() == [-1, 2, 3]


def test_completion_record_says_not_signed_when_there_is_no_confirmation():
    rows = [{"exercise": "01-experts", "status": "graded", "score": 9.0, "max_score": 9.0, "percent": 100.0,
             "submitted": "2026-01-10 10:00"},
            {"exercise": "02-words", "status": "missing", "score": None, "max_score": 15.0, "percent": None,
             "submitted": None}]
    page = record_html("carys-evans", "Carys <Evans>", rows, None, "02-words")
    assert "Not signed" in page and "Modules completed:</strong> 1 of 2" in page and "Carys &lt;Evans&gt;" in page
    assert "Signed in exercise 02-words" in record_html("carys-evans", "", rows, "Carys Evans", "02-words")


def test_pseudonymised_tables_keep_no_quote_of_the_trainee(tmp_path):
    tables = _tables("carys-evans", "the notebook file is damaged and cannot be read (NotJSONError: '{\"Carys Evans')")
    tables.grades = tables.grades.assign(status="not graded")
    tables.follow_up = pd.DataFrame([
        {"trainee": "carys-evans", "exercise": "01-experts", "kind": kind, "reason": reason} for kind, reason in (
            ("harmful", 'wording that can hurt a parent: "Carys says the mum is in denial" (may hurt (second opinion))'),
            ("markup", 'markup pasted into an answer: <span title="Carys Evans">'),
            ("not graded", "could not be graded: the notebook file is damaged and cannot be read (NotJSONError: '{Carys')"),
            ("late", "submitted 3 hours after the due date"),
            ("personal", "possible details of a real family: phone number"))])
    shown = tables.pseudonymised(type("C", (), {"state": tmp_path})())
    everything = shown.grades.to_csv() + shown.follow_up.to_csv() + shown.criteria.to_csv()
    assert "carys" not in everything.lower()
    assert shown.follow_up.reason.tolist() == [
        "wording that can hurt a parent (see the notebook)", "markup pasted into an answer (see the notebook)",
        "could not be graded: the notebook file is damaged and cannot be read",
        "submitted 3 hours after the due date", "possible details of a real family: phone number"]
    assert shown.grades.reason.tolist() == ["the notebook file is damaged and cannot be read"]
    again = tables.pseudonymised(type("C", (), {"state": tmp_path})())
    assert again.grades.trainee.tolist() == shown.grades.trainee.tolist()  # the same key, the same pseudonym


@pytest.mark.parametrize("answer, date", [
    ({"name": "Carys Evans", "date": "3 March 2026"}, "3 March 2026"), ({"name": "Carys Evans", "date": "03/03/2026"},
                                                                        "03/03/2026"),
    ({"name": "Carys Evans", "date": "3 March, Carys"}, ""), ({"name": "Carys Evans"}, ""), ("Carys Evans", ""),
])
def test_a_pseudonymised_record_shows_only_a_date_that_is_just_a_date(answer, date):
    assert signed_date(answer) == date


def test_a_record_can_say_signed_without_showing_what_was_typed():
    rows = [{"exercise": "10-together", "status": "graded", "score": 7.0, "max_score": 7.0, "percent": 100.0,
             "submitted": "2026-01-26 10:00"}]
    page = record_html("trainee-1a2b3c4d", "", rows, "", "10-together")
    assert "Signed in exercise 10-together (submitted 2026-01-26 10:00)." in page and "Not signed" not in page


# ---- the command line ---------------------------------------------------------------------------

def test_cli_refuses_a_folder_that_is_not_a_cohort(tmp_path, capsys):
    assert cli_main(["cohort", "grade", str(tmp_path)]) == 2
    assert "no nbgrader_config.py" in capsys.readouterr().err
    (tmp_path / "x").write_text("keep me")
    assert cli_main(["cohort", "demo", "--trainees", "2", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err and (tmp_path / "x").read_text() == "keep me"


def test_existing_commands_still_work(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("He is just a difficult parent."))
    assert cli_main(["check-language"]) == 0
    assert json.loads(capsys.readouterr().out)["harmful"] is True


# ---- a real cohort through nbgrader (slow) -------------------------------------------------------

EXERCISES = [*course_exercises(ROOT)[:2], "10-together"]  # 10-together has the signed "read and understood" item


def _manifest(root: Path) -> list[dict]:
    with (root / "demo-manifest.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _who(root: Path, mishap: str = "", standard: str = "") -> tuple[str, str]:
    for row in _manifest(root):
        if (not mishap or row["mishap"] == mishap) and (not standard or row["standard"] == standard):
            return row["trainee"], row["exercise"]
    raise AssertionError(f"the demo has no {mishap or standard}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A six-trainee demo cohort on three exercises (every case in the showcase), not yet graded."""
    return make_demo(tmp_path_factory.mktemp("cohort") / "demo", 6, seed=3, exercises=EXERCISES).root


@pytest.fixture(scope="module")
def graded(demo, tmp_path_factory):
    """A copy of the demo, graded once by `alongside cohort grade` on the command line."""
    root = tmp_path_factory.mktemp("graded") / "cohort"
    shutil.copytree(demo, root)
    result = subprocess.run([*ALONGSIDE, "cohort", "grade", str(root)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    return root, result


@pytest.mark.slow
def test_demo_is_a_standard_nbgrader_course(demo):
    assert (demo / "nbgrader_config.py").is_file()
    for ex in EXERCISES:
        assert (demo / "exercises" / ex / f"{ex}.ipynb").is_file()
    rows = _manifest(demo)
    assert {r["trainee"] for r in rows} == {p.name for p in (demo / "submitted").iterdir()}
    with Gradebook(f"sqlite:///{demo / 'gradebook.db'}", "alongside") as gb:
        assert sorted(a.name for a in gb.assignments) == EXERCISES
        assert all(a.duedate is not None for a in gb.assignments)
        assert len(gb.students) == 6
    mishaps = {r["mishap"] for r in rows}
    assert {"late", "missing", "broken_code", "cell_deleted", "cell_duplicated", "unreadable", "harmful",
            "personal", "markup"} <= mishaps
    assert {"strong", "blank", "weak"} <= {r["standard"] for r in rows}
    trainee, ex = _who(demo, "missing")
    assert not (demo / "submitted" / trainee / ex).exists()
    for trainee, ex in submissions(type("C", (), {"submitted": demo / "submitted"})()):
        assert (demo / "submitted" / trainee / ex / "timestamp.txt").is_file()


@pytest.mark.slow
def test_stock_nbgrader_works_in_the_demo(demo, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo, copy)
    trainee, ex = _who(demo, standard="strong")
    result = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ex, f"--student={trainee}"], cwd=copy,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}", "alongside") as gb:
        sub = gb.find_submission(ex, trainee)
        assert sub.code_score == gb.find_assignment(ex).max_code_score > 0


@pytest.mark.slow
def test_grade_run_grades_everything_once_and_reports(graded):
    root, result = graded
    assert "Graded" in result.stdout and "could not be graded" in result.stdout
    assert "Grading" in result.stderr  # the progress bar
    ledger = read_ledger(type("C", (), {"state": root / ".alongside"})())
    submitted = {f"{t.name}/{e.name}" for t in (root / "submitted").iterdir() for e in t.iterdir()}
    assert set(ledger) == submitted  # none lost
    grades = pd.read_csv(root / "reports" / "grades.csv")
    assert len(grades) == 6 * len(EXERCISES)
    assert (root / "reports" / "cohort.html").is_file()
    con = sqlite3.connect(root / "gradebook.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    pairs = con.execute("SELECT student_id, assignment_id, COUNT(*) FROM submitted_assignment "
                        "GROUP BY student_id, assignment_id HAVING COUNT(*) > 1").fetchall()
    assert pairs == []  # none graded twice into the gradebook


def _row(root: Path, trainee: str, ex: str) -> pd.Series:
    grades = pd.read_csv(root / "reports" / "grades.csv")
    return grades[(grades.trainee == trainee) & (grades.exercise == ex)].iloc[0]


@pytest.mark.slow
def test_scores_match_the_work(graded):
    root, _ = graded
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "alongside") as gb:
        strong, _ = _who(root, standard="strong")
        for ex in EXERCISES:  # every test cell at full marks; an answer the trainer marks by hand is left to them
            grades = [g for nb in gb.find_submission(ex, strong).notebooks for g in nb.grades if g.name.startswith("test_")]
            assert grades and all(g.auto_score == g.max_score for g in grades), ex
        blank, _ = _who(root, standard="blank")
        assert all(gb.find_submission(ex, blank).code_score == 0 for ex in EXERCISES)
        trainee, ex = _who(root, "broken_code")  # graded, losing only the broken answer's points
        assert 0 <= gb.find_submission(ex, trainee).code_score < gb.find_assignment(ex).max_code_score
    for mishap in ("cell_deleted", "cell_duplicated", "broken_code"):
        assert _row(root, *_who(root, mishap)).status in ("graded", "late"), mishap


@pytest.mark.slow
def test_bad_submissions_are_reported_with_their_reason(graded):
    root, _ = graded
    unreadable = _row(root, *_who(root, "unreadable"))
    assert unreadable.status == "not graded" and "damaged" in unreadable.reason
    assert _row(root, *_who(root, "missing")).status == "missing"
    late = _row(root, *_who(root, "late"))
    assert late.status == "late" and late.hours_late > 0
    follow = pd.read_csv(root / "reports" / "follow-up.csv")
    for mishap, kind in (("harmful", "harmful"), ("personal", "personal"), ("markup", "markup"), ("late", "late"),
                         ("missing", "missing"), ("unreadable", "not graded")):
        trainee, ex = _who(root, mishap)
        assert ((follow.trainee == trainee) & (follow.exercise == ex) & (follow.kind == kind)).any(), mishap
    blank, _ = _who(root, standard="blank")
    assert (follow[follow.trainee == blank].kind == "low").all()
    strong, _ = _who(root, standard="strong")
    assert follow[(follow.trainee == strong) & (follow.kind == "harmful")].empty


@pytest.mark.slow
def test_report_contents_and_escaping(graded):
    root, _ = graded
    page = (root / "reports" / "cohort.html").read_text(encoding="utf-8")
    everything = page + "".join(p.read_text(encoding="utf-8") for p in (root / "reports").glob("*.csv"))
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    assert "07700 900123" not in everything and "Rowan Close" not in everything  # details are named, not repeated
    for heading in ("How the group is doing", "Scores per trainee and module", "to revisit together",
                    "Who needs a follow-up first", "Score distributions", "Item analysis of the choices"):
        assert heading in page
    shares = pd.read_csv(root / "reports" / "criteria.csv")
    assert set(shares.exercise) == set(EXERCISES)
    assert shares.met_share.between(0, 1).all() and (shares.trainees >= 1).all()
    tables = cohort_tables(root)
    strong, _ = _who(root, standard="strong")
    assert tables.criteria[tables.criteria.trainee == strong].met.all()
    blank, _ = _who(root, standard="blank")
    assert not tables.criteria[tables.criteria.trainee == blank].met.any()


@pytest.mark.slow
def test_moderated_agreement_marks_criteria_to_check_by_hand(graded, tmp_path, capsys):
    root = tmp_path / "cohort"
    shutil.copytree(graded[0], root)
    entry = {"kappa": 0.5, "kappa_low": 0.2, "kappa_high": 0.8, "n": 20, "sheet": "sheet-2026-12-02.csv",
             "read_at": "2026-12-02T10:00:00+00:00"}
    (root / ".alongside" / "moderation.json").write_text(json.dumps({"rubrics": {"felt-unheard": {
        "feeling": {**entry, "agree": 0.6}, "wanted": {**entry, "agree": 0.9}}}}), encoding="utf-8")
    assert cli_main(["cohort", "report", str(root)]) == 0
    grades = pd.read_csv(root / "reports" / "grades.csv", keep_default_na=False)
    experts = grades[grades.exercise == "01-experts"]
    done = experts.status.isin(["graded", "late"])
    assert done.any() and (experts[done].check_by_hand == "unheard: feeling").all()
    assert (experts[~done].check_by_hand == "").all() and (grades[grades.exercise != "01-experts"].check_by_hand == "").all()
    shares = pd.read_csv(root / "reports" / "criteria.csv")
    assert shares[shares.check_by_hand][["item", "criterion"]].values.tolist() == [["unheard", "feeling"]]
    page = (root / "reports" / "cohort.html").read_text(encoding="utf-8")
    assert "Check by hand: 1 rubric criterion agrees" in page and "felt-unheard feeling" in page and "check by hand" in page
    (root / ".alongside" / "moderation.json").write_text('{"rubrics": {"felt-unheard": ', encoding="utf-8")
    assert cli_main(["cohort", "report", str(root)]) == 0
    page = (root / "reports" / "cohort.html").read_text(encoding="utf-8")
    assert "Marking agreement: .alongside/moderation.json could not be read" in page
    assert (pd.read_csv(root / "reports" / "grades.csv", keep_default_na=False).check_by_hand == "").all()


@pytest.mark.slow
def test_item_analysis_of_the_choices(graded):
    root, _ = graded
    items = pd.read_csv(root / "reports" / "items.csv", keep_default_na=False)
    sorts = [(ex, i["id"]) for ex in EXERCISES for i in grading.exercise(ex)["items"] if i["kind"] == "classification"]
    assert sorts and set(zip(items.exercise, items.item)) == set(sorts)
    assert items.facility.between(0, 1).all() and (items.answers >= 1).all()
    found = pd.to_numeric(items.discrimination, errors="coerce").dropna()
    assert len(found) and found.between(-1, 1).all()
    tables = cohort_tables(root)
    right = tables.criteria[tables.criteria.item.isin([i for _, i in sorts])].groupby(["exercise", "item", "criterion"])["met"].mean()
    for r in items.itertuples():
        assert r.facility == pytest.approx(right[(r.exercise, r.item, r.statement)], abs=1e-3)


@pytest.mark.slow
def test_feedback_hides_the_hidden_tests(graded):
    root, _ = graded
    pages = list((root / "feedback").rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "HIDDEN TESTS" not in text and "grading.mark" not in text.replace("&quot;", '"')
    strong, ex = _who(root, standard="strong")
    assert "Points:" in (root / "feedback" / strong / ex / f"{ex}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_completion_records(graded):
    root, _ = graded
    records = root / "reports" / "records"
    pages = {p.stem: p.read_text(encoding="utf-8") for p in records.glob("*.html") if p.stem != "index"}
    assert set(pages) == {p.name for p in (root / "submitted").iterdir()}
    strong, _ = _who(root, standard="strong")
    assert f"Modules completed:</strong> {len(EXERCISES)} of {len(EXERCISES)}" in pages[strong]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "alongside") as gb:
        student = gb.find_student(strong)
        name = f"{student.first_name} {student.last_name}"
    assert "Signed in exercise 10-together (submitted" in pages[strong] and name in pages[strong]
    blank, _ = _who(root, standard="blank")
    assert "Not signed" in pages[blank]


@pytest.mark.slow
def test_rerun_grades_only_what_is_new(graded, tmp_path):
    root = tmp_path / "cohort"
    shutil.copytree(graded[0], root)
    again = grade(root, progress=False, reports=False)
    assert again.graded == [] and again.failed == [] and again.unchanged == len(read_ledger(_state(root)))
    blank, ex = _who(root, standard="blank")
    solution = nbformat.read(root / "solutions" / ex / f"{ex}.ipynb", as_version=4)
    for cell in solution.cells:
        cell.source = re.sub(r"(?m)^### (BEGIN|END) SOLUTION\n?", "", cell.source)
    nbformat.write(solution, root / "submitted" / blank / ex / f"{ex}.ipynb")
    third = grade(root, progress=False)
    assert third.graded == [(blank, ex)] and third.failed == []
    assert _row(root, blank, ex).percent > 0


def _state(root: Path):
    return type("C", (), {"state": root / ".alongside"})()


@pytest.mark.slow
def test_two_runs_at_once_share_the_work(demo, tmp_path):
    root = tmp_path / "cohort"
    shutil.copytree(demo, root)
    keep = {_who(demo, standard="strong")[0], _who(demo, "unreadable")[0]}
    for folder in (root / "submitted").iterdir():
        if folder.name not in keep:
            shutil.rmtree(folder)
    runs = [subprocess.Popen([*ALONGSIDE, "cohort", "grade", str(root), "--quiet"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=900) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    done = sum(int(re.search(r"Graded (\d+) new", out).group(1)) for out, _ in outputs)
    total = sum(1 for t in (root / "submitted").iterdir() for _ in t.iterdir())
    assert done == total  # each submission graded by exactly one of the two runs
    con = sqlite3.connect(root / "gradebook.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(read_ledger(_state(root))) == {f"{t.name}/{e.name}" for t in (root / "submitted").iterdir() for e in t.iterdir()}


@pytest.mark.slow
def test_grade_uses_the_gradebook_a_url_names(demo, tmp_path):
    root = tmp_path / "cohort"
    shutil.copytree(demo, root)
    kept = sorted(p.name for p in (root / "submitted").iterdir())[:2]
    for folder in (root / "submitted").iterdir():
        if folder.name not in kept:
            shutil.rmtree(folder)
    elsewhere = tmp_path / "server" / "gradebook.db"
    elsewhere.parent.mkdir()
    shutil.move(root / "gradebook.db", elsewhere)
    result = subprocess.run([*ALONGSIDE, "cohort", "grade", str(root), "--quiet", "--db", f"sqlite:///{elsewhere}"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert not (root / "gradebook.db").exists()
    with Gradebook(f"sqlite:///{elsewhere}", "alongside") as gb:
        graded = {(s.student.id, s.assignment.name) for a in gb.assignments for s in a.submissions}
    assert graded == set(submissions(type("C", (), {"submitted": root / "submitted"})()))


@pytest.mark.parametrize("url, says", [("not a url", "is not a database URL"),
                                       ("nosuchdb+nodriver://host/db", "no database driver")])
def test_grade_refuses_a_gradebook_url_it_cannot_use(demo, url, says, capsys):
    assert cli_main(["cohort", "grade", str(demo), "--db", url]) == 2
    assert says in capsys.readouterr().err
    assert "ALONGSIDE_GRADEBOOK_URL" not in os.environ


# ---- pseudonyms hold everywhere (slow) -----------------------------------------------------------

def _people(root: Path) -> list[dict]:
    """Every trainee in the gradebook: id, first and last name, and an e-mail (given here: the demo has none)."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "alongside") as gb:
        people = []
        for s in gb.students:
            email = f"{s.first_name}.{s.last_name}@example.org".lower()
            gb.update_or_create_student(s.id, email=email)
            people.append({"id": s.id, "first": s.first_name, "last": s.last_name, "email": email})
    return people


def _prepend_to_first_reflection(path: Path, exercise: str, text: str) -> None:
    """Put ``text`` before the trainee's answer to the exercise's first rubric item."""
    from alongside.answer_text import cell_item, first_line, parse_answer, write_answer

    item = next(i["id"] for i in grading.exercise(exercise)["items"] if i["kind"] == "rubric")
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and cell_item(c.source) == (exercise, item))
    value = parse_answer(exercise, item, cell.source)
    value = f"{text}\n{value}" if isinstance(value, str) else {**value, next(iter(value)): f"{text} {next(iter(value.values()))}"}
    cell.source = f"{first_line(exercise, item)}\n{write_answer(exercise, item, value)}"
    nbformat.write(nb, path)


def _named(text: str, people: list[dict]) -> list[str]:
    """Each roster id, e-mail, full name, first or last name found in a text (HTML entities decoded, any case).

    Inline images (data: URIs) are left out: base64 can spell a short name by chance.
    """
    import html as html_module

    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", html_module.unescape(text)).casefold()
    found = []
    for p in people:
        found += [s for s in (p["id"], p["email"], f"{p['first']} {p['last']}") if s.casefold() in text]
        found += [w for w in (p["first"], p["last"]) if re.search(rf"\b{re.escape(w.casefold())}\b", text)]
    return found


@pytest.mark.slow
def test_pseudonymised_outputs_name_no_trainee(graded, tmp_path, capsys):
    """Under --pseudonymise, no report, record, export, file name or printed summary holds a trainee's id,
    name or e-mail, nor the name they signed with or typed into an answer or a damaged notebook."""
    root = tmp_path / "cohort"
    shutil.copytree(graded[0], root)
    people = _people(root)
    by_id = {p["id"]: p for p in people}
    strong, ex = _who(root, standard="strong")
    me = by_id[strong]
    signed = (graded[0] / "reports" / "records" / f"{strong}.html").read_text(encoding="utf-8")
    assert f"{me['first']} {me['last']}" in signed  # the demo signs with the real name: there is something to hide
    # a trainee types their name into a harmful sentence with markup (the follow-up reasons quote both),
    # and another's notebook is damaged (it starts with their name), so the grading summary lists them
    _prepend_to_first_reflection(root / "submitted" / strong / ex / f"{ex}.ipynb", ex,
                                 f'<span title="{me["first"]} {me["last"]}">I am {me["first"]} {me["last"]}.</span> '
                                 f"{me['first']} thinks the mum is in denial and a hard to reach family.")
    other = next(p for p in people if p["id"] != strong and (root / "submitted" / p["id"] / ex).is_dir())
    (root / "submitted" / other["id"] / ex / f"{ex}.ipynb").write_text(f'{{"{other["first"]} {other["last"]}', encoding="utf-8")

    result = subprocess.run([*ALONGSIDE, "cohort", "grade", str(root), "--pseudonymise", "--quiet"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "1 could not be graded" in result.stdout
    first_names = sorted(p.name for p in (root / "reports" / "records").iterdir())

    roster, worksheet, out = tmp_path / "roster.csv", tmp_path / "worksheet.csv", tmp_path / "export.csv"
    with roster.open("w", newline="") as r, worksheet.open("w", newline="") as w:
        csv.writer(r).writerows([["trainee", "name", "email", "participant"],
                                 *([p["id"], f"{p['first']} {p['last']}", p["email"], 1000 + n] for n, p in enumerate(people))])
        csv.writer(w).writerows([["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                                  "Feedback comments"],
                                 *([f"Participant {1000 + n}", f"{p['first']} {p['last']}", p["email"], "Submitted", "",
                                    "100", ""] for n, p in enumerate(people)),
                                 ["Participant 9999", "Zed Stranger", "zed@example.org", "", "", "100", ""]])
    capsys.readouterr()
    assert cli_main(["cohort", "report", str(root), "--pseudonymise"]) == 0
    assert cli_main(["cohort", "export", str(root), "--moodle", str(worksheet), "--out", str(out), "--exercise", ex,
                     "--roster", str(roster), "--pseudonymise"]) == 0
    printed = capsys.readouterr()

    from alongside.cohort.explore import filter_tables

    written = [p for p in (root / "reports").rglob("*") if p.is_file()] + [out]
    assert {"grades.csv", "criteria.csv", "follow-up.csv", "cohort.html", "index.html"} <= {p.name for p in written}
    texts = {f"file name {p.relative_to(tmp_path)}": str(p.relative_to(tmp_path)) for p in written}
    texts |= {str(p.relative_to(tmp_path)): p.read_text(encoding="utf-8") for p in written}
    texts |= {"grade's output": result.stdout + result.stderr, "report and export output": printed.out + printed.err}
    texts |= {f"explore: {k}": frame.to_html() for k, frame in filter_tables(cohort_tables(root, pseudonymise=True)).items()}
    leaks = {where: found for where, text in texts.items() if (found := _named(text, people))}
    assert leaks == {}
    assert "Zed Stranger" not in out.read_text() and "Participant" not in out.read_text()

    records = {p.name: p.read_text(encoding="utf-8") for p in (root / "reports" / "records").iterdir()}
    assert sorted(records) == first_names  # the same pseudonyms on every run
    assert len(records) == len(people) + 1
    assert any("Signed in exercise 10-together" in page and "dated " in page for page in records.values())
    follow = pd.read_csv(root / "reports" / "follow-up.csv")
    assert {"harmful", "markup", "not graded"} <= set(follow.kind)
