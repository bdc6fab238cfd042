"""``alongside cohort grade DIR``: autograde every new submission with nbgrader, in parallel.

Stock ``nbgrader autograde`` grades one notebook at a time. Here a pool of worker processes (one
per core plus one, by default) each runs nbgrader's own API, ``NbGraderAPI.autograde`` and then
``NbGraderAPI.generate_feedback``, for one (trainee, exercise) at a time. The kernel runs, the
slow part, overlap; every gradebook session takes the cohort's gradebook lock
(:func:`alongside.cohort.course.serialise_gradebook`), so the sqlite gradebook has one writer.

What is new: a ledger (``DIR/.alongside/ledger.json``) keeps a fingerprint of each submission's
files and how its grading went. A submission is graded when it has no entry, its files changed,
or its autograded copy is gone; a broken one is recorded with its reason and not retried until it
changes (a kernel that would not start is retried). Before grading a submission a run claims it
(a non-blocking file lock in ``DIR/.alongside/claims``): a second run started at the same time
skips what the first holds and re-checks the ledger after claiming, so nothing is graded twice
and nothing is lost.

One nbgrader 0.9.6 bug is worked around through its own configuration: when a trainee copies a
graded or answer cell, nbgrader's DeduplicateIds leaves the copy with empty nbgrader metadata,
which its metadata check then rejects as "schema version 0" and stock ``nbgrader autograde``
stops the whole batch. :class:`DropDuplicateIds` removes the copy's metadata instead, so the
first cell with each id is graded, as nbgrader intends.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import multiprocessing
import os
import re
import sys
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.preprocessors import DeduplicateIds

from alongside.cohort.course import (Cohort, CohortError, exercise_ids, gradebook_lock, nbgrader_config, open_cohort,
                                     serialise_gradebook, use_answer_key, use_environment_tools)
from alongside.store import read_json, write_json


@dataclass
class GradeRun:
    """What one grading run did."""

    graded: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    unchanged: int = 0
    busy: list[tuple[str, str]] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for the trainer."""
        lines = [f"Graded {len(self.graded) + len(self.failed)} new submission(s): {len(self.graded)} graded, "
                 f"{len(self.failed)} could not be graded; {self.unchanged} already graded and unchanged."]
        if self.busy:
            lines.append(f"{len(self.busy)} submission(s) were being graded by another run and were left to it.")
        for trainee, exercise, reason in self.failed:
            lines.append(f"  {trainee} / {exercise}: {reason}")
        if self.reports:
            lines.append("Reports: " + ", ".join(str(p) for p in self.reports))
        return "\n".join(lines)


def submissions(cohort: Cohort) -> list[tuple[str, str]]:
    """Every (trainee, exercise) with a folder in submitted/."""
    if not cohort.submitted.is_dir():
        return []
    return sorted((t.name, e.name) for t in cohort.submitted.iterdir() if t.is_dir() and not t.name.startswith(".")
                  for e in t.iterdir() if e.is_dir() and not e.name.startswith("."))


def fingerprint(folder: Path) -> str:
    """A hash of every file in a submission folder (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def ledger_path(cohort: Cohort) -> Path:
    """The grading ledger: what was graded, from which files, and how it went."""
    return cohort.state / "ledger.json"


def read_ledger(cohort: Cohort) -> dict:
    """The ledger as a dict keyed "trainee/exercise"."""
    return read_json(ledger_path(cohort))


def _key(trainee: str, exercise: str) -> str:
    return f"{trainee}/{exercise}"


def _is_new(cohort: Cohort, entry: dict | None, print_: str) -> bool:
    if not entry or entry.get("fingerprint") != print_ or entry.get("transient"):
        return True
    return entry.get("status") == "graded" and not cohort.graded(*entry["key"].split("/", 1)).is_dir()


class _Claim:
    """A non-blocking claim on one submission, held while it is graded."""

    def __init__(self, cohort: Cohort, trainee: str, exercise: str):
        folder = cohort.state / "claims"
        folder.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(folder / f"{trainee}__{exercise}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.held = True
        except BlockingIOError:
            os.close(self.fd)
            self.held = False

    def release(self) -> None:
        if self.held:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.held = False


def grade(path: str | os.PathLike, workers: int | None = None, progress: bool = True,
          pseudonymise: bool = False, reports: bool = True) -> GradeRun:
    """Autograde every new submission in a cohort folder, make feedback, and write the reports."""
    cohort = open_cohort(path)
    use_environment_tools()
    use_answer_key(cohort)  # the workers and their kernels inherit it
    serialise_gradebook(cohort)
    known = set(exercise_ids(cohort))
    if not known:
        raise CohortError(f"the gradebook in {cohort.root} has no exercises: run `nbgrader generate_assignment` first")
    run = GradeRun()
    found = submissions(cohort)
    prints = {k: fingerprint(cohort.submission(*k)) for k in found}
    ledger = read_ledger(cohort)
    todo = [k for k in found if _is_new(cohort, ledger.get(_key(*k)), prints[k])]
    run.unchanged = len(found) - len(todo)

    claims, work = {}, []
    for k in todo:
        claim = _Claim(cohort, *k)
        if not claim.held:
            run.busy.append(k)
            continue
        claims[k] = claim
    with gradebook_lock(cohort):
        ledger = read_ledger(cohort)
    for k in list(claims):
        if _is_new(cohort, ledger.get(_key(*k)), prints[k]):
            work.append(k)
        else:
            claims.pop(k).release()
            run.unchanged += 1

    unknown = [k for k in work if k[1] not in known]
    for k in unknown:
        _record(cohort, k, prints[k], {"status": "error", "reason": f"{k[1]} is not an exercise in the gradebook "
                                       f"(run `nbgrader generate_assignment {k[1]}` first)"}, run)
        claims.pop(k).release()
    work = [k for k in work if k[1] in known]
    try:
        if work:
            _run_pool(cohort, work, prints, claims, run, workers, progress)
    finally:
        for claim in claims.values():
            claim.release()
    if reports:
        from alongside.cohort.record import write_records
        from alongside.cohort.report import cohort_tables, write_reports

        with gradebook_lock(cohort):  # one run at a time writes the reports
            tables = cohort_tables(cohort)
            run.reports = (write_reports(cohort, pseudonymise=pseudonymise, tables=tables)
                           + [write_records(cohort, pseudonymise=pseudonymise, tables=tables)])
    return run


def _run_pool(cohort: Cohort, work: list, prints: dict, claims: dict, run: GradeRun, workers: int | None,
              progress: bool) -> None:
    workers = max(1, min(workers or default_workers(), len(work)))
    bar = _progress_bar(len(work), progress)
    home = tempfile.mkdtemp(prefix="alongside-grading-home-")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(str(cohort.root), home)) as pool:
        futures = {pool.submit(_grade_one, *k): k for k in work}
        for future in as_completed(futures):
            k = futures[future]
            try:
                outcome = future.result()
            except Exception as err:  # a worker that died must not stop the batch
                outcome = {"status": "error", "transient": True,
                           "reason": f"the grading worker stopped ({type(err).__name__}: {err}); it is retried next run"}
            _record(cohort, k, prints[k], outcome, run)
            claims.pop(k).release()
            bar.update(1)
    bar.close()


def default_workers() -> int:
    """One worker per core, plus one: each worker spends part of its time waiting for a kernel to start."""
    return (os.cpu_count() or 1) + 1


def _progress_bar(total: int, show: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="Grading", unit="submission", disable=not show, file=sys.stderr)


def _record(cohort: Cohort, k: tuple[str, str], print_: str, outcome: dict, run: GradeRun) -> None:
    """Write one outcome into the ledger (under the gradebook lock, so concurrent runs merge)."""
    entry = {"key": _key(*k), "fingerprint": print_, "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
             **outcome}
    with gradebook_lock(cohort):
        ledger = read_ledger(cohort)
        ledger[_key(*k)] = entry
        write_json(ledger_path(cohort), ledger)
    if outcome["status"] == "graded":
        run.graded.append(k)
    else:
        run.failed.append((*k, outcome["reason"]))


class DropDuplicateIds(DeduplicateIds):
    """nbgrader's DeduplicateIds, but a copied cell loses its nbgrader metadata entirely (not left empty)."""

    def preprocess_cell(self, cell, resources, cell_index):
        """Keep the last-seen (first in the notebook) cell with each grade id; make any copy a plain cell."""
        had = "nbgrader" in cell.metadata
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had and cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


_API = None


def _start_worker(root: str, home: str) -> None:
    """Set up one worker process: nbgrader's API for the cohort, gradebook lock, quiet output."""
    global _API
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearOutput, GetGrades,
                                        OverwriteCells, OverwriteKernelspec)
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

    os.environ["ALONGSIDE_HOME"] = home  # the graded notebooks' self-checks save here, not in a real store
    warnings.filterwarnings("ignore")
    cohort = open_cohort(root)
    cohort.state.mkdir(parents=True, exist_ok=True)
    log = os.open(cohort.state / "grading.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)  # kernels inherit this: their chatter goes to the log, not over the progress bar
    serialise_gradebook(cohort)
    config = nbgrader_config(cohort.root)
    config.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    config.Autograde.sanitize_preprocessors = [ClearOutput, DropDuplicateIds, OverwriteKernelspec, OverwriteCells,
                                               CheckCellMetadata]
    _API = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


# Kernels started at the same moment in parallel can pick the same free port (a race in
# jupyter_client); the kernel then dies at start. That is retried: it says nothing about the work.
KERNEL_ATTEMPTS = 3
_KERNEL_START = re.compile(r"Kernel died before replying to kernel_info|Address already in use")


def _grade_one(trainee: str, exercise: str) -> dict:
    """Autograde one submission and make its feedback (hidden tests taken out), in a worker."""
    for _attempt in range(KERNEL_ATTEMPTS):
        result = _API.autograde(exercise, trainee, force=True, create=True)
        if result["success"] or not _KERNEL_START.search(str(result.get("log", "")) + str(result.get("error", ""))):
            break
    if not result["success"]:
        outcome = {"status": "error", "reason": failure_reason(result)}
        if _KERNEL_START.search(str(result.get("log", "")) + str(result.get("error", ""))):
            outcome.update(transient=True, reason=outcome["reason"] + " (the kernel would not start; retried next run)")
        return outcome
    feedback = _API.generate_feedback(exercise, trainee, force=True)
    outcome = {"status": "graded", "feedback": bool(feedback["success"])}
    if not feedback["success"]:
        outcome["feedback_problem"] = failure_reason(feedback)
    return outcome


_ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit)):\s*(.*)$")


def failure_reason(result: dict) -> str:
    """The plain reason an nbgrader API call failed: the last error named in its log or traceback."""
    text = "\n".join(result.get(k, "") for k in ("log", "error"))
    found = [m for m in (_ERROR_LINE.match(line.strip()) for line in text.splitlines()) if m]
    useful = [m for m in found if m.group(1).split(".")[-1] != "NbGraderException"]
    if useful:
        name, message = useful[0].group(1).split(".")[-1], useful[0].group(3)
        return _explain(name, message)
    errors = [line for line in text.splitlines() if line.startswith("[ERROR]")]
    return (errors[0][8:] if errors else "nbgrader could not grade it (see DIR/.alongside/grading.log)")[:300]


def _explain(name: str, message: str) -> str:
    if name in ("NotJSONError", "JSONDecodeError") or "JSON" in message:
        return f"the notebook file is damaged and cannot be read ({name}: {message[:120]})"
    return f"{name}: {message[:200]}"


def status(cohort: Cohort) -> dict[tuple[str, str], dict]:
    """The ledger keyed by (trainee, exercise): how each submission's grading went."""
    return {tuple(k.split("/", 1)): v for k, v in read_ledger(cohort).items()}


__all__ = ["GradeRun", "failure_reason", "fingerprint", "grade", "read_ledger", "status", "submissions"]
