"""Item analysis of the auto-graded choices (statements to sort, stage-and-skill items, myths), as Moodle's quiz statistics give it.

For each statement of a ``classification`` item, over the trainees whose submission was graded:

- **facility**: the share who answered it right (a blank answer is not right);
- **discrimination**: how well it separates stronger from weaker trainees, the point-biserial
  correlation between being right on it (1 or 0) and the points earned on the rest of the
  exercise (every other criterion, so the statement does not correlate with itself), Moodle's
  "discrimination index". Near 0, or negative, the statement does not tell stronger trainees
  from weaker ones: its wording or its key may need a look. None when either side does not vary;
- **most chosen wrong answer**: the distractor chosen most often by the trainees who got it wrong,
  with how many chose it, from their answers as the grader read them; those who gave no answer are
  counted apart (``no_answer``), as a blank is not a distractor, and a label that is not one of the
  choices is only said to be so (never repeated: typed text could name someone).
"""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd

from alongside import grading

COLUMNS = ["exercise", "item", "statement", "text", "answers", "facility", "discrimination",
           "most_chosen_wrong", "chosen_by", "no_answer"]
NO_ANSWER = "(no answer)"
OTHER = "(not one of the choices)"  # typed text is never repeated: it could name someone


def point_biserial(right: list[bool], rest: list[float]) -> float | None:
    """Pearson's correlation between 0/1 (right) and a score (rest): the point-biserial.

    It is (M1 - M0) / s * sqrt(p * q), with M1 and M0 the mean rest score of those right and of
    those wrong, s the standard deviation of every rest score (over n, not n - 1), p the share
    right and q = 1 - p. None when everyone (or no one) was right, or every rest score is the same.
    """
    n = len(right)
    if n != len(rest) or n < 2:
        return None
    ones = [r for r, ok in zip(rest, right) if ok]
    zeros = [r for r, ok in zip(rest, right) if not ok]
    mean = sum(rest) / n
    spread = math.sqrt(sum((r - mean) ** 2 for r in rest) / n)
    if not ones or not zeros or spread == 0:
        return None
    p = len(ones) / n
    return (sum(ones) / len(ones) - sum(zeros) / len(zeros)) / spread * math.sqrt(p * (1 - p))


def choice_items(exercises: list[str]) -> dict[tuple[str, str], str]:
    """(exercise, item) -> its statement set, for every classification item of the exercises."""
    found = {}
    for exercise in exercises:
        try:
            items = grading.exercise(exercise)["items"]
        except Exception:  # an exercise without a spec has no choices to analyse
            continue
        found.update({(exercise, i["id"]): str(i["statements"]) for i in items if i.get("kind") == "classification"})
    return found


def given_label(answer: object, statement: str, data: dict) -> str:
    """What a trainee chose for one statement of a statement set (``data``), as the key spells it
    ("harmful, blame"); NO_ANSWER for none, OTHER when a label is not one of the set's choices."""
    given = answer.get(statement) if isinstance(answer, dict) else None
    aliases = grading.canonical_aliases(data)
    choices = {label for part in grading.answer_parts(data) for label in part["labels"]}
    labels = [grading.canonical_label(v, aliases) for v in (given if isinstance(given, (list, tuple)) else [given])
              if v not in (None, "")]
    if choices and any(label not in choices for label in labels):
        return OTHER
    return ", ".join(labels) or NO_ANSWER


def item_analysis(criteria: pd.DataFrame, answers: dict[tuple[str, str], dict], exercises: list[str]) -> pd.DataFrame:
    """One row per statement of each classification item (COLUMNS), from the criterion rows
    (trainee, exercise, item, criterion, met, points) and the answers the grader read
    ((trainee, exercise) -> item -> answer)."""
    rows = []
    if criteria.empty:
        return pd.DataFrame(rows, columns=COLUMNS)
    judged = criteria[criteria["met"].notna()]
    totals = judged.groupby(["trainee", "exercise"])["points"].sum()
    for (exercise, item), set_name in choice_items(exercises).items():
        data = grading.statement_set(set_name)
        mine = judged[(judged["exercise"] == exercise) & (judged["item"] == item)]
        for statement, group in mine.groupby("criterion", sort=False):
            right = [bool(m) for m in group["met"]]
            rest = [float(totals[(t, exercise)] - p) for t, p in zip(group["trainee"], group["points"])]
            wrong = Counter(given_label(answers.get((t, exercise), {}).get(item), statement, data)
                            for t, ok in zip(group["trainee"], right) if not ok)
            blank = wrong.pop(NO_ANSWER, 0)
            top = wrong.most_common(1)
            r = point_biserial(right, rest)
            rows.append({"exercise": exercise, "item": item, "statement": statement, "text": group["looks_for"].iloc[0],
                         "answers": len(right), "facility": round(sum(right) / len(right), 3),
                         "discrimination": None if r is None else round(r, 3),
                         "most_chosen_wrong": top[0][0] if top else "", "chosen_by": top[0][1] if top else 0,
                         "no_answer": blank})
    return pd.DataFrame(rows, columns=COLUMNS)


__all__ = ["choice_items", "given_label", "item_analysis", "point_biserial"]
