"""A cohort whose gradebook is on a real PostgreSQL server, as several trainer pods share it.

The server is started by the test run itself (the ``postgres`` fixture, tests/postgres.py). A demo
cohort graded with ``--db postgresql://...`` must give exactly what the SQLite run gives (scores,
feedback, reports), and report, collect and export read it. Two and four ``alongside cohort grade``
processes on the same cohort and gradebook grade each submission once, with no deadlock and no lost
row, and a run killed half-way (SIGKILL) leaves nothing the next run does not finish.
"""

from __future__ import annotations

import csv
import filecmp
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from alongside.answer_text import cell_item, first_line
from alongside.cohort.course import GRADEBOOK_URL, gradebook_url
from alongside.cohort.demo import make_demo
from alongside.cohort.ledger import read_ledger

pytestmark = pytest.mark.slow

ALONGSIDE = [str(Path(sys.executable).parent / "alongside"), "cohort"]
EXERCISES = ["02-words", "10-together"]  # 10-together has the signed "read and understood" item
TRAINEES = 5
NEWCOMER = "newcomer-1"  # has submissions but is not in the gradebook: nbgrader adds them while grading


def _cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([*ALONGSIDE, *args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _demo(root: Path, db: str | None = None) -> Path:
    """A small demo cohort, its gradebook at db, with one trainee the gradebook does not know yet."""
    with pytest.MonkeyPatch.context() as patch:
        if db:
            patch.setenv(GRADEBOOK_URL, db)
        make_demo(root, TRAINEES, seed=3, exercises=EXERCISES)
    first = sorted((root / "submitted").iterdir())[0]
    shutil.copytree(first, root / "submitted" / NEWCOMER)
    return root


def _submissions(root: Path) -> set[str]:
    return {f"{t.name}/{e.name}" for t in (root / "submitted").iterdir() for e in t.iterdir()}


def _marks(url: str) -> dict:
    """Every graded submission's score, and each of its grades and comments, from a gradebook."""
    found = {}
    with Gradebook(url, "alongside") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                grades = sorted((g.notebook.name, g.name, g.auto_score, g.manual_score, g.max_score)
                                for nb in sub.notebooks for g in nb.grades)
                comments = sorted((c.notebook.name, c.name, c.auto_comment) for nb in sub.notebooks for c in nb.comments)
                found[f"{sub.student_id}/{assignment.name}"] = (sub.score, grades, comments)
    return found


def _rows(url: str) -> list[tuple]:
    """How many submission rows the gradebook has for each (trainee, exercise) that has more than one."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    with engine.connect() as con:
        rows = con.execute(sqlalchemy.text(
            "SELECT s.student_id, a.name, COUNT(*) FROM submitted_assignment s JOIN assignment a "
            "ON a.id = s.assignment_id GROUP BY s.student_id, a.name HAVING COUNT(*) > 1")).fetchall()
    engine.dispose()
    return rows


def _same_files(a: Path, b: Path) -> list[str]:
    """Files that differ between two folders, or are in only one (paths relative to the folders)."""
    names = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} | {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    return sorted(str(n) for n in names if not ((a / n).is_file() and (b / n).is_file()
                                                 and filecmp.cmp(a / n, b / n, shallow=False)))


@pytest.fixture(scope="module")
def sqlite_graded(tmp_path_factory):
    """The demo graded with its own SQLite gradebook: what every PostgreSQL run must match."""
    root = _demo(tmp_path_factory.mktemp("sqlite") / "cohort")
    _cli("grade", str(root), "--quiet")
    return root


@pytest.fixture
def pg_demo(postgres, tmp_path):
    """The same demo, its gradebook in a new PostgreSQL database; (folder, URL)."""
    url = postgres.database()
    return _demo(tmp_path / "cohort", db=url), url


def test_a_plain_postgresql_url_means_psycopg_3():
    assert gradebook_url("postgresql://grader@db/alongside") == "postgresql+psycopg://grader@db/alongside"
    assert gradebook_url("postgres://grader@db/alongside") == "postgresql+psycopg://grader@db/alongside"
    assert gradebook_url("postgresql+psycopg2://db/x") == "postgresql+psycopg2://db/x"
    assert gradebook_url("sqlite:////srv/gradebook.db") == "sqlite:////srv/gradebook.db"


def test_postgresql_gives_exactly_the_scores_feedback_and_reports_of_sqlite(sqlite_graded, pg_demo):
    root, url = pg_demo
    plain = url.replace("postgresql+psycopg://", "postgresql://")  # as a trainer types it
    result = _cli("grade", str(root), "--quiet", "--db", plain)
    assert "Graded 11 new submission(s)" in result.stdout
    assert not (root / "gradebook.db").exists()
    reference = _marks(f"sqlite:///{sqlite_graded / 'gradebook.db'}")
    assert set(reference) == _submissions(root)  # the newcomer's too; an unreadable one has its row, no marks
    assert _marks(url) == reference
    assert _rows(url) == []
    assert _same_files(sqlite_graded / "feedback", root / "feedback") == []
    assert _same_files(sqlite_graded / ".alongside" / "marks", root / ".alongside" / "marks") == []
    for name in ("grades.csv", "criteria.csv", "follow-up.csv"):
        assert (root / "reports" / name).read_bytes() == (sqlite_graded / "reports" / name).read_bytes(), name

    # `report` rewrites the same reports from the PostgreSQL gradebook alone
    for name in ("grades.csv", "criteria.csv", "follow-up.csv"):
        (root / "reports" / name).unlink()
    _cli("report", str(root), "--db", plain)
    for name in ("grades.csv", "criteria.csv", "follow-up.csv"):
        assert (root / "reports" / name).read_bytes() == (sqlite_graded / "reports" / name).read_bytes(), name


def _notebook(release: Path, reply: str) -> bytes:
    nb = nbformat.read(release / "02-words" / "02-words.ipynb", as_version=4)
    cell = next(c for c in nb.cells if cell_item(c.source) == ("02-words", "listening"))
    cell.source = f"{first_line('02-words', 'listening')}\n{reply}"
    return nbformat.writes(nb).encode()


def test_collect_and_export_use_the_postgresql_gradebook(postgres, tmp_path):
    url, root = postgres.database(), tmp_path / "cohort"
    _cli("demo", "--trainees", "1", "--out", str(root), "--db", url)
    assert not (root / "gradebook.db").exists()
    shutil.rmtree(root / "submitted")
    archive_path, roster = tmp_path / "submissions.zip", tmp_path / "roster.csv"
    roster.write_text("trainee,name,email,participant\nana,Ana Lopez,ana@example.org,1001\n"
                      "ben,Ben Ode,ben@example.org,1002\n", encoding="utf-8")
    good = ("It sounds like you've been raising this for months and nobody has listened. What have you noticed "
            "at home? Let's meet next week to plan together.")
    with zipfile.ZipFile(archive_path, "w") as archive:
        for folder, reply in (("Ana Lopez_1001_assignsubmission_file_", good), ("Ben Ode_1002_assignsubmission_file_", "ok")):
            archive.writestr(zipfile.ZipInfo(f"{folder}/02-words.ipynb", (2026, 11, 20, 9, 30, 0)),
                             _notebook(root / "exercises", reply))
    collected = _cli("collect", str(archive_path), "--course", str(root), "--roster", str(roster), "--db", url)
    assert "02-words" in collected.stdout
    _cli("grade", str(root), "--quiet", "--db", url)
    worksheet, out = tmp_path / "worksheet.csv", tmp_path / "upload.csv"
    worksheet.write_text("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Feedback comments\n"
                         "Participant 1001,Ana Lopez,ana@example.org,Submitted,,100.00,\n"
                         "Participant 1002,Ben Ode,ben@example.org,Submitted,,100.00,\n", encoding="utf-8")
    _cli("export", str(root), "--moodle", str(worksheet), "--out", str(out), "--exercise", "02-words",
         "--roster", str(roster), "--db", url)
    with out.open(newline="", encoding="utf-8") as handle:
        back = {row["Full name"]: row for row in csv.DictReader(handle)}
    with Gradebook(url, "alongside") as gb:
        for name, trainee in (("Ana Lopez", "ana"), ("Ben Ode", "ben")):
            sub = gb.find_submission("02-words", trainee)
            assert float(back[name]["Grade"]) == pytest.approx(sub.score / sub.max_score * 100, abs=0.01)
        assert gb.find_submission("02-words", "ana").score > gb.find_submission("02-words", "ben").score


def _summary_counts(stdout: str) -> tuple[int, int]:
    """(graded here, left to another run) from a grade run's summary."""
    done = int(re.search(r"Graded (\d+) new submission", stdout).group(1))
    busy = re.search(r"(\d+) submission\(s\) were being graded by another run", stdout)
    return done, int(busy.group(1)) if busy else 0


@pytest.mark.parametrize("runs", [2, 4])
def test_runs_at_once_grade_each_submission_once(sqlite_graded, pg_demo, runs):
    root, url = pg_demo
    started = [subprocess.Popen([*ALONGSIDE, "grade", str(root), "--quiet", "--workers", "1", "--db", url],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(runs)]
    outputs = [run.communicate(timeout=600) for run in started]
    assert [run.returncode for run in started] == [0] * runs, [err[-2000:] for _out, err in outputs]
    done = [_summary_counts(out)[0] for out, _err in outputs]
    assert sum(done) == len(_submissions(root)), done  # each graded by exactly one run
    assert set(read_ledger(_state(root))) == _submissions(root)
    assert _rows(url) == []
    assert _marks(url) == _marks(f"sqlite:///{sqlite_graded / 'gradebook.db'}")  # no row lost, none half-written
    assert "Traceback" not in (root / ".alongside" / "grading.log").read_text(encoding="utf-8", errors="replace")


def _state(root: Path):
    return type("C", (), {"state": root / ".alongside"})()


def _children(pid: int) -> set[int]:
    """The processes whose parent is pid (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_run_killed_half_way_is_finished_by_the_next(sqlite_graded, pg_demo):
    root, url = pg_demo
    total = _submissions(root)
    run = subprocess.Popen([*ALONGSIDE, "grade", str(root), "--quiet", "--workers", "2", "--db", url],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and run.poll() is None:
        if (root / "autograded").is_dir() and sum(1 for t in (root / "autograded").iterdir() for _ in t.iterdir()) >= 2:
            break
        time.sleep(0.05)
    workers = _children(run.pid)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    assert workers, "the run was killed before it started its workers"
    recorded = set(read_ledger(_state(root)))
    assert recorded < total, "the run finished before it could be killed half-way"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "a worker went on grading after its run was killed"

    again = _cli("grade", str(root), "--quiet", "--db", url)
    done, busy = _summary_counts(again.stdout)
    assert busy == 0  # the killed run's claims block nothing
    assert done == len(total - recorded)
    assert set(read_ledger(_state(root))) == total
    assert _rows(url) == []
    assert _marks(url) == _marks(f"sqlite:///{sqlite_graded / 'gradebook.db'}")


def test_moderation_reads_and_writes_the_postgresql_gradebook(pg_demo):
    root, url = pg_demo
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    _cli("grade", str(root), "--quiet", "--db", plain)
    before = _marks(url)
    _cli("moderate", str(root), "--sample", "2", "--db", plain)
    sheet = next((root / "moderation").glob("sheet-*.csv"))
    with sheet.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows, "the sample is empty"
    # the trainer agrees with every mark but one, which they turn round
    flipped = rows[0]
    for row in rows:
        row["trainer"] = "agree"
    flipped["trainer"] = "not met" if flipped["automatic"] == "met" else "met"
    with sheet.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = _cli("moderate", str(root), "--read", str(sheet), "--db", plain)
    assert f"{flipped['rubric']} {flipped['criterion']}" in result.stdout
    after = _marks(url)
    changed = [k for k in before if after[k] != before[k]]
    assert changed  # the trainer's mark is in the PostgreSQL gradebook, for each trainee whose answer read so
    assert all(any(manual is not None for _, _, _, manual, _ in after[key][1]) for key in changed)
    assert not (root / "gradebook.db").exists()
