"""How long grading a cohort takes: `alongside cohort grade` beside stock `nbgrader autograde`, on one cohort.

Makes a demo cohort (300 trainees by default, 10 exercises) and grades copies of it three ways:

1. `alongside cohort grade`: the trusted pipeline (marks read from answer text, nothing run), in
   parallel, with feedback and the cohort report;
2. stock `nbgrader autograde <exercise>` in the same folder: nbgrader's own command, one notebook at
   a time, no feedback, with the course's nbgrader_config.py (the same trusted pipeline);
3. stock `nbgrader autograde` the old way, running every notebook in a kernel (nbgrader's
   ExecutePreprocessor; the hidden tests call `mark`), on the first --kernel-trainees trainees of
   the same cohort only: it takes a second or more per notebook, so the whole cohort's time is
   projected from the sample and printed as such.

It prints the seconds for each, per submission, and compares the scores of honest submissions
(those the demo made without a mishap) between 1 and 3: they must be the same. Stock nbgrader
0.9.6 stops a whole exercise's batch on a submission with a duplicated cell (alongside/trusted.py,
DropDuplicateIds), so those few are left out of the stock runs.

    PATH=.venv/bin:$PATH .venv/bin/python benchmarks/cohort_grade.py [--trainees 300] [--kernel-trainees 10]

With ``--db URL`` (a PostgreSQL server, e.g. postgresql://grader@db.example.org/alongside, whose
role may create databases) it measures the gradebook instead: the same cohort graded with its
SQLite gradebook and with a fresh PostgreSQL database on that server, each by one, two and four
`alongside cohort grade` processes started at once on the same folder and gradebook, as trainer
pods would run them (``--workers`` each, 1 by default: a pod with one CPU). It prints the time per
submission and how many submissions and trainees that is per minute, and checks that each
submission was graded by exactly one process. ``--exercises N`` keeps the first N exercises only.

    PATH=.venv/bin:$PATH .venv/bin/python benchmarks/cohort_grade.py --trainees 1000 --db postgresql://...
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
HONEST = {"", "late", "harmful", "personal", "markup"}  # mishaps that leave the answers as written


def _scores(root: Path) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "alongside") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                if (root / "autograded" / sub.student_id / assignment.name).is_dir():
                    scores[(sub.student_id, assignment.name)] = float(sub.score)
    return scores


def _stock(root: Path, exercises: list[str], skip: dict[str, list[str]]) -> float:
    """Seconds for stock `nbgrader autograde` on every exercise in a folder (a failing submission does not stop it)."""
    start = time.perf_counter()
    with (root / "stock-nbgrader.log").open("w") as log:
        for ex in exercises:
            extra = [f"--CourseDirectory.student_id_exclude={','.join(skip[ex])}"] if skip[ex] else []
            subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ex, *extra], cwd=root, stdout=log,
                           stderr=subprocess.STDOUT, env={**os.environ, "ALONGSIDE_KEYS": str(root / "answer-keys.yaml")})
    return time.perf_counter() - start


def _kernel_config(root: Path) -> None:
    """Make a folder's nbgrader_config.py the old, untrusted kind: stock steps, notebooks run in a kernel."""
    path = root / "nbgrader_config.py"
    text = re.sub(r"(?m)^.*\bconfigure\b.*$", "", path.read_text(encoding="utf-8"))
    path.write_text(text + "\nc.ExecutePreprocessor.timeout = 60\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--kernel-trainees", type=int, default=10,
                        help="trainees graded the old way, with a kernel per notebook (0 to skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the cohort folders")
    parser.add_argument("--db", metavar="URL", help="a PostgreSQL server: compare the gradebooks and 1, 2, 4 "
                        "grading processes instead of stock nbgrader")
    parser.add_argument("--exercises", type=int, default=None, metavar="N", help="only the first N exercises")
    args = parser.parse_args()
    if args.db:
        return gradebooks(args)

    from alongside.cohort.demo import make_demo
    from alongside.cohort.grade import default_workers, submissions

    work = Path(tempfile.mkdtemp(prefix="alongside-bench-"))
    ours, stock, kernels = work / "alongside", work / "stock", work / "kernels"
    cohort = make_demo(ours, args.trainees, seed=args.seed, exercises=_exercises(args))
    shutil.copytree(ours, stock)
    shutil.copytree(ours, kernels)
    count = len(submissions(cohort))
    with (ours / "demo-manifest.csv").open(encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    exercises = sorted({row["exercise"] for row in manifest})
    trainees = sorted({row["trainee"] for row in manifest})
    duplicated = {ex: [r["trainee"] for r in manifest if r["exercise"] == ex and r["mishap"] == "cell_duplicated"]
                  for ex in exercises}
    stock_count = count - sum(len(v) for v in duplicated.values())

    command = [str(BIN / "alongside"), "cohort", "grade", str(ours), "--quiet"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours_seconds = time.perf_counter() - start
    stock_seconds = _stock(stock, exercises, duplicated)

    print(f"cohort: {len(trainees)} trainees, {len(exercises)} exercises, {count} submissions; "
          f"{os.cpu_count()} cores; workers: {args.workers or default_workers()}")
    print(f"alongside cohort grade (trusted, parallel, + feedback + reports): {ours_seconds:7.1f} s, "
          f"{ours_seconds / count:.3f} s per submission")
    print(f"stock nbgrader autograde, the course's config (trusted, no feedback): {stock_seconds:7.1f} s, "
          f"{stock_seconds / stock_count:.3f} s per submission ({stock_count} submissions)")
    a = _scores(ours)
    differ = [k for k, v in _scores(stock).items() if k in a and abs(a[k] - v) > 1e-9]
    print(f"  scores the same as alongside cohort grade: {len(a) - len(differ)} of {len(a)}")

    status = 1 if differ else 0
    if args.kernel_trainees:
        sample = trainees[:args.kernel_trainees]
        for folder in (kernels / "submitted").iterdir():
            if folder.name not in sample:
                shutil.rmtree(folder)
        _kernel_config(kernels)
        kernel_seconds = _stock(kernels, exercises, duplicated)
        honest = {(r["trainee"], r["exercise"]) for r in manifest if r["mishap"] in HONEST and r["trainee"] in sample}
        b = _scores(kernels)
        kernel_count = len(b)
        per = kernel_seconds / max(kernel_count, 1)
        print(f"stock nbgrader autograde, a kernel per notebook (untrusted), {len(sample)} trainees: "
              f"{kernel_seconds:7.1f} s, {per:.3f} s per submission ({kernel_count} submissions); "
              f"for the whole cohort about {per * stock_count / 60:.0f} minutes")
        same = [k for k in honest if k in a and k in b and abs(a[k] - b[k]) < 1e-9]
        print(f"  honest submissions scored the same as alongside cohort grade: {len(same)} of {len(honest)}")
        for k in sorted(honest - set(same))[:10]:
            print(f"    differs: {k}: alongside {a.get(k)}, kernel {b.get(k)}")
        status = status or (1 if len(same) != len(honest) else 0)
    if args.keep:
        print(f"cohorts kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return status


def _exercises(args) -> list[str] | None:
    from alongside.cohort.demo import course_exercises, course_root

    return course_exercises(course_root())[:args.exercises] if args.exercises else None


class _Server:
    """Databases made and dropped on the PostgreSQL server a URL names (its role needs CREATEDB)."""

    def __init__(self, url: str):
        from sqlalchemy.engine import make_url

        from alongside.cohort.course import gradebook_url

        self.url = make_url(gradebook_url(url))
        self.made: list[str] = []

    def _admin(self):
        import psycopg

        plain = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(plain, autocommit=True)

    def create(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of template, if given); its URL."""
        with self._admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.made.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        """Drop every database this benchmark made."""
        with self._admin() as con:
            for name in reversed(self.made):
                con.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _at_once(folder: Path, processes: int, workers: int, url: str | None) -> tuple[float, list[int]]:
    """Seconds for `processes` grade runs started together on one cohort, and how many each graded."""
    command = [str(BIN / "alongside"), "cohort", "grade", str(folder), "--quiet", "--workers", str(workers)]
    command += ["--db", url] if url else []
    start = time.perf_counter()
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(processes)]
    outputs = [run.communicate() for run in runs]
    seconds = time.perf_counter() - start
    for run, (_out, err) in zip(runs, outputs):
        if run.returncode != 0:
            raise SystemExit(f"a grade run failed: {err.strip()[-1000:]}")
    return seconds, [int(re.search(r"Graded (\d+) new", out).group(1)) for out, _err in outputs]


def gradebooks(args) -> int:
    """SQLite against PostgreSQL, one, two and four grading processes at once: seconds per submission."""
    from alongside.cohort.course import GRADEBOOK_URL
    from alongside.cohort.demo import make_demo
    from alongside.cohort.grade import submissions

    work = Path(tempfile.mkdtemp(prefix="alongside-bench-"))
    server = _Server(args.db)
    status = 0
    try:
        sqlite = make_demo(work / "sqlite", args.trainees, seed=args.seed, exercises=_exercises(args)).root
        template = server.create("alongside_bench_template")
        os.environ[GRADEBOOK_URL] = template
        postgres = make_demo(work / "postgresql", args.trainees, seed=args.seed, exercises=_exercises(args)).root
        del os.environ[GRADEBOOK_URL]
        count = len(submissions(type("C", (), {"submitted": sqlite / "submitted"})()))
        exercises = len([p for p in (sqlite / "exercises").iterdir() if p.is_dir()])
        workers = args.workers or 1
        print(f"cohort: {args.trainees} trainees, {exercises} exercises, {count} submissions; {os.cpu_count()} cores; "
              f"{workers} worker(s) per grading process")
        for label, demo in (("SQLite", sqlite), ("PostgreSQL", postgres)):
            for processes in (1, 2, 4):
                folder = work / f"{label}-{processes}"
                shutil.copytree(demo, folder)
                url = server.create(f"alongside_bench_{processes}", "alongside_bench_template") if demo is postgres else None
                seconds, graded = _at_once(folder, processes, workers, url)
                per = seconds / count
                print(f"{label:10} {processes} process(es): {seconds:7.1f} s, {per:.3f} s per submission, "
                      f"{60 / per:6.0f} submissions and {60 / per / exercises:5.0f} trainees per minute; "
                      f"graded by each: {graded}")
                if sum(graded) != count:
                    print(f"  graded {sum(graded)} times for {count} submissions")
                    status = 1
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        server.drop_all()
        if args.keep:
            print(f"cohorts kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
