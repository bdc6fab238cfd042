"""A printable completion record per trainee, for their continuing professional development (CPD) file.

One page per trainee (``reports/records/<trainee>.html``, plus an ``index.html``): each module's
exercise with its status, score and date from nbgrader's gradebook, and the "read and understood"
confirmation the trainee signs in the last exercise. The confirmation is the answer to an item
with id ``read_and_understood`` in an exercise's spec (``data/exercises/<id>.yaml``; the last
exercise that has one), read from the graded notebook without running it; when there is no such
item or the answer is blank, the record says "not signed". Under pseudonyms a record says only
"signed" (with the date the trainee gave, if it is just a date): the name typed is left out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
from pathlib import Path

import nbformat

from alongside import grading
from alongside.cohort.answers import read_and_understood, read_answers
from alongside.cohort.course import Cohort, open_cohort
from alongside.cohort.report import CohortTables, _write, cohort_tables, pseudonym

CONFIRM_ITEM = "read_and_understood"

_CSS = """
body{font-family:Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.5}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left} th{background:#eee}
.sign{margin-top:2.5rem} .line{display:inline-block;min-width:16rem;border-bottom:1px solid #111}
@media print{body{margin:1cm}}
"""


def confirmation(cohort: Cohort, trainee: str, exercise: str) -> object | None:
    """The trainee's answer to the "read and understood" item in an exercise, or None if not signed.

    The graded notebook is read first, then the submitted one; the answer is as the trainee typed it
    (usually ``{"name": ..., "date": ...}``).
    """
    try:
        grading.item_spec(exercise, CONFIRM_ITEM)
    except Exception:
        return None
    for folder in (cohort.graded(trainee, exercise), cohort.submission(trainee, exercise)):
        for path in sorted(folder.glob("*.ipynb")):
            try:
                answer = read_answers(nbformat.read(path, as_version=4), exercise).get(CONFIRM_ITEM)
            except Exception:  # a damaged notebook has no readable confirmation
                continue
            if read_and_understood(answer):
                return answer
    return None


_DATE = re.compile(r"\d{1,2}(st|nd|rd|th)? (%s)( \d{4})?|\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?|\d{4}-\d{2}-\d{2}"
                   % "|".join(calendar.month_name[1:] + calendar.month_abbr[1:]), re.IGNORECASE)


def signed_date(answer: object) -> str:
    """The date a confirmation was signed on, when the form has a date field and it holds only a date; else ""."""
    date = str(answer.get("date") or "").strip() if isinstance(answer, dict) else ""
    return date if _DATE.fullmatch(date) else ""


def confirming_exercise(exercises: list[str]) -> str:
    """The exercise that holds the confirmation: the last one with a read_and_understood item, else the last."""
    for exercise in reversed(exercises):
        try:
            grading.item_spec(exercise, CONFIRM_ITEM)
            return exercise
        except Exception:
            continue
    return exercises[-1] if exercises else ""


def exercise_title(exercise: str) -> str:
    """An exercise's title from its spec (its id when it has no spec)."""
    try:
        return str(grading.exercise(exercise).get("title", exercise))
    except Exception:
        return exercise


def record_html(trainee_shown: str, name: str, rows: list[dict], signed: str | None, last: str) -> str:
    """One trainee's completion record as a printable HTML page (all text escaped).

    ``signed`` is what to show of the confirmation: the text signed, "" for signed with nothing
    to show, or None for not signed.
    """
    e = html.escape
    body = []
    for r in rows:
        done = r["status"] in ("graded", "late")
        score = f"{r['score']:g} of {r['max_score']:g} ({r['percent']:g}%)" if done and r["percent"] is not None else ""
        body.append(f"<tr><td>{e(r['exercise'])}</td><td>{e(exercise_title(r['exercise']))}</td>"
                    f"<td>{'Completed' if done else e(r['status'].capitalize())}</td><td>{e(score)}</td>"
                    f"<td>{e(str(r['submitted'] or ''))}</td></tr>")
    completed = sum(r["status"] in ("graded", "late") for r in rows)
    when = next((r["submitted"] for r in rows if r["exercise"] == last and r["submitted"]), None)
    submitted = f" (submitted {e(str(when))})" if when else ""
    confirm = (f"Not signed (the confirmation in exercise {e(last)} is missing or blank)." if signed is None
               else f"Signed in exercise {e(last)}{submitted}{': ' + e(signed) if signed else '.'}")
    who = e(name) if name and name != trainee_shown else ""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Completion record: "
            f"{e(trainee_shown)}</title><style>{_CSS}</style></head><body>"
            f"<h1>Alongside: completion record</h1><p><strong>Trainee:</strong> {e(trainee_shown)}"
            f"{' (' + who + ')' if who else ''}</p>"
            f"<p><strong>Modules completed:</strong> {completed} of {len(rows)}</p>"
            "<table><thead><tr><th>Module</th><th>Title</th><th>Status</th><th>Score</th><th>Submitted</th></tr>"
            f"</thead><tbody>{''.join(body)}</tbody></table>"
            f"<p><strong>Read and understood:</strong> {confirm}</p>"
            f"<p class='sign'>Trainer: <span class='line'></span> &nbsp; Date: <span class='line'></span></p>"
            f"<p><small>Record made {e(dt.date.today().isoformat())} from the course gradebook.</small></p>"
            "</body></html>")


def write_records(cohort: Cohort | str, pseudonymise: bool = False, tables: CohortTables | None = None) -> Path:
    """Write one record per trainee and an index into reports/records/ (replacing earlier ones).

    ``tables`` (from :func:`cohort_tables`, not pseudonymised) saves building them again.
    With ``pseudonymise`` a record is named by the trainee's pseudonym and shows only that they
    signed, and the date they gave, never the name they typed. Returns the index's path.
    """
    if not isinstance(cohort, Cohort):
        cohort = open_cohort(cohort)
    tables = tables if tables is not None else cohort_tables(cohort)
    folder = cohort.reports / "records"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.html"):  # no named record may stay beside pseudonymised ones
        old.unlink()
    last = confirming_exercise(tables.exercises)
    links = []
    for trainee, group in tables.grades.groupby("trainee", sort=True):
        shown = pseudonym(cohort, trainee) if pseudonymise else trainee
        name = "" if pseudonymise else str(group["name"].iloc[0] or "")
        rows = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
                for r in group.to_dict("records")]
        answer = confirmation(cohort, trainee, last)
        if answer is None:
            signed = None
        elif pseudonymise:
            signed = "dated " + signed_date(answer) if signed_date(answer) else ""
        else:
            signed = read_and_understood(answer)
        page = record_html(shown, name, rows, signed, last)
        _write(folder / f"{shown}.html", page)
        links.append(f"<li><a href='{html.escape(shown)}.html'>{html.escape(shown)}</a></li>")
    _write(folder / "index.html", "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Completion "
           f"records</title></head><body><h1>Completion records</h1><ul>{''.join(links)}</ul></body></html>")
    return folder / "index.html"


__all__ = ["confirmation", "confirming_exercise", "exercise_title", "record_html", "signed_date", "write_records"]
