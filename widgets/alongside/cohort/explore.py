"""The cohort report in a notebook, filtered by exercise, criterion and trainee (ipywidgets).

These helpers show the tables they are given and nothing else: give them
``cohort_tables(cohort, pseudonymise=True)`` and trainees appear only under their pseudonyms,
with no name, id or quote of their writing.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd
from IPython.display import HTML, display

from alongside.cohort.report import CohortTables

ALL = "(all)"


def filter_tables(tables: CohortTables, exercise: str = ALL, criterion: str = ALL,
                  trainee: str = ALL) -> dict[str, pd.DataFrame]:
    """The report's tables cut down to one exercise, criterion and/or trainee (ALL keeps everything)."""
    grades, shares, follow, marks = tables.grades, tables.shares, tables.follow_up, tables.criteria
    if exercise != ALL:
        grades, shares = grades[grades.exercise == exercise], shares[shares.exercise == exercise]
        follow, marks = follow[follow.exercise == exercise], marks[marks.exercise == exercise]
    if criterion != ALL:
        item, _, crit = criterion.partition(": ")
        shares = shares[(shares.item == item) & (shares.criterion == crit)]
        marks = marks[(marks.item == item) & (marks.criterion == crit)]
    if trainee != ALL:
        grades, follow, marks = grades[grades.trainee == trainee], follow[follow.trainee == trainee], marks[marks.trainee == trainee]
    met = (marks.groupby(["trainee", "exercise", "item", "criterion"])["met"].mean().reset_index()
           if not marks.empty else marks)
    return {"grades": grades, "shares": shares, "follow_up": follow, "met": met}


def explorer(tables: CohortTables) -> widgets.VBox:
    """Three labelled drop-downs (exercise, criterion, trainee) over the report's tables."""
    exercise = widgets.Dropdown(options=[ALL, *tables.exercises], description="Exercise")
    criterion = widgets.Dropdown(description="Criterion", layout=widgets.Layout(width="32rem"))
    trainee = widgets.Dropdown(options=[ALL, *sorted(tables.grades.trainee.unique())], description="Trainee")
    out = widgets.Output()

    def criteria_for(ex: str) -> list[str]:
        shares = tables.shares if ex == ALL else tables.shares[tables.shares.exercise == ex]
        return [ALL, *dict.fromkeys(f"{r.item}: {r.criterion}" for r in shares.itertuples())]

    def show(*_):
        parts = filter_tables(tables, exercise.value, criterion.value or ALL, trainee.value)
        out.clear_output()
        with out:
            for title, frame in (("Who needs a follow-up", parts["follow_up"]),
                                 ("Share of the cohort meeting each criterion", parts["shares"]),
                                 ("Criteria met, per trainee", parts["met"]), ("Scores", parts["grades"])):
                display(HTML(f"<h4>{html.escape(title)}</h4>"))
                display(HTML(frame.to_html(index=False, escape=True, na_rep="") if not frame.empty else "<p>Nothing.</p>"))

    def exercise_changed(*_):
        criterion.options = criteria_for(exercise.value)
        criterion.value = ALL
        show()

    exercise.observe(exercise_changed, names="value")
    for control in (criterion, trainee):
        control.observe(show, names="value")
    exercise_changed()
    return widgets.VBox([widgets.HBox([exercise, trainee]), criterion, out])
