"""The cohort report: who scored what, which ideas to revisit, who needs a follow-up, and why.

:func:`cohort_tables` builds the tables (pandas) from nbgrader's gradebook (the official points,
dates and lateness), the grading ledger (what could not be graded, and why) and the trainees'
answers re-scored criterion by criterion (:mod:`alongside.cohort.answers`). :func:`write_reports`
writes them as ``reports/grades.csv``, ``reports/criteria.csv``, ``reports/follow-up.csv`` and one
self-contained page, ``reports/cohort.html`` (plots inline as PNG, no scripts, every trainee text
escaped). With ``pseudonymise=True`` trainees appear under stable pseudonyms in every export.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import io
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alongside.cohort.answers import criterion_rows
from alongside.cohort.course import Cohort, exercise_ids, gradebook, open_cohort, trainee_ids
from alongside.cohort.ledger import fingerprint, status as ledger_status
from alongside.grading import ItemResult
from alongside.trusted import read_marks

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
        follow_up = follow_up.assign(reason=[_plain_reason(kind, reason) for kind, reason in
                                             zip(follow_up["kind"], follow_up["reason"])])
        return CohortTables(grades, swap(self.criteria), self.shares, follow_up, self.exercises)

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


def _plain_reason(kind: str, reason: str) -> str:
    if kind in _PLAIN_REASONS:
        return _PLAIN_REASONS[kind]
    if kind in _FIXED_WORDS:
        return reason
    if reason.startswith(_NOT_GRADED):
        return _NOT_GRADED + without_excerpt(reason[len(_NOT_GRADED):])
    return without_excerpt(reason)


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
        names = {s.id: " ".join(p for p in (s.first_name, s.last_name) if p) for s in gb.students}
        info = {}
        for ex in exercises:
            assignment = gb.find_assignment(ex)
            info[ex] = {"max": float(assignment.max_score), "due": assignment.duedate, "subs": {}}
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
    criteria = pd.DataFrame(marks, columns=["trainee", "exercise", "item", "criterion", "looks_for", "met"])
    follow_up = pd.DataFrame(follow, columns=["trainee", "exercise", "kind", "reason"])
    tables = CohortTables(grades, criteria, _shares(criteria, grades), follow_up, exercises)
    return tables.pseudonymised(cohort) if pseudonymise else tables


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


def _shares(criteria: pd.DataFrame, grades: pd.DataFrame) -> pd.DataFrame:
    columns = ["exercise", "item", "criterion", "looks_for", "met_share", "trainees", "revisit"]
    if criteria.empty:
        return pd.DataFrame(columns=columns)
    # one vote per trainee and criterion (a rewrites item scores each rewrite on the same criteria)
    per_trainee = criteria.groupby(["exercise", "item", "criterion", "looks_for", "trainee"], sort=False)["met"].mean()
    shares = per_trainee.groupby(level=[0, 1, 2, 3], sort=False).agg(["mean", "count"]).reset_index()
    shares.columns = ["exercise", "item", "criterion", "looks_for", "met_share", "trainees"]
    shares["met_share"] = shares["met_share"].round(3)
    shares["revisit"] = shares["met_share"] < REVISIT_SHARE
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
    """Write reports/grades.csv, criteria.csv, follow-up.csv and cohort.html; return their paths.

    ``tables`` (from :func:`cohort_tables`, not pseudonymised) saves building them again.
    """
    if not isinstance(cohort, Cohort):
        cohort = open_cohort(cohort)
    tables = tables if tables is not None else cohort_tables(cohort, low=low)
    if pseudonymise:
        tables = tables.pseudonymised(cohort)
    cohort.reports.mkdir(parents=True, exist_ok=True)
    paths = {name: cohort.reports / name for name in ("grades.csv", "criteria.csv", "follow-up.csv", "cohort.html")}
    _write(paths["grades.csv"], _safe_csv(tables.grades).to_csv(index=False))
    _write(paths["criteria.csv"], _safe_csv(tables.shares).to_csv(index=False))
    _write(paths["follow-up.csv"], _safe_csv(tables.follow_up).to_csv(index=False))
    _write(paths["cohort.html"], render_html(tables, title=f"Cohort report: {cohort.root.name}"))
    return list(paths.values())


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ---- the HTML page -------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee} td.num{text-align:right} .note{color:#444;font-size:.9rem}
img{max-width:100%;height:auto} ul{margin:.2rem 0;padding-left:1.2rem}
@media print{body{margin:0}}
"""


def render_html(tables: CohortTables, title: str = "Cohort report") -> str:
    """The report as one self-contained HTML page (no scripts, no links out); all text escaped."""
    e = html.escape
    g = tables.grades
    graded = g[g["status"].isin(["graded", "late"])]
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>",
             f"<p class='note'>Made {e(dt.datetime.now().strftime('%Y-%m-%d %H:%M'))}. "
             f"{g['trainee'].nunique()} trainees, {len(tables.exercises)} exercises, {len(graded)} graded submissions, "
             f"{int((g['status'] == 'missing').sum())} missing, {int((g['status'] == 'not graded').sum())} "
             f"could not be graded.</p>"]
    parts.append("<h2>Who needs a follow-up</h2>")
    parts.append(_follow_up_html(tables.follow_up))
    parts.append("<h2>Ideas to revisit in the next group session</h2>")
    parts.append(f"<p class='note'>For each criterion, the share of graded trainees who met it. "
                 f"\"Revisit\" marks those met by fewer than {REVISIT_SHARE:.0%}. Statements to classify count as "
                 f"criteria too. Items built with code rather than typed in are left out of these shares.</p>")
    if not tables.shares.empty:
        parts.append(_plot_shares(tables.shares))
        shares = tables.shares.assign(met=(tables.shares["met_share"] * 100).round(0).astype(int).astype(str) + "%",
                                      revisit=tables.shares["revisit"].map({True: "Revisit", False: ""}))
        parts.append(shares[["exercise", "item", "criterion", "looks_for", "met", "trainees", "revisit"]]
                     .to_html(index=False, escape=True))
    parts.append("<h2>Scores per trainee and exercise (percent)</h2>")
    parts.append(_scores_html(tables))
    parts.append("<h2>Distributions</h2>")
    parts.append(_plot_distributions(tables))
    parts.append("<h2>Every submission</h2>")
    parts.append(g.to_html(index=False, escape=True, na_rep=""))
    parts.append("</body></html>")
    return "\n".join(parts)


def _follow_up_html(follow_up: pd.DataFrame) -> str:
    if follow_up.empty:
        return "<p>No one: every trainee submitted everything on time, scored well and wrote nothing to check.</p>"
    e = html.escape
    rows = []
    for trainee, group in follow_up.groupby("trainee", sort=True):
        items = "".join(f"<li>{e(str(r.exercise))}: {e(str(r.reason))}</li>" for r in group.itertuples())
        kinds = ", ".join(sorted(set(group["kind"])))
        rows.append(f"<tr><td>{e(str(trainee))}</td><td>{e(kinds)}</td><td><ul>{items}</ul></td></tr>")
    return ("<table><thead><tr><th>Trainee</th><th>What</th><th>Why</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _scores_html(tables: CohortTables) -> str:
    g = tables.grades
    marks = {"late": " (late)", "missing": "missing", "not graded": "not graded", "not graded yet": "waiting"}
    cells = g.apply(lambda r: (f"{r.percent:g}" if pd.notna(r.percent) else "") + marks.get(r.status, ""), axis=1)
    table = g.assign(cell=cells).pivot(index="trainee", columns="exercise", values="cell").reindex(columns=tables.exercises)
    return table.to_html(escape=True, na_rep="")


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plot_shares(shares: pd.DataFrame) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = shares.sort_values("met_share")
    labels = [f"{r.exercise} {r.item}: {r.criterion}" for r in data.itertuples()]
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.22 * len(data))))
    ax.barh(range(len(data)), data["met_share"] * 100, color="#4a6fa5")
    ax.set_yticks(range(len(data)), labels, fontsize=7)
    ax.axvline(REVISIT_SHARE * 100, color="#333", linestyle="--", linewidth=1)
    ax.set_xlabel("Share of graded trainees who met it (%)")
    ax.set_xlim(0, 100)
    for i, value in enumerate(data["met_share"] * 100):
        ax.text(min(value + 1, 92), i, f"{value:.0f}%", va="center", fontsize=7)
    alt = "Bar chart of the share of trainees who met each criterion; the same figures are in the table below."
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{_png(fig)}'>"


def _plot_distributions(tables: CohortTables) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = tables.grades
    count = len(tables.exercises)
    fig, axes = plt.subplots(1, count + 1, figsize=(2.6 * (count + 1), 2.4), sharey=False, squeeze=False)
    for ax, ex in zip(axes[0], tables.exercises):
        values = g.loc[(g["exercise"] == ex) & g["percent"].notna(), "percent"]
        ax.hist(values, bins=range(0, 101, 10), color="#4a6fa5", edgecolor="white")
        ax.set_title(ex, fontsize=9)
        ax.set_xlabel("percent", fontsize=8)
    status = g.groupby("status").size()
    ax = axes[0][-1]
    ax.bar(range(len(status)), status.values, color="#888")
    ax.set_xticks(range(len(status)), status.index, rotation=45, ha="right", fontsize=8)
    ax.set_title("submissions by status", fontsize=9)
    percent = g.groupby("exercise")["percent"]
    summary = pd.DataFrame({"graded": percent.count(), "mean": percent.mean(), "median": percent.median(),
                            "lowest": percent.min(), "highest": percent.max()}).round(1).reindex(tables.exercises)
    alt = "Histograms of percent scores per exercise and a bar chart of submissions by status."
    return (f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{_png(fig)}'>"
            + summary.to_html(escape=True, na_rep=""))


__all__ = ["CohortTables", "cohort_tables", "pseudonym", "render_html", "write_reports"]
