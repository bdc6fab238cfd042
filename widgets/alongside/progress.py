"""A trainee's progress over the whole course: which modules are done and their self-check scores.

A module is done when every activity in its teaching notebook has an answer (the activities are
listed in data/modules.yaml; see :mod:`alongside.activities`). Running a notebook's cells is not
enough. Progress lives in the trainee's store (:mod:`alongside.store`), beside the course, so it
survives kernel restarts and closed tabs. Each module's entry is keyed by its id, for example
``"02-words"``: ``{"done": "2026-11-25", "items": {"listening": {"points": 4, "max": 6}}}``.
The self-check (:func:`alongside.grading.check`) fills in ``items``; :func:`mark_done`, the last
cell of each teaching notebook, says what is left and records the day the module was finished.
"""

from __future__ import annotations

import datetime
import html

from IPython.display import HTML

from alongside.activities import activities, describe, unanswered
from alongside.data import load_yaml
from alongside.store import answers, progress


def modules() -> list[dict]:
    """The course's modules in order, from data/modules.yaml (00 is the start page)."""
    return load_yaml("modules.yaml")["modules"]


def _module(module_id: str) -> dict | None:
    return next((m for m in modules() if m["id"] == module_id), None)


def mark_done(module_id: str, today: datetime.date | None = None) -> None:
    """Say whether a module is done; when every activity has an answer, record the day it was finished."""
    module = _module(module_id)
    if module is None:
        print(f"There is no module called {module_id!r}, so nothing was recorded.")
        return
    name = f"Module {module['number']:02d}, {module['title']},"
    try:
        saved = progress().all()
        missing = unanswered(module, answers().all(), saved)
    except OSError:
        print("Your answers could not be read on this computer, so your progress was not checked.")
        return
    if missing:
        total = len(activities(module))
        print(
            f"{name} is not done yet: you have answered {total - len(missing)} of its {total} activities. "
            f"Still to do: {describe(missing)}. Your answers are saved as you go, so come back to it at any time."
        )
        return
    entry = saved.get(module_id) if isinstance(saved.get(module_id), dict) else {}
    day = entry.get("done") if isinstance(entry.get("done"), str) else (today or datetime.date.today()).isoformat()
    entry["done"] = day
    try:
        progress().set(module_id, entry)
    except OSError:
        print("Your progress could not be saved on this computer. Your work in the notebook is safe.")
        return
    print(f"{name} is done ({day}): you have answered every activity. The start page (00-start-here) shows your progress.")


def summary() -> list[dict]:
    """One row per module after the start page: number, id, title, activities answered, done date and self-check points."""
    try:
        saved, given = progress().all(), answers().all()
    except OSError:
        saved, given = {}, {}
    rows = []
    for module in modules():
        if module["number"] == 0:
            continue
        entry = saved.get(module["id"])
        entry = entry if isinstance(entry, dict) else {}
        items = entry.get("items") if isinstance(entry.get("items"), dict) else {}
        points = [i for i in items.values() if isinstance(i, dict)]
        total = len(activities(module))
        answered = total - len(unanswered(module, given, saved))
        rows.append(
            {
                "number": module["number"],
                "id": module["id"],
                "title": module["title"],
                "activities": total,
                "answered": answered,
                "done": answered == total,
                "done_on": entry.get("done") if isinstance(entry.get("done"), str) else None,
                "points": sum(_number(i.get("points")) for i in points) if points else None,
                "max": sum(_number(i.get("max")) for i in points) if points else None,
                "checked": len(points),
            }
        )
    return rows


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _state(row: dict) -> str:
    if row["done"]:
        return f"Done ({row['done_on']})" if row["done_on"] else "Done"
    if row["answered"] or row["checked"]:
        return f"Started: {row['answered']} of {row['activities']} activities answered"
    return "Not started"


def _score(row: dict) -> str:
    if row["points"] is None:
        return "No self-check yet"
    return f"{row['points']:g} of {row['max']:g} ({row['checked']} answer{'s' if row['checked'] != 1 else ''} checked)"


# Read across a row from the left, like the rest of the page (JupyterLab right-aligns table cells).
_STYLE = ".alongside-progress-box table.alongside-progress th, .alongside-progress-box table.alongside-progress td { text-align: left; }"


def table_html(rows: list[dict] | None = None) -> str:
    """The progress table as HTML: each module with a link, its state in words and its self-check score."""
    rows = summary() if rows is None else rows
    body = "".join(
        f"<tr><td>{row['number']:02d}</td>"
        f'<td><a href="{html.escape(row["id"])}.ipynb">{html.escape(row["title"])}</a></td>'
        f"<td>{html.escape(_state(row))}</td><td>{html.escape(_score(row))}</td></tr>"
        for row in rows
    )
    done = sum(1 for r in rows if r["done"])
    return (
        f"<style>{_STYLE}</style>"
        f'<div class="alongside-progress-box"><p class="alongside-progress-summary">'
        f"You have finished {done} of {len(rows)} modules.</p>"
        '<table class="alongside-progress"><caption>Your progress</caption>'
        '<thead><tr><th scope="col">Module</th><th scope="col">Title</th>'
        '<th scope="col">State</th><th scope="col">Self-check score</th></tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def show():
    """The progress table for the start page, as HTML whose module links JupyterLab opens in place
    (re-run the cell to refresh it)."""
    return HTML(table_html())
