"""Progress over the course: a module is done when its activities are answered, kept on disk."""

from __future__ import annotations

import datetime
import html
import inspect
import re
from pathlib import Path

import nbformat
import pytest

from alongside import activities, progress, runs
from alongside.data import DataError
from alongside.grading import statement_set
from alongside.self_check import check
from alongside.store import Store, answers
from alongside.store import progress as progress_store
from alongside.widgets import AgreementBuilder, LetterChecker, ReflectionBox, StagedStory, StatementSorter

ROOT = Path(__file__).resolve().parents[1]
MODULES = {m["id"]: m for m in progress.modules()}


def _row(module_id):
    return next(r for r in progress.summary() if r["id"] == module_id)


def _answer_every_activity(module_id):
    """Use the module's real widgets the way a trainee would, so the keys are the widgets' own."""
    for kind, name in activities.activities(MODULES[module_id]):
        if kind == "reflection":
            ReflectionBox(name, "Your answer").text.value = "Some words of my own."
        elif kind == "sorter":
            sorter = StatementSorter(name)
            for choice in sorter.first.values():
                choice.value = choice.options[0][1]
        elif kind == "plan":
            for box in AgreementBuilder(name).boxes.values():
                box.value = "Something we agreed."
        elif kind == "letter":
            LetterChecker(name).box.value = "Dear Ms Lee, I would like to meet you on Thursday."
        elif kind == "story":
            story = StagedStory(name)
            while story.shown < story.total:
                story.show_next()


# --- What each module asks ------------------------------------------------------------------------

_WIDGETS = {
    "reflection": r'ReflectionBox\(\s*"([^"]+)"',
    "sorter": r'StatementSorter\(\s*"([^"]+)"',
    "plan": r'AgreementBuilder\(\s*(?:"([^"]*)")?\s*\)',
    "letter": r'LetterChecker\(\s*(?:"([^"]*)")?\s*\)',
    "story": r'StagedStory\(\s*"([^"]+)"',
    "practice": r'PracticeConversation\(\s*"([^"]+)"',  # its box for the first turn: a reflection
}
_DEFAULTS = {
    "plan": inspect.signature(AgreementBuilder).parameters["rubric_id"].default,
    "letter": inspect.signature(LetterChecker).parameters["name"].default,
}


def _widgets_in(module_id: str) -> list[tuple[str, str]]:
    """Each course widget the notebook makes, as (kind, name), in order."""
    nb = nbformat.read(ROOT / "course" / f"{module_id}.ipynb", as_version=4)
    found = []
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        hits = [(m.start(), kind, m.group(1) or _DEFAULTS.get(kind))
                for kind, pattern in _WIDGETS.items() for m in re.finditer(pattern, cell.source)]
        found += [("reflection", f"{name}:practice") if kind == "practice" else (kind, name)
                  for _start, kind, name in sorted(hits)]
    return found


@pytest.mark.parametrize("module_id", list(MODULES))
def test_each_modules_activities_are_the_widgets_in_its_notebook(module_id):
    assert activities.activities(MODULES[module_id]) == _widgets_in(module_id)


def test_every_teaching_module_has_activities():
    assert all(activities.activities(m) for m in MODULES.values() if m["number"] > 0)


@pytest.mark.parametrize("module_id", [m for m in MODULES if MODULES[m]["number"] > 0])
def test_answering_every_activity_with_the_widgets_makes_the_module_done(alongside_home, module_id, capsys):
    assert not _row(module_id)["done"]
    _answer_every_activity(module_id)
    assert _row(module_id)["done"], activities.unanswered(MODULES[module_id], answers().all(), progress_store().all())
    progress.mark_done(module_id, today=datetime.date(2026, 11, 25))
    assert "is done (2026-11-25)" in capsys.readouterr().out


def test_an_unknown_kind_of_activity_is_named():
    with pytest.raises(DataError, match="quiz"):
        activities.activities({"id": "99-x", "activities": [{"quiz": "q1"}]})


def test_blank_or_partial_answers_do_not_count(alongside_home):
    store = answers()
    store.set("02-words:sami-wait", "   ")
    assert not activities.is_answered("reflection", "02-words:sami-wait", store.all(), {})
    ids = [s["id"] for s in statement_set("02-practice")["statements"]]
    store.set("sorter:02-practice", {sid: ["helpful"] for sid in ids[:-1]})
    assert not activities.is_answered("sorter", "02-practice", store.all(), {})
    store.set("plan:agreement-plan", {"shared_facts": "We agree on the facts.", "trial": ""})
    assert not activities.is_answered("plan", "agreement-plan", store.all(), {})
    assert not activities.is_answered("story", "04-story", {}, {"story:04-story": {"shown": 4, "of": 5}})
    assert activities.is_answered("story", "04-story", {}, {"story:04-story": {"shown": 5, "of": 5}})


def test_what_is_left_is_said_in_words():
    missing = [("reflection", "a"), ("sorter", "b"), ("reflection", "c")]
    assert activities.describe(missing) == "2 reflection boxes and a statement sorter"
    assert activities.describe([("plan", "p")]) == "a plan"


# --- Done, started, not started -------------------------------------------------------------------


def test_the_table_lists_modules_01_to_11_and_counts_eleven(alongside_home):
    table = progress.table_html()
    assert len(re.findall(r"<tr><td>", table)) == 11 == len(progress.summary())
    assert "You have finished 0 of 11 modules." in table
    assert "Start here" not in table and "coming soon" not in table.lower()
    for module in (m for m in MODULES.values() if m["number"] > 0):
        assert f'<a href="{module["id"]}.ipynb">{html.escape(module["title"])}</a>' in table
    assert all(_row(m)["done"] is False and progress._state(_row(m)) == "Not started" for m in MODULES if MODULES[m]["number"])


def test_running_the_last_cell_without_answering_does_not_mark_done(alongside_home, capsys):
    progress.mark_done("02-words")
    said = capsys.readouterr().out
    assert "is not done yet" in said and "0 of its 5 activities" in said
    assert "a statement sorter and 4 reflection boxes" in said
    assert progress_store().all() == {}
    assert not _row("02-words")["done"] and "You have finished 0 of 11" in progress.table_html()


def test_a_done_date_recorded_before_the_answers_does_not_count(alongside_home):
    progress_store().set("02-words", {"done": "2026-11-01"})  # what Run All used to record
    assert not _row("02-words")["done"] and progress._state(_row("02-words")) == "Not started"


def test_some_answers_show_as_started_with_how_many(alongside_home):
    answers().set("02-words:sami-wait", "He might feel nobody listens.")
    assert progress._state(_row("02-words")) == "Started: 1 of 5 activities answered"


def test_self_check_scores_show_in_the_summary(alongside_home, capsys):
    runs.record("02-words", "classify", "s01: harmful, pity\ns03: helpful")
    runs.record("02-words", "rewrites", "r1: Thank you for telling me. What have you noticed at home?")
    check("02-words", "classify")
    check("02-words", "rewrites")
    capsys.readouterr()
    row = _row("02-words")
    assert row["checked"] == 1 and row["max"] == 3 and row["points"] == 1.0, "sorting is marked by the grader, not saved"
    assert progress._state(row).startswith("Started")
    _answer_every_activity("02-words")
    progress.mark_done("02-words", today=datetime.date(2026, 11, 25))
    row = _row("02-words")
    assert row["points"] == 1.0, "marking done keeps the self-check scores"
    assert progress._state(row) == "Done (2026-11-25)"


def test_the_first_done_date_is_kept(alongside_home, capsys):
    _answer_every_activity("03-listening")
    progress.mark_done("03-listening", today=datetime.date(2026, 11, 24))
    progress.mark_done("03-listening", today=datetime.date(2026, 12, 1))
    assert _row("03-listening")["done_on"] == "2026-11-24"


def test_mark_done_of_an_unknown_module_says_so_and_records_nothing(alongside_home, capsys):
    progress.mark_done("99-nothing")
    assert "no module called" in capsys.readouterr().out
    assert progress_store().all() == {}


def test_progress_survives_odd_saved_data(alongside_home):
    progress_store().set("02-words", {"done": 5, "items": {"a": "x", "b": {"points": "many", "max": 2}}})
    progress_store().set("03-listening", ["not", "a", "dict"])
    progress_store().set("story:04-story", {"shown": "all"})
    answers().set("sorter:02-practice", ["not", "a", "dict"])
    row = _row("02-words")
    assert row["done_on"] is None and row["points"] == 0 and row["max"] == 2 and row["answered"] == 0
    assert _row("03-listening")["checked"] == 0
    assert _row("04-story")["answered"] == 0


def test_mark_done_when_disk_is_full_says_so(alongside_home, capsys, monkeypatch):
    _answer_every_activity("03-listening")
    monkeypatch.setattr(Store, "set", lambda *a, **k: (_ for _ in ()).throw(OSError("full")))
    progress.mark_done("03-listening")
    assert "could not be saved" in capsys.readouterr().out


def test_show_is_html_that_jupyterlab_renders_with_its_own_link_handling(alongside_home):
    shown = progress.show()
    assert 'class="alongside-progress-box"' in shown._repr_html_()
