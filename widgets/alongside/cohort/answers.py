"""A trainee's answers read from a submitted notebook without running it, and what the report makes of them.

Each answer is the text of its answer cell (the cell whose first line is ``%%answer <exercise>
<item>``), read by the same reader the kernel uses (:func:`alongside.answer_text.parse_answer`).
The grader (:mod:`alongside.trusted`) marks each item once and saves the result; the report's rows
come from it (:func:`criterion_rows`), and the grader saves the follow-up :func:`concerns` found in
the trainee's own writing (:func:`free_texts`) beside it. :func:`marked_answers` reads a graded
notebook's answers the way the grader did, for the report's item analysis and examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from alongside import grading
from alongside.answer_text import cell_body, notebook_answers, parse_answer
from alongside.cells import cell_source, nbgrader_metadata
from alongside.language import categories, check_language
from alongside.privacy import module_for, personal_details
from alongside.text import normalise, strip_stub

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>")


def read_answers(nb, exercise_id: str) -> dict[str, object]:
    """Item id -> answer, for each of the exercise's answer cells in a notebook, without running anything."""
    return {item: parse_answer(exercise_id, item, text)
            for (exercise, item), text in notebook_answers(nb).items() if exercise == exercise_id}


def criterion_rows(result: grading.ItemResult) -> list[dict]:
    """The report's rows for one item's result: exercise, item, criterion, part, looks_for, met and
    points, one per criterion. A rewrites item has one row per rubric criterion per rewrite, named
    by the rubric's criterion (``r1/plain_words`` is the row ``plain_words`` with part ``r1``), so
    the report can put a trainee's rewrites together; the line each rewrite has for itself is not a
    row. ``part`` is "" for the other kinds."""
    rows = []
    for c in result.criteria:
        if "/" not in c.id and _kind(result) == "rewrites":
            continue
        part, _, criterion = c.id.rpartition("/")
        rows.append({"exercise": result.exercise, "item": result.item, "criterion": criterion, "part": part,
                     "looks_for": c.looks_for, "met": c.met, "points": c.points})
    return rows


def marked_answers(folder: Path, exercise_id: str, cells: dict[str, dict[tuple[str, str], str]]) -> dict[str, object]:
    """Item id -> answer in one graded submission, read as the grader read it, never run.

    ``cells`` is notebook name -> (exercise id, item id) -> the grade id of its answer cell, from the
    release in the gradebook (:func:`alongside.trusted.answer_cells`): an answer is the text of the
    cell with that grade id, so an edited first line changes nothing. A notebook in ``folder`` that
    cannot be read gives no answers.
    """
    found = {}
    for notebook, by_item in cells.items():
        try:
            nb = nbformat.read(folder / f"{notebook}.ipynb", as_version=4)
        except Exception:  # a damaged or missing notebook: nothing to read
            continue
        by_id = {nbgrader_metadata(c).get("grade_id"): c for c in nb.get("cells", []) if nbgrader_metadata(c).get("solution")}
        for (exercise, item), grade_id in by_item.items():
            if exercise == exercise_id and grade_id in by_id:
                found[item] = parse_answer(exercise, item, cell_body(cell_source(by_id[grade_id])))
    return found


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(result: grading.ItemResult) -> str:
    try:
        return str(grading.item_spec(result.exercise, result.item)["kind"])
    except Exception:  # a broken spec: its result has no criteria anyway
        return ""


@dataclass(frozen=True)
class FreeText:
    """A trainee's own writing in a notebook, with what the privacy check needs to read it:
    ``kind`` ("letter" for a letter, else "reflection") and the ``module`` whose invented people
    it may name (None under a rubric that checks anonymity; see :func:`alongside.privacy.module_for`)."""

    text: str
    kind: str = "reflection"
    module: str | None = None


def free_texts(exercise_id: str, nb, values: dict[str, object]) -> list[FreeText]:
    """The trainee's own writing in a notebook: text answers to rubric items, letters, and written reflections."""
    texts = []
    for spec in grading.exercise(exercise_id)["items"]:
        kind = spec.get("kind")
        if kind in ("rubric", "rewrites", "reflection_parts", "letter"):
            module = module_for(exercise_id, spec.get("rubric"))
            texts.extend(FreeText(t, "letter" if kind == "letter" else "reflection", module)
                         for t in grading.answer_texts(values.get(spec["id"])))
    for cell in nb.get("cells", []):
        meta = nbgrader_metadata(cell)
        if cell.get("cell_type") == "markdown" and meta.get("solution"):
            texts.append(FreeText(strip_stub(cell_source(cell)), "reflection", exercise_id))
    cleaned = (FreeText(normalise(strip_stub(t.text)).strip(), t.kind, t.module) for t in texts)
    return [t for t in cleaned if t.text]


def quoted_phrases(notebooks: list) -> set[str]:
    """Harmful-language phrases the exercise itself uses (its story, its model answers), lower case.

    A trainee who quotes the story ("afraid of being seen as a difficult parent") is not flagged
    for it; wording the trainee brings in is.
    """
    found = set()
    for nb in notebooks:
        for cell in nb.get("cells", []):
            # as written, in code or in quotes: an exercise's story is often a quoted string
            found |= {p.lower() for c in categories() for p in c.phrases.mentioned(cell_source(cell))}
    return found


def concerns(texts: list[str | FreeText], quoted: set[str] = frozenset()) -> list[tuple[str, str]]:
    """Things in a trainee's writing a trainer should follow up: (kind, reason) pairs.

    Kinds: ``harmful`` (wording that can hurt a parent, with the phrase; phrases in ``quoted``,
    which the exercise itself uses, are left out), ``personal`` (what looks like a real family's
    details, by the same privacy check the trainee saw: only the kind of detail is named, never
    the detail), ``markup`` (HTML or script pasted into an answer). A plain string is read as a
    reflection with no invented people expected.
    """
    found = []
    for item in texts:
        item = item if isinstance(item, FreeText) else FreeText(item)
        text = item.text
        for flag in check_language(text)["flags"]:
            if flag["phrase"].lower() in quoted:
                continue
            found.append(("harmful", f"wording that can hurt a parent: \"{flag['phrase']}\" ({flag['category']})"))
        kinds = list(dict.fromkeys(d["kind"] for d in personal_details(text, item.kind, item.module)))
        if kinds:
            found.append(("personal", f"possible details of a real family: {', '.join(kinds)}"))
        markup = _MARKUP.search(text)
        if markup:
            found.append(("markup", f"markup pasted into an answer: {_short(markup.group(0), 40)}"))
    return list(dict.fromkeys(found))


def read_and_understood(answer: object) -> str | None:
    """The trainee's signed "read and understood" confirmation, or None when it is not signed.

    Accepts the answer as text (their name), True, or a dict whose text fields are filled in
    (e.g. ``{"name": ..., "date": ...}``); a blank, the stub or False is "not signed".
    """
    if answer is True:
        return "confirmed"
    if isinstance(answer, str):
        text = strip_stub(answer).strip()
        return text or None
    if isinstance(answer, dict):
        parts = {str(k): strip_stub(str(v)).strip() for k, v in answer.items() if v not in (None, False)}
        if parts and all(parts.values()):
            return "; ".join(f"{k}: {v}" for k, v in parts.items())
    return None
