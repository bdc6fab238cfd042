"""Trusted marking for nbgrader: every mark comes from the text of an answer cell, read by the grader.

Stock nbgrader grades a notebook by running it, so any code in a trainee's notebook runs in the
process that marks it and can change the mark. Alongside's answers are plain text in answer cells
(:mod:`alongside.answer_text`), so nothing needs to run. :func:`configure` sets nbgrader up to
grade that way; the course's ``nbgrader_config.py`` calls it, so ``nbgrader autograde`` and
``alongside cohort grade`` run the same steps:

- ``Autograde.sanitize_preprocessors``: nbgrader's own, with :class:`DropDuplicateIds` in place of
  ``DeduplicateIds`` (nbgrader 0.9.6 leaves a copied cell with empty metadata, which its own check
  then rejects, stopping the batch) and :class:`alongside.sanitise.SanitiseMarkdown` last, so a
  trainee's markdown cannot carry a script into the feedback or the formgrader;
- ``Autograde.autograde_preprocessors``: :class:`TrustedMarking` in place of ``Execute``: each
  hidden-test cell (its source restored from the gradebook by nbgrader's ``OverwriteCells``) names
  the item it marks, ``mark("02-words", "classify")``; the answer is the text of the solution cell
  whose released first line is ``%%answer 02-words classify`` (found in the gradebook by the cell's
  id, so editing that line in a submission changes nothing). The item is marked by
  :func:`alongside.grading.evaluate` with the answer key from the course folder, and the cell's
  output becomes the feedback and the points, exactly as running ``mark`` would print and return.
  The course folder's own learned models mark it when it has them (:func:`use_course_models`).
  Then nbgrader's ``SaveAutoGrades`` writes the points, and :class:`SaveMarks` writes each item's
  criteria for the cohort report (``.alongside/marks/<trainee>/<exercise>/<notebook>.json``);
- ``GenerateAssignment.preprocessors``: :class:`SetPoints` first, so an item's points come from one
  place, its exercise's spec (``data/exercises/<id>.yaml``), and reach the gradebook and the release.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
from pathlib import Path

from nbgrader.preprocessors import DeduplicateIds, NbGraderPreprocessor
from nbformat.v4 import new_output

from alongside.cells import cell_source, nbgrader_metadata

MARKS_DIR = Path(".alongside") / "marks"
_MARK_CALL = re.compile(r"""\bmark\(\s*["']([^"'\n]+)["']\s*,\s*["']([^"'\n]+)["']""")


def marked_item(source: str) -> tuple[str, str] | None:
    """(exercise id, item id) a hidden-test cell marks: the ``mark("<exercise>", "<item>")`` in its source."""
    found = _MARK_CALL.search(source)
    return (found.group(1), found.group(2)) if found else None


def _is_test(cell) -> bool:
    meta = nbgrader_metadata(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def course_root(config) -> Path:
    """The course folder nbgrader is working in (``CourseDirectory.root``)."""
    from nbgrader.coursedir import CourseDirectory

    return Path(CourseDirectory(config=config).root).resolve()


def answer_cells(db_url: str, assignment: str, notebook: str) -> dict[tuple[str, str], str]:
    """(exercise id, item id) -> grade id of its answer cell, from the released cells nbgrader keeps in its gradebook."""
    from nbgrader.api import Gradebook

    from alongside.answer_text import cell_item

    found = {}
    with Gradebook(db_url) as gb:
        for cell in gb.find_notebook(notebook, assignment).source_cells:
            item = cell_item(cell.source or "")
            if item:
                found.setdefault(item, cell.name)
    return found


def mark_cell(exercise_id: str, item_id: str, body: str | None, points: float):
    """The result for one item from its answer text (None when the notebook has no answer cell for it)."""
    from alongside.answer_text import parse_answer
    from alongside.grading import evaluate

    if body is None:
        result = evaluate(exercise_id, item_id, None, points=points)
        result.notes.insert(0, "Your notebook has no answer cell for this item (it may have been deleted), "
                               "so there was nothing to mark.")
        return result
    return evaluate(exercise_id, item_id, parse_answer(exercise_id, item_id, body), points=points)


def _outputs(result) -> list:
    return [new_output("stream", name="stdout", text=result.report() + "\n"),
            new_output("execute_result", data={"text/plain": repr(float(result.points))}, execution_count=1)]


class TrustedMarking(NbGraderPreprocessor):
    """Fill each hidden-test cell's output from the grader's own marking of the answer text; run nothing."""

    def preprocess(self, nb, resources):
        """Mark every item of the notebook; keep the results in ``resources["alongside"]`` for :class:`SaveMarks`."""
        from alongside.answer_text import cell_body

        use_keys(course_root(self.config))
        use_course_models(course_root(self.config))
        info = resources["nbgrader"]
        cells = answer_cells(info["db_url"], info["assignment"], info["notebook"])
        by_id = {nbgrader_metadata(c).get("grade_id"): c for c in nb.cells if nbgrader_metadata(c).get("solution")}
        results = []
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                cell.outputs, cell.execution_count = [], None
            if not _is_test(cell):
                continue
            points = float(nbgrader_metadata(cell).get("points", 0))
            item = marked_item(cell_source(cell))
            if item is None:
                cell.outputs = [new_output("stream", name="stderr", text=(
                    "This test cell does not name an item to mark, and the grader runs no code: it earns 0 points. "
                    "Mark it by hand in the formgrader.\n"))]
                continue
            answer = by_id.get(cells.get(item))
            result = mark_cell(*item, None if answer is None else cell_body(cell_source(answer)), points)
            cell.outputs = _outputs(result)
            cell.execution_count = 1
            results.append(result)
        resources["alongside"] = {"results": results}
        return nb, resources


def use_keys(root: Path) -> None:
    """Mark with the course folder's answer key (``answer-keys.yaml`` beside ``solutions/``)."""
    from alongside import keys

    keys.use(root / keys.FILE_NAME)


def use_course_models(root: Path) -> None:
    """Mark with the course folder's own learned models when it has them (``alongside train --course``), else the shipped ones."""
    from alongside import learned
    from alongside.cohort.course import models_folder

    folder = models_folder(root)
    learned.use_models(folder if folder.is_dir() else None)


def marks_path(root: Path, trainee: str, exercise: str, notebook: str) -> Path:
    """Where :class:`SaveMarks` keeps one notebook's item results."""
    return root / MARKS_DIR / trainee / exercise / f"{notebook}.json"


class SaveMarks(NbGraderPreprocessor):
    """After nbgrader's SaveAutoGrades: write each item's result, and what a trainer should follow up, for the report."""

    def preprocess(self, nb, resources):
        """Write ``resources["alongside"]["results"]`` and the submission's concerns as JSON in ``.alongside/marks``."""
        info = resources["nbgrader"]
        root = course_root(self.config)
        results = [dataclasses.asdict(r) for r in resources.get("alongside", {}).get("results", [])]
        saved = {"items": results, "concerns": submission_concerns(self.config, info)}
        path = marks_path(root, info["student"], info["assignment"], info["notebook"])
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
        return nb, resources


def submission_concerns(config, info: dict) -> list[list[str]]:
    """What a trainer should follow up in one submitted notebook, as [kind, reason] pairs (see
    :func:`alongside.cohort.answers.concerns`). It reads the notebook as submitted, before nbgrader
    changed it; phrases the exercise itself uses are not counted as the trainee's."""
    import nbformat
    from nbgrader.coursedir import CourseDirectory

    from alongside.cohort.answers import concerns, free_texts, read_answers

    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
    try:
        nb = nbformat.read(folder / f"{info['notebook']}.ipynb", as_version=4)
    except Exception:  # nbgrader has read it already; if it cannot be read again there is nothing to add
        return []
    exercise = info["assignment"]
    quoted = _quoted(str(Path(coursedir.format_path(coursedir.source_directory, ".", exercise))), exercise)
    return [list(c) for c in concerns(free_texts(exercise, nb, read_answers(nb, exercise)), quoted)]


@functools.lru_cache(maxsize=None)
def _quoted(source_folder: str, exercise: str) -> frozenset[str]:
    import nbformat

    from alongside.cohort.answers import quoted_phrases

    notebooks = []
    for path in sorted(Path(source_folder).glob("*.ipynb")):
        try:
            notebooks.append(nbformat.read(path, as_version=4))
        except Exception:
            continue
    return frozenset(quoted_phrases(notebooks))


def read_marks(root: Path, trainee: str, exercise: str) -> dict:
    """What the grader saved for one submission: ``{"items": [item results], "concerns": [[kind, reason]]}``."""
    saved = {"items": [], "concerns": []}
    for path in sorted((root / MARKS_DIR / trainee / exercise).glob("*.json")):
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            saved["items"].extend(found.get("items", []))
            saved["concerns"].extend(found.get("concerns", []))
        except (OSError, ValueError, AttributeError):
            continue
    return saved


class SetPoints(NbGraderPreprocessor):
    """When an exercise is released: each hidden-test cell's points become its item's points in the exercise's spec."""

    def preprocess_cell(self, cell, resources, index):
        """Set the points of a cell that marks an item; leave every other cell as it is."""
        from alongside.grading import item_spec

        item = marked_item(cell_source(cell)) if _is_test(cell) else None
        if item:
            cell.metadata["nbgrader"]["points"] = float(item_spec(*item)["points"])
        return cell, resources


class DropDuplicateIds(DeduplicateIds):
    """nbgrader's DeduplicateIds, but a copied cell loses its nbgrader metadata entirely (not left empty)."""

    def preprocess_cell(self, cell, resources, cell_index):
        """Keep the first cell with each grade id; make any copy a plain cell."""
        had = "nbgrader" in cell.metadata
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had and cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


def configure(c) -> None:
    """Set an nbgrader configuration (``c`` in ``nbgrader_config.py``) to grade with the trusted steps above."""
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearOutput,
                                        GetGrades, IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec,
                                        SaveAutoGrades)
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor

    from alongside.sanitise import SanitiseMarkdown

    c.Autograde.sanitize_preprocessors = [ClearOutput, DropDuplicateIds, OverwriteKernelspec, OverwriteCells,
                                          CheckCellMetadata, SanitiseMarkdown]
    c.Autograde.autograde_preprocessors = [TrustedMarking, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                           SaveAutoGrades, SaveMarks, AssignLatePenalties, CheckCellMetadata]
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    from nbgrader.converters import GenerateAssignment

    c.GenerateAssignment.preprocessors = [SetPoints, *GenerateAssignment.class_traits()["preprocessors"].default()]
