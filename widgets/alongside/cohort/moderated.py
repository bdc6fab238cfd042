"""The latest moderated agreement per rubric criterion, as the cohort report reads it.

Trainers moderate by marking a sample of answers by hand (``alongside cohort moderate``); the
agreement between their marks and the automatic ones is kept in ``DIR/.alongside/moderation.json``::

    {"rubrics": {"<rubric id>": {"<criterion id>": {"agree": 0.9, "kappa": 0.78, "kappa_low": 0.6,
      "kappa_high": 0.95, "n": 20, "sheet": "sheet-2026-12-02.csv", "read_at": "<ISO time>"}}}}

``agree`` is the share of the sample where the trainer and the grader agreed, ``n`` the number of
answers it rests on. A criterion whose ``agree`` is under :data:`AGREE_ENOUGH` is "check by hand":
the report marks it and flags its automatic marks. No file means no moderation yet; a file that
cannot be read, or an entry in the wrong shape, gives :attr:`Moderation.problem`, one line the
report shows, and never stops the report.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from alongside import grading
from alongside import rubric as rubric_engine
from alongside.cohort.course import Cohort

AGREE_ENOUGH = 0.8  # a criterion whose automatic marks agree with trainers less often is checked by hand
FILE_NAME = "moderation.json"
_NUMBERS = ("agree", "kappa", "kappa_low", "kappa_high")


@dataclass
class Moderation:
    """What moderation.json says: rubric id -> criterion id -> its latest entry, and any problem reading it."""

    rubrics: dict[str, dict[str, dict]] = field(default_factory=dict)
    problem: str = ""

    def entry(self, rubric: str, criterion: str) -> dict | None:
        """The latest moderation of one rubric criterion, or None when it has not been moderated."""
        return self.rubrics.get(rubric, {}).get(criterion)

    def check_by_hand(self, rubric: str, criterion: str) -> bool:
        """Whether a criterion's automatic marks agree with trainers too rarely to rely on them."""
        found = self.entry(rubric, criterion)
        return found is not None and found["agree"] < AGREE_ENOUGH


def read_moderation(cohort: Cohort) -> Moderation:
    """The cohort's moderation.json: empty when there is none; never raises (a problem is one line)."""
    path = cohort.state / FILE_NAME
    where = f".alongside/{FILE_NAME}"
    if not path.is_file():
        return Moderation()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return Moderation(problem=f"{where} could not be read ({type(err).__name__}), so no moderated agreement is "
                                  "shown; run the moderation again to write it afresh.")
    rubrics = data.get("rubrics") if isinstance(data, dict) else None
    if not isinstance(rubrics, dict):
        return Moderation(problem=f"{where} has no \"rubrics\" table, so no moderated agreement is shown.")
    kept, bad = {}, []
    for rubric, criteria in rubrics.items():
        for criterion, entry in (criteria.items() if isinstance(criteria, dict) else [("*", None)]):
            clean = _entry(entry)
            if clean is None:
                bad.append(f"{rubric}/{criterion}")
            else:
                kept.setdefault(str(rubric), {})[str(criterion)] = clean
    problem = (f"{where}: {len(bad)} entr{'y' if len(bad) == 1 else 'ies'} in the wrong shape left out "
               f"({', '.join(bad[:3])}{', ...' if len(bad) > 3 else ''}).") if bad else ""
    return Moderation(kept, problem)


def _entry(entry: object) -> dict | None:
    """One criterion's entry with its numbers checked (agree between 0 and 1, n a count), or None."""
    if not isinstance(entry, dict):
        return None
    clean = {}
    for name in _NUMBERS:
        value = entry.get(name)
        if value is None and name != "agree":
            clean[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
        clean[name] = float(value)
    n = entry.get("n")
    if not 0 <= clean["agree"] <= 1 or isinstance(n, bool) or not isinstance(n, int) or n < 0:
        return None
    return {**clean, "n": n, "sheet": str(entry.get("sheet") or ""), "read_at": str(entry.get("read_at") or "")}


def rubric_items(exercises: list[str]) -> dict[tuple[str, str], str]:
    """(exercise, item) -> the rubric that marks it, for every item of the exercises that a rubric marks."""
    found = {}
    for exercise in exercises:
        try:
            items = grading.exercise(exercise)["items"]
        except Exception:  # an exercise without a spec has no rubric items
            continue
        found.update({(exercise, i["id"]): str(i["rubric"]) for i in items if i.get("rubric")})
    return found


def by_hand(moderation: Moderation, exercises: list[str]) -> set[tuple[str, str, str]]:
    """(exercise, item, criterion) of every rubric criterion whose automatic marks are to be checked by hand."""
    found = set()
    for (exercise, item), rubric in rubric_items(exercises).items():
        found |= {(exercise, item, c) for c in moderation.rubrics.get(rubric, {}) if moderation.check_by_hand(rubric, c)}
    return found


AGREEMENT_COLUMNS = ["rubric", "criterion", "looks_for", "used_in", "agree", "kappa", "kappa_low", "kappa_high",
                     "n", "sheet", "read_at", "check_by_hand"]


def agreement_table(moderation: Moderation, exercises: list[str]) -> pd.DataFrame:
    """One row per criterion of each rubric the exercises use: its latest moderated agreement, the
    number of answers it rests on, and whether to check it by hand (blank where not moderated yet)."""
    used: dict[str, list[str]] = {}
    for (exercise, item), rubric in rubric_items(exercises).items():
        used.setdefault(rubric, []).append(f"{exercise} {item}")
    rows = []
    for rubric, places in used.items():
        try:
            criteria = [(c.id, c.looks_for) for c in rubric_engine.load_rubric(rubric).criteria]
        except Exception:  # a rubric that cannot be loaded: only what moderation says about it
            criteria = [(c, "") for c in moderation.rubrics.get(rubric, {})]
        for criterion, looks_for in criteria:
            entry = moderation.entry(rubric, criterion) or {}
            rows.append({"rubric": rubric, "criterion": criterion, "looks_for": looks_for, "used_in": ", ".join(places),
                         **{k: entry.get(k) for k in AGREEMENT_COLUMNS[4:11]},
                         "check_by_hand": moderation.check_by_hand(rubric, criterion)})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


__all__ = ["AGREE_ENOUGH", "Moderation", "agreement_table", "by_hand", "read_moderation", "rubric_items"]
