"""``alongside cohort grade DIR``: grade every new submission with nbgrader, in parallel, running no trainee code.

A pool of worker processes (one per core, by default) each runs nbgrader's own API,
``NbGraderAPI.autograde`` and then ``NbGraderAPI.generate_feedback``, for one (trainee, exercise)
at a time. nbgrader is set up the trusted way (:func:`alongside.trusted.configure`, whatever the
folder's ``nbgrader_config.py`` says): marks come from the text of each answer cell, read by the
grader, and no notebook is run, so nothing in a submission can change a mark or reach the
gradebook. With SQLite every gradebook session takes the cohort's gradebook lock
(:func:`alongside.cohort.course.serialise_gradebook`), so the file has one writer; a PostgreSQL
gradebook takes writers side by side, from this run's workers and from other trainers' runs.

A trainer's moderation (:mod:`alongside.cohort.moderate`) survives grading again: an answer whose
text is unchanged keeps the trainer's marks; one the trainee changed is marked afresh.

The ledger (:mod:`alongside.cohort.ledger`) says what is new: a submission is graded when it has
no entry, its files changed, its exercise changed (a new release or a new spec), or its
autograded copy is gone; a broken one is recorded with its reason and not retried until it
changes. A run claims each submission just before a worker takes it up, so runs started at once
share the work; the workers end with their run, and what a killed run left unrecorded is graded
by the next.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from alongside.cohort import ledger
from alongside.cohort.course import (Cohort, CohortError, exercise_ids, gradebook_lock, nbgrader_config, open_cohort,
                                     prepare_gradebook, serialise_gradebook, use_environment_tools)


@dataclass
class GradeRun:
    """What one grading run did."""

    graded: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    unchanged: int = 0
    busy: list[tuple[str, str]] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    pseudonyms: dict[str, str] = field(default_factory=dict)  # trainee -> pseudonym, when the run used them

    def summary(self) -> str:
        """One paragraph for the trainer; with pseudonyms, no trainee id and no excerpt of their files."""
        lines = [f"Graded {len(self.graded) + len(self.failed)} new submission(s): {len(self.graded)} graded, "
                 f"{len(self.failed)} could not be graded; {self.unchanged} already graded and unchanged."]
        if self.busy:
            lines.append(f"{len(self.busy)} submission(s) were being graded by another run and were left to it.")
        for trainee, exercise, reason in self.failed:
            if self.pseudonyms:
                from alongside.cohort.report import without_excerpt

                trainee, reason = self.pseudonyms[trainee], without_excerpt(reason)
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


def grade(path: str | os.PathLike, workers: int | None = None, progress: bool = True,
          pseudonymise: bool = False, reports: bool = True) -> GradeRun:
    """Grade every new submission in a cohort folder, make its feedback, and write the reports."""
    cohort = open_cohort(path)
    use_environment_tools()
    serialise_gradebook(cohort)
    known = set(exercise_ids(cohort))
    if not known:
        raise CohortError(f"the gradebook in {cohort.root} has no exercises: run `nbgrader generate_assignment` first")
    run = GradeRun()
    found = submissions(cohort)
    prints = {k: ledger.fingerprint(cohort.submission(*k)) for k in found}
    releases = {ex: ledger.exercise_digest(cohort, ex) if ex in known else "" for ex in {e for _t, e in found}}
    entries = ledger.LedgerReader(cohort)

    def new(k):
        return ledger.is_new(cohort, entries.entries().get(ledger.key(*k)), prints[k], releases[k[1]])

    todo = [k for k in found if new(k)]
    run.unchanged = len(found) - len(todo)
    book = _Book(cohort, prints, releases, run)
    try:
        if todo:
            prepare_gradebook(cohort, {t for t, ex in todo if ex in known})
            _run_pool(cohort, _Queue(cohort, todo, new, run), known, book, workers, progress)
    finally:
        book.flush()
    if pseudonymise:
        from alongside.cohort.report import pseudonym

        run.pseudonyms = {t: pseudonym(cohort, t) for t, _exercise, _reason in run.failed}
    if reports:
        from alongside.cohort.record import write_records
        from alongside.cohort.report import cohort_tables, write_reports

        with gradebook_lock(cohort):  # one run at a time writes the reports
            tables = cohort_tables(cohort)
            run.reports = (write_reports(cohort, pseudonymise=pseudonymise, tables=tables)
                           + [write_records(cohort, pseudonymise=pseudonymise, tables=tables)])
    return run


class _Queue:
    """The submissions this run may grade, each claimed only when a worker is about to take it up, so
    that several runs started together share the work instead of the first claiming it all."""

    def __init__(self, cohort: Cohort, todo: list[tuple[str, str]], new, run: GradeRun):
        self.cohort, self.todo, self.new, self.run = cohort, list(reversed(todo)), new, run

    def __len__(self) -> int:
        return len(self.todo)

    def take(self) -> tuple[tuple[str, str], ledger.Claim | None] | None:
        """The next submission with its claim; (submission, None) when another run has it or has just
        graded it; None when there is nothing left."""
        if not self.todo:
            return None
        k = self.todo.pop()
        claim = ledger.Claim(self.cohort, *k)
        if not claim.held:
            self.run.busy.append(k)
            return k, None
        if not self.new(k):  # graded by another run since this one looked
            claim.release()
            self.run.unchanged += 1
            return k, None
        return k, claim


class _Book:
    """Outcomes of this run, written into the ledger a batch at a time (a ledger write per submission is slow).

    Each submission's claim is let go only once its outcome is in the ledger: a run that claims it
    next sees that it is done."""

    EVERY = 2.0  # seconds between writes

    def __init__(self, cohort: Cohort, prints: dict, releases: dict, run: GradeRun):
        self.cohort, self.prints, self.releases, self.run = cohort, prints, releases, run
        self.pending: list[tuple[tuple[str, str], dict, ledger.Claim]] = []
        self.last = time.monotonic()

    def add(self, k: tuple[str, str], outcome: dict, claim: ledger.Claim) -> None:
        """Note one outcome; write the batch when it is due."""
        self.pending.append((k, outcome, claim))
        if outcome["status"] == "graded":
            self.run.graded.append(k)
        else:
            self.run.failed.append((*k, outcome["reason"]))
        if time.monotonic() - self.last > self.EVERY:
            self.flush()

    def flush(self) -> None:
        """Write every pending outcome into the ledger, then let their claims go."""
        if self.pending:
            ledger.record_many(self.cohort, [(k, self.prints[k], self.releases[k[1]], outcome)
                                             for k, outcome, _claim in self.pending])
            for _k, _outcome, claim in self.pending:
                claim.release()
            self.pending = []
        self.last = time.monotonic()


def _run_pool(cohort: Cohort, queue: _Queue, known: set[str], book: _Book, workers: int | None,
              progress: bool) -> None:
    """Grade what the queue gives, keeping every worker busy with at most two submissions each in hand."""
    workers = max(1, min(workers or default_workers(), len(queue)))
    bar = _progress_bar(len(queue), progress)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(str(cohort.root), os.getpid())) as pool:
        running = {}

        def fill():
            while len(running) < 2 * workers and (taken := queue.take()):
                k, claim = taken
                if claim is None:
                    bar.update(1)
                elif k[1] not in known:
                    book.add(k, {"status": "error", "reason": f"{k[1]} is not an exercise in the gradebook "
                                                              f"(run `nbgrader generate_assignment {k[1]}` first)"}, claim)
                    bar.update(1)
                else:
                    running[pool.submit(_grade_one, *k)] = (k, claim)

        fill()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                k, claim = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as err:  # a worker that died must not stop the batch
                    outcome = {"status": "error", "transient": True,
                               "reason": f"the grading worker stopped ({type(err).__name__}: {err}); "
                                         "it is retried next run"}
                book.add(k, outcome, claim)
                bar.update(1)
            fill()
    bar.close()


def default_workers() -> int:
    """One worker per core: grading reads and writes files and runs nothing, so it keeps a core busy."""
    return os.cpu_count() or 1


def _progress_bar(total: int, show: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="Grading", unit="submission", disable=not show, file=sys.stderr)


def nbgrader_api(cohort: Cohort):
    """nbgrader's API for a cohort, set up the trusted way (:func:`alongside.trusted.configure`) whatever
    the folder's ``nbgrader_config.py`` says."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from alongside.trusted import configure

    config = nbgrader_config(cohort.root)
    configure(config)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


_API = None
_COHORT: Cohort | None = None


def _start_worker(root: str, parent: int) -> None:
    """Set up one worker process: nbgrader's API for the cohort, set up the trusted way, gradebook lock, quiet output."""
    global _API, _COHORT
    _die_with(parent)
    from alongside.cohort.speed import quicken_nbgrader

    warnings.filterwarnings("ignore")
    cohort = open_cohort(root)
    cohort.state.mkdir(parents=True, exist_ok=True)
    log = os.open(cohort.state / "grading.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    serialise_gradebook(cohort)
    quicken_nbgrader()
    _API, _COHORT = nbgrader_api(cohort), cohort


def _die_with(parent: int) -> None:
    """End this worker when the run that started it ends, even by SIGKILL (Linux): the run's claims go
    with it, so no worker may go on writing a submission that the next run takes up."""
    import ctypes
    import signal

    prctl = getattr(ctypes.CDLL(None), "prctl", None)
    if prctl is not None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the run ended before the line above
        os._exit(1)


def _grade_one(trainee: str, exercise: str) -> dict:
    """Autograde one submission, keep a trainer's moderation of answers that have not changed, and
    make its feedback (hidden tests taken out), in a worker."""
    from alongside.cohort.moderate import keep_overrides

    result = _API.autograde(exercise, trainee, force=True, create=True)
    if not result["success"]:
        return {"status": "error", "reason": failure_reason(result)}
    keep_overrides(_COHORT, trainee, exercise)
    feedback = _API.generate_feedback(exercise, trainee, force=True)
    outcome = {"status": "graded", "feedback": bool(feedback["success"])}
    if not feedback["success"]:
        outcome["feedback_problem"] = failure_reason(feedback)
    return outcome


_ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit)):\s*(.*)$")


def failure_reason(result: dict) -> str:
    """Why an nbgrader API call failed: plain words, then the first useful error of its log or traceback in brackets."""
    text = "\n".join(result.get(k, "") for k in ("log", "error"))
    found = [m for m in (_ERROR_LINE.match(line.strip()) for line in text.splitlines()) if m]
    useful = [m for m in found if m.group(1).split(".")[-1] != "NbGraderException"]
    if useful:
        name, message = useful[0].group(1).split(".")[-1], useful[0].group(3)
        return _explain(name, message)
    errors = [line for line in text.splitlines() if line.startswith("[ERROR]")]
    detail = errors[0][8:] if errors else "see DIR/.alongside/grading.log"
    return f"nbgrader could not read or mark it ({detail[:250]})"


def _explain(name: str, message: str) -> str:
    """Plain words first, then the technical detail in brackets (the report shows only the plain words)."""
    if name in ("NotJSONError", "JSONDecodeError") or "JSON" in message:
        return f"the notebook file is damaged and cannot be read ({name}: {message[:120]})"
    if name == "ValidationError":
        return f"the notebook is not in a form nbgrader can read ({name}: {message[:200]})"
    return f"nbgrader could not read or mark it ({name}: {message[:200]})"


__all__ = ["GradeRun", "failure_reason", "grade", "nbgrader_api", "submissions"]
