"""The ideas to revisit together: the criteria the group met least, each with an answer that met it and one that did not.

:func:`choose_ideas` takes the criteria with the lowest share met, among those with enough
answers to trust the share (:func:`enough_answers`), one per exercise item so the session covers
different ideas. :func:`with_examples` adds to each an answer that met it and one that did not,
shortened, under the trainee's pseudonym (never their name or id, even in a report with names).
An answer is only shown when it passes the checks the follow-up list uses
(:func:`alongside.cohort.answers.concerns`: no wording that can hurt a parent, nothing that looks
like a real family's details, the exercise's own invented people apart, no markup) and names no
trainee of the cohort; otherwise the next trainee's is tried, and when none passes the idea says so.
The answer that did not meet it is never one that reads the same, shortened, as the one that did.
"""

from __future__ import annotations

import math
import re
from typing import Callable

import pandas as pd

from alongside import grading
from alongside.cohort.answers import FreeText, concerns
from alongside.cohort.items import choice_items, given_label
from alongside.privacy import module_for
from alongside.text import normalise, strip_stub

IDEAS = 5
EXCERPT_CHARS = 64
COLUMNS = ["exercise", "item", "criterion", "looks_for", "met_share", "trainees",
           "met_example", "met_by", "unmet_example", "unmet_by"]


def enough_answers(trainees: int) -> int:
    """How many trainees' answers a criterion needs before its share counts: half the cohort, at least 3."""
    return max(3, math.ceil(trainees / 2))


def choose_ideas(shares: pd.DataFrame, trainees: int, count: int = IDEAS) -> pd.DataFrame:
    """The ``count`` criteria to revisit (``revisit`` true) with the lowest share met, one per exercise item."""
    if shares.empty:
        return shares.head(0)
    found = shares[shares["revisit"] & (shares["trainees"] >= enough_answers(trainees))]
    found = found.sort_values(["met_share", "trainees"], ascending=[True, False], kind="stable")
    return found.drop_duplicates(["exercise", "item"]).head(count).reset_index(drop=True)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A text on one line, cut at a word near ``limit`` characters, with "..." when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " ..."


def answer_for(exercise: str, item: str, criterion: str, part: str, answer: object) -> str:
    """The part of an answer a criterion judged: a rewrite's own text, the label chosen for a statement, else the whole answer."""
    spec = grading.item_spec(exercise, item)
    if spec["kind"] == "classification":
        data = grading.statement_set(choice_items([exercise])[(exercise, item)])
        return f"answered \"{given_label(answer, criterion, data)}\""
    if spec["kind"] == "rewrites":
        answer = answer.get(part) if isinstance(answer, dict) else None
    return " ".join(strip_stub(normalise(t)).strip() for t in grading.answer_texts(answer)).strip()


def _names_in(names: set[str]) -> Callable[[str], bool]:
    words = sorted((n for n in names if n), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE) if words else None
    return lambda text: bool(pattern and pattern.search(text))


def shareable(text: str, exercise: str, item: str, names_one: Callable[[str], bool]) -> bool:
    """Whether an answer may be quoted: it says something, raises no follow-up concern, and names no trainee."""
    if not text or names_one(text):
        return False
    module = module_for(exercise, grading.item_spec(exercise, item).get("rubric"))
    return not concerns([FreeText(text, "reflection", module)])


def with_examples(ideas: pd.DataFrame, criteria: pd.DataFrame, answers: dict[tuple[str, str], dict],
                  pseudonyms: dict[str, str], names: set[str]) -> pd.DataFrame:
    """The ideas (from :func:`choose_ideas`) with a shortened answer that met each and one that did not.

    ``criteria`` has a row per trainee and criterion (trainee, exercise, item, criterion, part, met),
    ``answers`` the answers the grader read, ``pseudonyms`` trainee -> pseudonym, and ``names`` every
    trainee's id, first and last name (an answer holding one is never quoted).
    """
    names_one = _names_in(names)
    rows = []
    for idea in ideas.to_dict("records"):
        mine = criteria[(criteria["exercise"] == idea["exercise"]) & (criteria["item"] == idea["item"])
                        & (criteria["criterion"] == idea["criterion"])]
        mine = mine.assign(shown=mine["trainee"].map(pseudonyms)).sort_values(["shown", "part"], kind="stable")
        row = {k: idea[k] for k in COLUMNS[:6]}
        for met, name in ((True, "met"), (False, "unmet")):
            row[f"{name}_example"], row[f"{name}_by"] = "", ""
            for r in mine[mine["met"] == met].itertuples():
                answer = answers.get((r.trainee, r.exercise), {}).get(r.item)
                text = answer_for(r.exercise, r.item, r.criterion, r.part, answer)
                if excerpt(text) != row["met_example"] and shareable(text, r.exercise, r.item, names_one):
                    row[f"{name}_example"], row[f"{name}_by"] = excerpt(text), r.shown
                    break
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


__all__ = ["choose_ideas", "enough_answers", "excerpt", "shareable", "with_examples"]
