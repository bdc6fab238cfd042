"""The self-check under each answer cell: ``check("02-words", "listening")``.

It marks the answer the item's answer cell held when it was last run (:mod:`alongside.runs`),
with the same points nbgrader's grading gives, and shows one block of feedback. Statements to
sort are not marked here: their answer key is only on the trainer's side, so the check says
whether each statement has an answer the grader can read and gives the hint; the points and the
reason for each one come with the feedback after grading. When the answer cell has not been
run since the kernel started, it says so and marks nothing; when the cell has changed since it
was run, the page hides the result and says so (:class:`alongside.widgets.answer_guard.AnswerGuard`).
A score is saved with the trainee's progress (not when the grader is still to mark it).
"""

from __future__ import annotations

from IPython.display import display

from alongside.answer_text import first_line
from alongside.grading import ItemResult, evaluate, not_run
from alongside.runs import latest
from alongside.store import progress
from alongside.widgets.answer_guard import AnswerGuard
from alongside.widgets.result_block import message_html, result_html, result_text

NOTE = "The grader gives the same points. Change your answer, run its cell, then run this check again."
NOTE_NOT_MARKED = "Change your answer, run its cell, then run this check again."


def check(exercise_id: str, item_id: str) -> None:
    """Show the self-check for one item and save its score (nothing is returned, so nothing else is shown)."""
    run = latest(exercise_id, item_id)
    if run is None:
        result = not_run(exercise_id, item_id)
        title = f"Self-check: {result.title}"
        message = ("Not marked yet: you have not run your answer cell since the notebook's kernel started. "
                   f"Run the answer cell above (its first line is {first_line(exercise_id, item_id)}), "
                   "then run this check again.")
        display({"text/html": message_html(title, message), "text/plain": f"{title}\n{message}"}, raw=True)
        return
    result = evaluate(exercise_id, item_id, run.reading.value, reasons=False)
    note = NOTE if result.marked else NOTE_NOT_MARKED
    display({"text/html": result_html(result, note), "text/plain": result_text(result, note)}, raw=True)
    display(AnswerGuard(exercise=exercise_id, item=item_id, digest=run.digest))
    if result.marked:
        _save(result)


def _save(result: ItemResult) -> None:
    try:
        saved = progress().get(result.exercise, {})
        saved.setdefault("items", {})[result.item] = {"points": result.points, "max": result.max}
        progress().set(result.exercise, saved)
    except OSError:
        display({"text/plain": "(Your score could not be saved on this computer; your answer is still in the notebook.)"},
                raw=True)
