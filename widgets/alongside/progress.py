"""A trainee's progress over the whole course: which modules are done and their self-check scores.

Progress lives in the trainee's store (:mod:`alongside.store`), beside the course, so it
survives kernel restarts and closed tabs. Each module's entry is keyed by its id, for example
``"02-words"``: ``{"done": "2026-11-25", "items": {"listening": {"points": 4, "max": 6}}}``.
The self-check (:func:`alongside.grading.check`) fills in ``items``; :func:`mark_done` fills in
``done`` when a trainee reaches the end of a teaching notebook.
"""

from __future__ import annotations

import datetime
import html

from alongside.data import load_yaml
from alongside.store import progress


def modules() -> list[dict]:
    """The course's modules in order, from data/modules.yaml."""
    return load_yaml("modules.yaml")["modules"]


def _module(module_id: str) -> dict | None:
    return next((m for m in modules() if m["id"] == module_id), None)


def mark_done(module_id: str, today: datetime.date | None = None) -> None:
    """Record that the trainee reached the end of a module's notebook, and say so."""
    module = _module(module_id)
    if module is None:
        print(f"There is no module called {module_id!r}, so nothing was recorded.")
        return
    day = (today or datetime.date.today()).isoformat()
    try:
        entry = progress().get(module_id, {})
        entry = entry if isinstance(entry, dict) else {}
        entry["done"] = day
        progress().set(module_id, entry)
    except OSError:
        print("Your progress could not be saved on this computer. Your work in the notebook is safe.")
        return
    print(
        f"Module {module['number']:02d}, {module['title']}, is marked as done ({day}). "
        "The start page (00-start-here) shows your progress."
    )


def summary() -> list[dict]:
    """One row per module: number, id, title, status, done date and self-check points."""
    try:
        saved = progress().all()
    except OSError:
        saved = {}
    rows = []
    for module in modules():
        entry = saved.get(module["id"])
        entry = entry if isinstance(entry, dict) else {}
        items = entry.get("items") if isinstance(entry.get("items"), dict) else {}
        points = [i for i in items.values() if isinstance(i, dict)]
        rows.append(
            {
                "number": module["number"],
                "id": module["id"],
                "title": module["title"],
                "status": module["status"],
                "done": entry.get("done") if isinstance(entry.get("done"), str) else None,
                "points": sum(_number(i.get("points")) for i in points) if points else None,
                "max": sum(_number(i.get("max")) for i in points) if points else None,
                "checked": len(points),
            }
        )
    return rows


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _state(row: dict) -> str:
    if row["status"] != "ready":
        return "Coming soon"
    if row["done"]:
        return f"Done ({row['done']})"
    if row["checked"]:
        return "Started"
    return "Not started"


def _score(row: dict) -> str:
    if row["points"] is None:
        return "No self-check yet"
    return f"{row['points']:g} of {row['max']:g} ({row['checked']} answer{'s' if row['checked'] != 1 else ''} checked)"


def table_html(rows: list[dict] | None = None) -> str:
    """The progress table as HTML: each module with a link, its state in words and its self-check score."""
    rows = summary() if rows is None else rows
    body = []
    for row in rows:
        title = html.escape(row["title"])
        if row["status"] == "ready":
            title = f'<a href="{html.escape(row["id"])}.ipynb">{title}</a>'
        body.append(
            f"<tr><td>{row['number']:02d}</td><td>{title}</td>"
            f"<td>{html.escape(_state(row))}</td><td>{html.escape(_score(row))}</td></tr>"
        )
    done = sum(1 for r in rows if r["done"] and r["status"] == "ready" and r["number"] > 0)
    ready = sum(1 for r in rows if r["status"] == "ready" and r["number"] > 0)
    return (
        f'<p class="alongside-progress-summary">You have finished {done} of the {ready} modules ready so far.</p>'
        '<table class="alongside-progress"><caption>Your progress</caption>'
        '<thead><tr><th scope="col">Module</th><th scope="col">Title</th>'
        '<th scope="col">State</th><th scope="col">Self-check score</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def show():
    """The progress table as a widget for the start page (re-run the cell to refresh it)."""
    import ipywidgets as widgets

    box = widgets.HTML(table_html())
    box.add_class("alongside-progress-box")
    return box
