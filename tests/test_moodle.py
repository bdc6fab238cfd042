"""A Moodle zip of submissions in through nbgrader's zip_collect, and grades back to Moodle's worksheet."""

from __future__ import annotations

import csv
import shutil
import zipfile

import nbformat
import pytest

from alongside.answer_text import cell_item, first_line
from alongside.cohort import moodle
from alongside.cohort.course import CohortError, gradebook, open_cohort
from alongside.cohort.demo import make_demo

pytestmark = pytest.mark.slow

WHEN = (2026, 11, 20, 9, 30, 0)
LATER = (2026, 11, 21, 18, 0, 0)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("moodle") / "cohort"
    made = make_demo(root, 1, seed=3)
    for trainee in made.submitted.iterdir():  # only the zip's trainees, so grading stays quick
        shutil.rmtree(trainee)
    return made


def _notebook(cohort, reply: str) -> bytes:
    """The released exercise 02 with the listening reply typed into its answer cell."""
    nb = nbformat.read(cohort.release / "02-words" / "02-words.ipynb", as_version=4)
    cell = next(c for c in nb.cells if cell_item(c.source) == ("02-words", "listening"))
    cell.source = f"{first_line('02-words', 'listening')}\n{reply}"
    return nbformat.writes(nb).encode()


GOOD = ("It sounds like you've been raising this for months and nobody has listened. What have you noticed at home? "
        "Let's meet next week to plan together.")


@pytest.fixture(scope="module")
def moodle_zip(cohort, tmp_path_factory):
    folder = tmp_path_factory.mktemp("zip")
    path = folder / "submissions.zip"
    with zipfile.ZipFile(path, "w") as archive:
        def add(name, data, when=WHEN):
            archive.writestr(zipfile.ZipInfo(name, when), data)

        add("Ana Lopez_1001_assignsubmission_file_/02-words.ipynb", _notebook(cohort, GOOD))
        add("Ben Ode_1002_assignsubmission_file_/02-words.ipynb", _notebook(cohort, "Don't worry."))
        add("Ben Ode_1002_assignsubmission_file_/copy/02-words.ipynb", _notebook(cohort, GOOD), LATER)
        add("Ana Lopez_1001_assignsubmission_file_/my notes.docx", b"PK\x03\x04 not a notebook")
        add("Cy Dee_1003_assignsubmission_file_/02-words.ipynb", b"{this is not json")
        add("Zed Stranger_1099_assignsubmission_file_/02-words.ipynb", _notebook(cohort, GOOD))
        add("Ana Lopez_1001_assignsubmission_onlinetext_/onlinetext.html", b"<p>see file</p>")
        add("index.txt", b"downloaded from Moodle")
    roster = folder / "roster.csv"
    roster.write_text(
        "trainee,name,email,participant\nana,Ana Lopez,ana@example.org,1001\nben,Ben Ode,ben@example.org,\n"
        "cy,Cy Dee,cy@example.org,1003\n",
        encoding="utf-8",
    )
    return path, roster


def test_every_file_in_the_zip_is_accounted_for(cohort, moodle_zip):
    path, roster = moodle_zip
    before = path.read_bytes()
    result = moodle.collect(path, cohort.root, roster)
    outcomes = {row.file: row.outcome for row in result.outcomes}
    with zipfile.ZipFile(path) as archive:
        assert set(outcomes) == {i.filename for i in archive.infolist()}
    assert outcomes["Ana Lopez_1001_assignsubmission_file_/02-words.ipynb"] == moodle.IMPORTED
    assert outcomes["Ben Ode_1002_assignsubmission_file_/02-words.ipynb"] == moodle.OLDER
    assert outcomes["Ben Ode_1002_assignsubmission_file_/copy/02-words.ipynb"] == moodle.IMPORTED
    assert outcomes["Ana Lopez_1001_assignsubmission_file_/my notes.docx"] == moodle.NOT_NOTEBOOK
    assert outcomes["Cy Dee_1003_assignsubmission_file_/02-words.ipynb"] == moodle.NOT_JSON
    assert outcomes["Zed Stranger_1099_assignsubmission_file_/02-words.ipynb"] == moodle.NOT_IN_ROSTER
    assert outcomes["index.txt"] == moodle.NOT_MOODLE
    assert path.read_bytes() == before, "the trainer's zip is never changed"
    ben = (cohort.submission("ben", "02-words") / "02-words.ipynb").read_text(encoding="utf-8")
    assert "nobody has listened" in ben, "the newer of two copies is kept"
    assert (cohort.submission("ana", "02-words") / "timestamp.txt").read_text().startswith("2026-11-20 09:30:00")
    assert "Zed Stranger" in result.summary() and "name not in the roster" in result.summary()


def test_running_it_again_imports_nothing_new(cohort, moodle_zip):
    path, roster = moodle_zip
    moodle.collect(path, cohort.root, roster)
    again = moodle.collect(path, cohort.root, roster)
    assert moodle.IMPORTED not in again.counts()
    assert again.counts()[moodle.ALREADY] == 2


def test_bad_inputs_are_clear_errors(cohort, moodle_zip, tmp_path):
    path, roster = moodle_zip
    not_zip = tmp_path / "x.zip"
    not_zip.write_text("hello")
    with pytest.raises(CohortError, match="not a zip"):
        moodle.collect(not_zip, cohort.root, roster)
    bad_roster = tmp_path / "roster.csv"
    bad_roster.write_text("name,email\nAna,a@b.c\n")
    with pytest.raises(CohortError, match="'trainee' column"):
        moodle.collect(path, cohort.root, bad_roster)
    with pytest.raises(CohortError, match="no released exercise"):
        moodle.collect(path, cohort.root, roster, exercise="99-none")


def test_export_fills_grade_and_feedback_and_keeps_everything_else(cohort, moodle_zip, tmp_path):
    from alongside.cohort.grade import grade

    path, roster = moodle_zip
    moodle.collect(path, cohort.root, roster)
    grade(cohort.root, progress=False, reports=False)
    worksheet = tmp_path / "worksheet.csv"
    header = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
              "Grade can be changed", "Last modified (submission)", "Feedback comments"]
    rows = [
        ["Participant 1001", "Ana Lopez", "ana@example.org", "Submitted", "", "100.00", "Yes", "Friday", ""],
        ["Participant 1002", "Ben Ode", "BEN@example.org", "Submitted", "", "100.00", "Yes", "Saturday", ""],
        ["Participant 1005", "Dee Nobody", "dee@example.org", "No submission", "", "100.00", "Yes", "-", ""],
    ]
    with worksheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    out = tmp_path / "upload.csv"
    result = moodle.export(cohort.root, worksheet, out, exercise="02-words", roster_path=roster)
    assert result.filled == 2 and result.unmatched == ["Participant 1005"]
    with out.open(newline="", encoding="utf-8") as handle:
        back = list(csv.reader(handle))
    assert back[0] == header and back[3] == rows[2][:7] + ["'-", ""], "unmatched rows stay as they were, formula-safe"
    with gradebook(open_cohort(cohort.root)) as gb:
        for row, trainee in ((back[1], "ana"), (back[2], "ben")):
            submission = gb.find_submission("02-words", trainee)
            assert float(row[4]) == pytest.approx(submission.score / submission.max_score * 100, abs=0.01)
            assert f"{submission.score:g} of {submission.max_score:g}" in row[8]
            assert row[:4] == [r for r in rows if r[1].lower().startswith(trainee[:2])][0][:4]
    assert len(back[1][8]) <= moodle.FEEDBACK_LIMIT


def test_feedback_comment_is_plain_escaped_and_short():
    text = moodle.feedback_comment(3, 15, ["<script>alert(1)</script>"] * 200)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert len(text) <= moodle.FEEDBACK_LIMIT


def test_roster_matches_by_participant_email_then_name(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("trainee,name,email,participant\nt1,Ana  Lopez,Ana@Example.org,1001\nt2,Ben Ode,,\n")
    roster = moodle.load_roster(path)
    assert roster.match(participant="Participant 1001") == "t1"
    assert roster.match(email="ana@example.ORG") == "t1"
    assert roster.match(name="ben  ode") == "t2"
    assert roster.match(name="Nobody") is None


def test_command_line_collect_prints_the_summary(cohort, moodle_zip):
    import subprocess
    import sys

    path, roster = moodle_zip
    done = subprocess.run(
        [sys.executable, "-m", "alongside", "cohort", "collect", str(path), "--course", str(cohort.root),
         "--roster", str(roster)], capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Exercise 02-words: 8 files in the zip." in done.stdout and "not valid JSON" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "alongside", "cohort", "collect", str(roster), "--course",
                          str(cohort.root), "--roster", str(roster)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "is not a zip file" in bad.stderr and "Traceback" not in bad.stderr
