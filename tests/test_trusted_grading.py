"""Trusted grading: marks come from the answer text, read by the grader; no trainee code runs.

Each attack here worked on the old pipeline, which ran every submitted notebook in a kernel in the
process that marked it (issue 13): a trainee's code could replace the marking function, rewrite the
gradebook, copy the hidden tests out, or kill the grading worker. Each test grades a small cohort
holding such a submission, with `alongside cohort grade` and with stock `nbgrader autograde` (both
read the course's nbgrader_config.py, which sets up the trusted steps).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell
from nbgrader.api import Gradebook

from alongside.cohort.demo import make_demo
from alongside.cohort.grade import grade
from alongside.text import STUB
from alongside.trusted import SetPoints, marked_item, read_marks

EXERCISE = "02-words"
ALONGSIDE = [str(Path(sys.executable).parent / "alongside")]

ATTACKS = {
    "forger": [  # replace the marking function and make every number shown look like a big one
        "import alongside.grading as g\ng.mark = lambda *a, **k: 4.0\n"
        "get_ipython().display_formatter.formatters['text/plain'].for_type(float, lambda x, p, c: p.text('99'))",
    ],
    "vandal": [  # rewrite everyone's scores in the gradebook, leave files behind, copy the hidden tests out
        "import sqlite3\ncon = sqlite3.connect('../../../gradebook.db')\n"
        "con.execute('UPDATE grade SET auto_score = 0, manual_score = 0')\ncon.commit()",
        "import os\nos.system('cp -r ../../../solutions ../../../stolen')\nopen('../../../pwned.txt', 'w').write('x')",
    ],
    "killer": [  # stop the process that grades
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(os.getpid(), signal.SIGKILL)",
    ],
}


def _answer_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%answer")]


def _write_attacker(root: Path, model: Path, trainee: str, code: list[str]) -> None:
    """A submission with every answer left as the stub, and the attack in its own cells."""
    nb = nbformat.read(model, as_version=4)
    for cell in _answer_cells(nb):
        cell.source = cell.source.split("\n", 1)[0] + "\n" + STUB
    nb.cells[1:1] = [new_code_cell(source) for source in code]
    folder = root / "submitted" / trainee / EXERCISE
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{EXERCISE}.ipynb")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """A three-trainee demo on one exercise, plus one attacker per attack; not graded yet."""
    root = make_demo(tmp_path_factory.mktemp("trusted") / "cohort", 3, seed=1, exercises=[EXERCISE]).root
    model = next((root / "submitted").glob(f"*/{EXERCISE}/{EXERCISE}.ipynb"))
    for trainee, code in ATTACKS.items():
        _write_attacker(root, model, trainee, code)
    return root


def _scores(root: Path) -> dict[str, float]:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "alongside") as gb:
        return {s.student_id: float(s.score) for s in gb.find_assignment(EXERCISE).submissions
                if (root / "autograded" / s.student_id / EXERCISE).is_dir()}


@pytest.fixture(scope="module")
def honest(cohort, tmp_path_factory) -> dict[str, float]:
    """Scores of the demo's own trainees, graded in a copy with no attacker in it."""
    clean = tmp_path_factory.mktemp("clean") / "cohort"
    shutil.copytree(cohort, clean)
    for trainee in ATTACKS:
        shutil.rmtree(clean / "submitted" / trainee)
    grade(clean, progress=False, reports=False)
    return _scores(clean)


def _check_nothing_ran(root: Path, scores: dict[str, float], honest: dict[str, float]) -> None:
    assert set(scores) == set(honest) | set(ATTACKS)  # every submission graded, the killer's too
    for trainee in ATTACKS:
        assert scores[trainee] == 0.0, trainee  # blank answers earn nothing, whatever the code says
    for trainee, score in honest.items():
        assert scores[trainee] == score  # nobody else's marks changed
    assert max(honest.values()) > 0
    assert not (root / "pwned.txt").exists() and not (root / "stolen").exists()


@pytest.mark.slow
def test_alongside_cohort_grade_runs_no_trainee_code(cohort, honest, tmp_path):
    root = tmp_path / "cohort"
    shutil.copytree(cohort, root)
    run = grade(root, progress=False)
    assert run.failed == []
    _check_nothing_ran(root, _scores(root), honest)
    feedback = (root / "feedback" / "forger" / EXERCISE / f"{EXERCISE}.html").read_text(encoding="utf-8")
    assert "Points: 0 of 4" in feedback  # the feedback says what the gradebook holds


@pytest.mark.slow
def test_stock_nbgrader_autograde_runs_the_same_trusted_steps(cohort, honest, tmp_path):
    root = tmp_path / "cohort"
    shutil.copytree(cohort, root)
    result = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", EXERCISE], cwd=root,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    _check_nothing_ran(root, _scores(root), honest)
    assert read_marks(root, "forger", EXERCISE)["items"]  # the criteria were saved by the step after SaveAutoGrades


@pytest.mark.slow
def test_an_edited_first_line_does_not_move_an_answer(cohort, honest, tmp_path):
    """The answer for an item is its released cell's text, found by the cell's id: relabelling it changes nothing."""
    root = tmp_path / "cohort"
    shutil.copytree(cohort, root)
    trainee = sorted(p.name for p in (root / "submitted").iterdir() if p.name not in ATTACKS)[0]
    path = root / "submitted" / trainee / EXERCISE / f"{EXERCISE}.ipynb"
    before = honest[trainee]
    nb = nbformat.read(path, as_version=4)
    for cell in _answer_cells(nb):
        cell.source = "%%answer 02-words listening\n" + cell.source.split("\n", 1)[1]
    nbformat.write(nb, path)
    grade(root, progress=False, reports=False)
    assert _scores(root)[trainee] == before


@pytest.mark.slow
def test_a_changed_answer_key_regrades_that_exercise_only(cohort, tmp_path):
    root = tmp_path / "cohort"
    shutil.copytree(cohort, root)
    first = grade(root, progress=False, reports=False)
    assert len(first.graded) == len(list((root / "submitted").iterdir()))
    assert grade(root, progress=False, reports=False).graded == []
    keys = root / "answer-keys.yaml"
    keys.write_text(keys.read_text(encoding="utf-8") + "\n# a trainer's note\n", encoding="utf-8")
    assert grade(root, progress=False, reports=False).graded == []  # a comment changes no key
    import yaml

    data = yaml.safe_load(keys.read_text(encoding="utf-8"))
    data[EXERCISE]["s03"]["answer"] = "harmful"
    keys.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    again = grade(root, progress=False, reports=False)
    assert sorted(again.graded) == sorted(first.graded)


def test_set_points_takes_an_items_points_from_its_spec():
    from alongside.grading import item_spec

    cell = new_code_cell('from alongside.grading import mark\n\nmark("02-words", "classify")')
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "test_classify", "points": 99,
                                 "locked": True, "schema_version": 3, "task": False}
    cell, _ = SetPoints().preprocess_cell(cell, {}, 0)
    assert cell.metadata["nbgrader"]["points"] == float(item_spec("02-words", "classify")["points"]) != 99


def test_every_released_test_cell_has_its_specs_points():
    """exercises/ is made by nbgrader through SetPoints, so each test cell's points are its item's points."""
    from alongside.grading import item_spec
    from nbgrader_tools import ROOT

    found = 0
    for source in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        items = {c.metadata["nbgrader"]["grade_id"]: marked_item(c.source)
                 for c in nbformat.read(source, as_version=4).cells if c.metadata.get("nbgrader", {}).get("grade")}
        released = nbformat.read(ROOT / "exercises" / source.parent.name / source.name, as_version=4)
        for cell in released.cells:
            item = items.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
            if item:
                found += 1
                assert cell.metadata["nbgrader"]["points"] == float(item_spec(*item)["points"]), (source.name, item)
    assert found >= 20


def test_marked_item_reads_the_mark_call_and_nothing_else():
    assert marked_item('from alongside.grading import mark\n\nmark("02-words", "classify")') == ("02-words", "classify")
    assert marked_item("mark('03-listening', 'summary', extra=1)") == ("03-listening", "summary")
    assert marked_item("print('hello')") is None


@pytest.mark.slow
def test_the_report_reads_saved_marks_and_never_marks_again(cohort, tmp_path, monkeypatch):
    root = tmp_path / "cohort"
    shutil.copytree(cohort, root)
    grade(root, progress=False, reports=False)
    from alongside import grading
    from alongside.cohort.report import cohort_tables

    def refuse(*args, **kwargs):
        raise AssertionError("the report marked an answer again")

    monkeypatch.setattr(grading, "evaluate", refuse)
    tables = cohort_tables(root)
    assert not tables.criteria.empty
    saved = json.loads(next((root / ".alongside" / "marks").rglob("*.json")).read_text(encoding="utf-8"))
    assert {"items", "concerns"} <= set(saved)


@pytest.mark.slow
def test_a_new_release_regrades_that_exercise(cohort, tmp_path):
    root = tmp_path / "cohort"
    shutil.copytree(cohort, root)
    first = grade(root, progress=False, reports=False)
    source = root / "solutions" / EXERCISE / f"{EXERCISE}.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells[0].source += "\n\nThis exercise was updated."
    nbformat.write(nb, source)
    result = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", EXERCISE, "--force"], cwd=root,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    again = grade(root, progress=False, reports=False)
    assert sorted(again.graded) == sorted(first.graded) and again.unchanged == 0
