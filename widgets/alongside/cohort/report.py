"""The cohort report: who scored what, which ideas to revisit, who needs a follow-up, and why.

:func:`cohort_tables` builds the tables (pandas) from nbgrader's gradebook (the official points,
dates and lateness), the grading ledger (what could not be graded, and why), the criteria the
grader saved for each answer (:mod:`alongside.cohort.answers`), the answers themselves as the
grader read them (for the item analysis, :mod:`alongside.cohort.items`, and the examples of the
ideas to revisit, :mod:`alongside.cohort.revisit`) and the moderated agreement of each rubric
criterion (:mod:`alongside.cohort.moderated`). :func:`write_reports` writes them as
``reports/grades.csv`` (with the automatic marks to check by hand), ``reports/criteria.csv``,
``reports/items.csv``, ``reports/follow-up.csv`` and one self-contained page, ``reports/cohort.html``
(:mod:`alongside.cohort.page`). With ``pseudonymise=True`` trainees appear under stable pseudonyms
in every export.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from alongside.cohort.answers import criterion_rows, marked_answers
from alongside.cohort.course import Cohort, exercise_ids, gradebook, open_cohort, trainee_ids
from alongside.cohort.items import item_analysis
from alongside.cohort.ledger import fingerprint, status as ledger_status
from alongside.cohort.moderated import AGREEMENT_COLUMNS, agreement_table, by_hand, read_moderation
from alongside.cohort.revisit import choose_ideas, with_examples
from alongside.grading import ItemResult
from alongside.trusted import answer_cells, read_marks

LOW_SHARE = 0.5  # a graded score below this share of the points is "low"
REVISIT_SHARE = 0.6  # a criterion met by fewer than this share of the cohort is one to revisit


@dataclass
class CohortTables:
    """Everything the report shows, as pandas tables."""

    grades: pd.DataFrame      # one row per trainee and exercise
    criteria: pd.DataFrame    # one row per trainee, exercise, item and criterion (met or not)
    shares: pd.DataFrame      # one row per criterion: share of the cohort that met it
    follow_up: pd.DataFrame   # one row per reason a trainee needs a follow-up
    exercises: list[str]
    # the ideas to revisit, each with a pseudonymised answer that met it and one that did not
    ideas: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    items: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())      # item analysis of the choices
    agreement: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AGREEMENT_COLUMNS))
    moderation_problem: str = ""  # one line when moderation.json could not be read

    def pseudonymised(self, cohort: Cohort) -> "CohortTables":
        """The same tables with every trainee (and their name) replaced by a stable pseudonym.

        Reasons that would quote a trainee's writing or file (a harmful phrase, pasted markup, the
        start of a damaged notebook) keep only what kind of problem it is: a name can be in a quote.
        """
        mapping = {t: pseudonym(cohort, t) for t in self.grades["trainee"].unique()}

        def swap(frame: pd.DataFrame) -> pd.DataFrame:
            frame = frame.assign(trainee=frame["trainee"].map(mapping))
            return frame.assign(name=frame["trainee"]) if "name" in frame else frame

        grades = swap(self.grades).assign(reason=self.grades["reason"].map(without_excerpt))
        follow_up = swap(self.follow_up)
        follow_up = follow_up.assign(reason=[plain_reason(kind, reason) for kind, reason in
                                             zip(follow_up["kind"], follow_up["reason"])])
        return dataclasses.replace(self, grades=grades, criteria=swap(self.criteria), follow_up=follow_up)

    def scores(self) -> pd.DataFrame:
        """Percent per trainee (rows) and exercise (columns); blank where there is no grade."""
        table = self.grades.pivot(index="trainee", columns="exercise", values="percent")
        return table.reindex(columns=self.exercises)


# Under pseudonyms: follow-up reasons that quote a trainee's words say only what they are about,
# and those made of fixed words and numbers only are kept as they are.
_PLAIN_REASONS = {"harmful": "wording that can hurt a parent (see the notebook)",
                  "markup": "markup pasted into an answer (see the notebook)"}
_FIXED_WORDS = {"late", "low", "missing", "personal"}  # personal names the kind of detail, never the detail
_NOT_GRADED = "could not be graded: "  # how _one starts the reason, before the grader's message


_TECHNICAL = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Exit)")  # a bare exception name says nothing to a trainer


def plain_reason(kind: str, reason: str) -> str:
    """A follow-up reason in plain words, with no quote of the trainee and no error message.

    "could not be graded: the notebook file is damaged and cannot be read (JSONDecodeError: ... char
    4921)" gives "could not be graded: the notebook file is damaged and cannot be read".
    """
    if kind in _PLAIN_REASONS:
        return _PLAIN_REASONS[kind]
    if kind in _FIXED_WORDS:
        return reason
    if reason.startswith(_NOT_GRADED):
        return _NOT_GRADED + _plain_failure(reason[len(_NOT_GRADED):])
    return without_excerpt(reason)


def _plain_failure(reason: str) -> str:
    plain = without_excerpt(reason)
    return "nbgrader could not read or mark it" if not plain or _TECHNICAL.fullmatch(plain) else plain


# Which follow-up comes first: what may hurt a family or expose one, then work that could not be
# marked or is missing, then low scores and lateness.
FOLLOW_UP_ORDER = ["harmful", "personal", "not graded", "markup", "missing", "low", "late"]


def follow_up_first(follow_up: pd.DataFrame) -> pd.DataFrame:
    """One row per trainee who needs a follow-up, most urgent first: trainee, the reasons in plain
    words ("01-experts: not submitted; 02-words: scored 20% (below 50%)") and how many there are.

    A trainee's most urgent reason decides the order (FOLLOW_UP_ORDER), then how many reasons they have.
    """
    rank = {kind: n for n, kind in enumerate(FOLLOW_UP_ORDER)}
    rows = []
    for trainee, group in follow_up.groupby("trainee", sort=True):
        group = group.assign(rank=group["kind"].map(lambda k: rank.get(k, len(rank)))).sort_values(
            ["rank", "exercise"], kind="stable")
        reasons = list(dict.fromkeys(f"{r.exercise}: {plain_reason(r.kind, r.reason)}" for r in group.itertuples()))
        rows.append({"trainee": trainee, "first": int(group["rank"].iloc[0]), "count": len(reasons),
                     "reasons": "; ".join(reasons)})
    table = pd.DataFrame(rows, columns=["trainee", "first", "count", "reasons"])
    table = table.sort_values(["first", "count", "trainee"], ascending=[True, False, True], kind="stable")
    return table.drop(columns="first").reset_index(drop=True)


def without_excerpt(reason: str) -> str:
    """A reason with any quoted part left out: the text before its first bracket, colon or quote mark.

    For a reason that may quote a trainee's file (an error message), e.g. "the notebook file is
    damaged and cannot be read (NotJSONError: ...)" gives "the notebook file is damaged and cannot be read".
    """
    return re.split(r"\s*[(:'\"\u2018\u201c]", str(reason), maxsplit=1)[0].strip()


def pseudonym(cohort: Cohort, trainee: str) -> str:
    """A stable pseudonym for a trainee, keyed by a secret kept in the cohort folder."""
    key_file = cohort.state / "pseudonym.key"
    if not key_file.exists():
        cohort.state.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    key = key_file.read_text().strip().encode()
    return "trainee-" + hmac.new(key, trainee.encode(), hashlib.sha256).hexdigest()[:8]


def cohort_tables(cohort: Cohort | str, pseudonymise: bool = False, low: float = LOW_SHARE) -> CohortTables:
    """Build the report's tables for a cohort folder."""
    if not isinstance(cohort, Cohort):
        cohort = open_cohort(cohort)
    exercises = exercise_ids(cohort)
    ledger = ledger_status(cohort)
    rows, marks, follow = [], [], []
    with gradebook(cohort) as gb:
        people = {s.id: [p for p in (s.first_name, s.last_name) if p] for s in gb.students}
        names = {trainee: " ".join(parts) for trainee, parts in people.items()}
        info = {}
        for ex in exercises:
            assignment = gb.find_assignment(ex)
            info[ex] = {"max": float(assignment.max_score), "due": assignment.duedate, "subs": {},
                        "notebooks": [nb.name for nb in assignment.notebooks]}
            for sub in assignment.submissions:
                cells = {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}
                info[ex]["subs"][sub.student_id] = {
                    "score": float(sub.score), "max": float(sub.max_score), "timestamp": sub.timestamp,
                    "late": float(sub.total_seconds_late or 0), "manual": bool(sub.needs_manual_grade), "cells": cells}
    for trainee in trainee_ids(cohort):
        for ex in exercises:
            row, trainee_marks, reasons = _one(cohort, trainee, ex, info[ex], ledger.get((trainee, ex)), low)
            rows.append({"trainee": trainee, "name": names.get(trainee, ""), **row})
            marks.extend({"trainee": trainee, **m} for m in trainee_marks)
            follow.extend({"trainee": trainee, "exercise": ex, "kind": kind, "reason": why} for kind, why in reasons)
    grades = pd.DataFrame(rows, columns=["trainee", "name", "exercise", "status", "score", "max_score", "percent",
                                         "submitted", "hours_late", "needs_manual_grading", "reason"])
    for column in ("score", "max_score", "percent", "hours_late"):
        grades[column] = pd.to_numeric(grades[column], errors="coerce")
    criteria = pd.DataFrame(marks, columns=CRITERION_COLUMNS)
    follow_up = pd.DataFrame(follow, columns=["trainee", "exercise", "kind", "reason"])
    moderation = read_moderation(cohort)
    flagged = by_hand(moderation, exercises)
    grades["check_by_hand"] = _by_hand_column(grades, flagged)
    shares = _shares(criteria, grades, flagged)
    answers = _answers(cohort, grades, info)
    pseudonyms = {t: pseudonym(cohort, t) for t in grades["trainee"].unique()}
    known = {w for trainee, parts in people.items() for w in [trainee, *parts]} | set(grades["trainee"])
    ideas = with_examples(choose_ideas(shares, grades["trainee"].nunique()), criteria, answers, pseudonyms, known)
    tables = CohortTables(grades, criteria, shares, follow_up, exercises, ideas=ideas,
                          items=item_analysis(criteria, answers, exercises),
                          agreement=agreement_table(moderation, exercises), moderation_problem=moderation.problem)
    return tables.pseudonymised(cohort) if pseudonymise else tables


CRITERION_COLUMNS = ["trainee", "exercise", "item", "criterion", "part", "looks_for", "met", "points"]


def _by_hand_column(grades: pd.DataFrame, flagged: set[tuple[str, str, str]]) -> list[str]:
    """Per grade row: the automatic marks to check by hand ("unheard: feeling; unheard: wish"), for graded work."""
    per_exercise: dict[str, list[str]] = {}
    for exercise, item, criterion in sorted(flagged):
        per_exercise.setdefault(exercise, []).append(f"{item}: {criterion}")
    return ["; ".join(per_exercise.get(r.exercise, [])) if r.status in ("graded", "late") else ""
            for r in grades.itertuples()]


def _answers(cohort: Cohort, grades: pd.DataFrame, info: dict) -> dict[tuple[str, str], dict]:
    """(trainee, exercise) -> item -> answer, as the grader read it from each graded notebook."""
    cells = {ex: {nb: answer_cells(cohort.db_url, ex, nb) for nb in info[ex]["notebooks"]} for ex in info}
    graded = grades[grades["status"].isin(["graded", "late"])]
    return {(r.trainee, r.exercise): marked_answers(cohort.graded(r.trainee, r.exercise), r.exercise, cells[r.exercise])
            for r in graded.itertuples()}


def _one(cohort: Cohort, trainee: str, ex: str, info: dict, entry: dict | None, low: float):
    sub = info["subs"].get(trainee)
    folder = cohort.submission(trainee, ex)
    row = {"exercise": ex, "status": "", "score": None, "max_score": info["max"], "percent": None,
           "submitted": None, "hours_late": None, "needs_manual_grading": None, "reason": ""}
    reasons: list[tuple[str, str]] = []
    current = folder.is_dir() and entry is not None and entry.get("fingerprint") == fingerprint(folder)
    if current and entry.get("status") == "error":
        row.update(status="not graded", reason=entry.get("reason", ""))
        reasons.append(("not graded", f"could not be graded: {entry.get('reason', '')}"))
        return row, [], reasons
    if sub is not None and cohort.graded(trainee, ex).is_dir():
        percent = round(100 * sub["score"] / info["max"], 1) if info["max"] else None
        hours_late = round(sub["late"] / 3600, 1)
        row.update(status="late" if hours_late > 0 else "graded", score=sub["score"], percent=percent,
                   submitted=sub["timestamp"].strftime("%Y-%m-%d %H:%M") if sub["timestamp"] else None,
                   hours_late=hours_late, needs_manual_grading=sub["manual"])
        if hours_late > 0:
            reasons.append(("late", f"submitted {hours_late:g} hours after the due date"))
        if percent is not None and percent < 100 * low:
            reasons.append(("low", f"scored {percent:g}% (below {100 * low:g}%)"))
        saved = read_marks(cohort.root, trainee, ex)
        return row, _criteria(saved["items"]), reasons + list(dict.fromkeys(map(tuple, saved["concerns"])))
    if folder.is_dir():
        row.update(status="not graded yet", reason="submitted since the last grading run")
        return row, [], reasons
    row.update(status="missing", reason="no submission")
    reasons.append(("missing", "not submitted"))
    return row, [], reasons


def _criteria(items: list[dict]) -> list[dict]:
    """Criterion rows from the item results the grader saved (:func:`alongside.cohort.answers.criterion_rows`)."""
    rows = []
    for item in items:
        try:
            rows.extend(criterion_rows(ItemResult.from_dict(item)))
        except (TypeError, KeyError):  # saved in another shape by an older grader: left out
            continue
    return rows


def _shares(criteria: pd.DataFrame, grades: pd.DataFrame, by_hand: set = frozenset()) -> pd.DataFrame:
    """One row per criterion: the share of trainees who met it, how many, whether to revisit it, and
    whether its automatic marks are to be checked by hand (``by_hand``: (exercise, item, criterion))."""
    columns = ["exercise", "item", "criterion", "looks_for", "met_share", "trainees", "revisit", "check_by_hand"]
    if criteria.empty:
        return pd.DataFrame(columns=columns)
    # one vote per trainee and criterion (a rewrites item scores each rewrite on the same criteria)
    per_trainee = criteria.groupby(["exercise", "item", "criterion", "looks_for", "trainee"], sort=False)["met"].mean()
    shares = per_trainee.groupby(level=[0, 1, 2, 3], sort=False).agg(["mean", "count"]).reset_index()
    shares.columns = ["exercise", "item", "criterion", "looks_for", "met_share", "trainees"]
    shares["met_share"] = shares["met_share"].round(3)
    shares["revisit"] = shares["met_share"] < REVISIT_SHARE
    shares["check_by_hand"] = [(r.exercise, r.item, r.criterion) in by_hand for r in shares.itertuples()]
    return shares[columns].sort_values(["exercise", "met_share"]).reset_index(drop=True)


def safe_cell(value):
    """A text cell that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading quote."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def _safe_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with :func:`safe_cell` applied to every text column."""
    frame = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(safe_cell)
    return frame


def write_reports(cohort: Cohort | str, pseudonymise: bool = False, low: float = LOW_SHARE,
                  tables: CohortTables | None = None) -> list[Path]:
    """Write reports/grades.csv, criteria.csv, items.csv, follow-up.csv and cohort.html; return their paths.

    ``tables`` (from :func:`cohort_tables`, not pseudonymised) saves building them again.
    """
    if not isinstance(cohort, Cohort):
        cohort = open_cohort(cohort)
    tables = tables if tables is not None else cohort_tables(cohort, low=low)
    if pseudonymise:
        tables = tables.pseudonymised(cohort)
    cohort.reports.mkdir(parents=True, exist_ok=True)
    from alongside.cohort.page import render_html

    names = ("grades.csv", "criteria.csv", "items.csv", "follow-up.csv", "cohort.html")
    paths = {name: cohort.reports / name for name in names}
    _write(paths["grades.csv"], _safe_csv(tables.grades).to_csv(index=False))
    _write(paths["criteria.csv"], _safe_csv(tables.shares).to_csv(index=False))
    _write(paths["items.csv"], _safe_csv(tables.items).to_csv(index=False))
    _write(paths["follow-up.csv"], _safe_csv(tables.follow_up).to_csv(index=False))
    _write(paths["cohort.html"], render_html(tables, title=f"Cohort report: {cohort.root.name}"))
    return list(paths.values())


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)




__all__ = ["CohortTables", "cohort_tables", "follow_up_first", "plain_reason", "pseudonym", "write_reports"]
