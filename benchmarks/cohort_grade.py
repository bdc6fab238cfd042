"""How much faster `alongside cohort grade` is than plain `nbgrader autograde`, on the same cohort.

Makes a demo cohort (100 trainees by default), copies it, then grades one copy with
`alongside cohort grade` (autograde in parallel + feedback + reports) and the other with stock
`nbgrader autograde <exercise>` for each exercise (one notebook at a time, no feedback). Prints
seconds per submission for each, their ratio, and checks both gave the same scores.

Stock nbgrader 0.9.6 stops a whole exercise's batch on a submission with a duplicated cell (see
alongside/cohort/grade.py, DropDuplicateIds), so those few are left out of its run
(--CourseDirectory.student_id_exclude) and out of the comparison of scores.

    PATH=.venv/bin:$PATH .venv/bin/python benchmarks/cohort_grade.py [--trainees 100] [--workers N]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def _scores(root: Path) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "alongside") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                if (root / "autograded" / sub.student_id / assignment.name).is_dir():
                    scores[(sub.student_id, assignment.name)] = float(sub.score)
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the two cohort folders")
    args = parser.parse_args()

    from alongside.cohort.demo import make_demo
    from alongside.cohort.grade import default_workers, submissions

    work = Path(tempfile.mkdtemp(prefix="alongside-bench-"))
    ours, plain = work / "alongside", work / "plain"
    cohort = make_demo(ours, args.trainees, seed=args.seed)
    shutil.copytree(ours, plain)
    count = len(submissions(cohort))
    with (ours / "demo-manifest.csv").open(encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    exercises = sorted({row["exercise"] for row in manifest})
    duplicated = {ex: [r["trainee"] for r in manifest if r["exercise"] == ex and r["mishap"] == "cell_duplicated"]
                  for ex in exercises}

    command = [str(BIN / "alongside"), "cohort", "grade", str(ours), "--quiet"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours_seconds = time.perf_counter() - start

    plain_count = count - sum(len(v) for v in duplicated.values())
    start = time.perf_counter()
    with (work / "plain-nbgrader.log").open("w") as log:
        for ex in exercises:
            extra = [f"--CourseDirectory.student_id_exclude={','.join(duplicated[ex])}"] if duplicated[ex] else []
            # exit status is non-zero when a submission fails (e.g. a damaged notebook); the batch goes on
            subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ex, *extra], cwd=plain, stdout=log,
                           stderr=subprocess.STDOUT)
    plain_seconds = time.perf_counter() - start

    a, b = _scores(ours), _scores(plain)
    both = sorted(set(a) & set(b))
    differ = [(k, a[k], b[k]) for k in both if abs(a[k] - b[k]) > 1e-9]
    per_ours, per_plain = ours_seconds / count, plain_seconds / plain_count
    print(f"cohort: {args.trainees} trainees, {len(exercises)} exercises, {count} submissions; "
          f"{os.cpu_count()} cores; workers: {args.workers or default_workers()}")
    print(f"alongside cohort grade (autograde + feedback + reports): {ours_seconds:.1f} s, "
          f"{per_ours:.3f} s per submission ({count} submissions)")
    print(f"plain nbgrader autograde (no feedback):                  {plain_seconds:.1f} s, "
          f"{per_plain:.3f} s per submission ({plain_count} submissions)")
    print(f"speed-up: {per_plain / per_ours:.2f} times")
    print(f"same scores: {len(both) - len(differ)} of {len(both)} submissions graded by both "
          f"({len(a)} graded by alongside, {len(b)} by plain nbgrader)")
    for key, x, y in differ[:10]:
        print(f"  differs: {key}: alongside {x}, nbgrader {y}")
    if args.keep:
        print(f"cohorts kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
