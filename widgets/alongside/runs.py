"""The answers run in this kernel: what each answer cell held when it was last run.

The ``%%answer`` cell magic (:mod:`alongside.magic`) records a run here; the self-check and
nbgrader's test cells read it. Nothing here survives a kernel restart, on purpose: after a
restart the self-check says the answer cell has to be run again rather than mark an old answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from alongside.answer_text import Reading, digest, read_answer


@dataclass(frozen=True)
class Run:
    """One run of an answer cell: the text under its first line, its fingerprint, how it was read, and when."""

    exercise: str
    item: str
    text: str
    digest: str
    reading: Reading
    at: dt.datetime


_RUNS: dict[tuple[str, str], Run] = {}


def record(exercise_id: str, item_id: str, text: str) -> Run:
    """Read an answer cell's text and keep it as the item's latest run."""
    run = Run(exercise_id, item_id, text, digest(text), read_answer(exercise_id, item_id, text), dt.datetime.now())
    _RUNS[(exercise_id, item_id)] = run
    return run


def latest(exercise_id: str, item_id: str) -> Run | None:
    """The item's latest run since the kernel started, or None if its answer cell has not been run."""
    return _RUNS.get((exercise_id, item_id))
