"""Progress over the course: modules done and self-check scores, kept on disk."""

from __future__ import annotations

import datetime

from alongside import progress, runs
from alongside.self_check import check
from alongside.store import Store
from alongside.store import progress as progress_store


def _row(module_id):
    return next(r for r in progress.summary() if r["id"] == module_id)


def test_every_module_starts_not_started_or_coming(alongside_home):
    for row in progress.summary():
        assert row["done"] is None and row["points"] is None
        state = progress._state(row)
        assert state == ("Not started" if row["status"] == "ready" else "Coming soon")


def test_mark_done_records_the_day_and_says_so(alongside_home, capsys):
    progress.mark_done("02-words", today=datetime.date(2026, 11, 25))
    assert "Module 02, Words that help, words that harm, is marked as done (2026-11-25)" in capsys.readouterr().out
    assert _row("02-words")["done"] == "2026-11-25"


def test_mark_done_of_an_unknown_module_says_so_and_records_nothing(alongside_home, capsys):
    progress.mark_done("99-nothing")
    assert "no module called" in capsys.readouterr().out
    assert progress_store().all() == {}


def test_self_check_scores_show_in_the_summary(alongside_home, capsys):
    runs.record("02-words", "classify", "s01: harmful, pity\ns03: helpful")
    runs.record("02-words", "listening", "")
    check("02-words", "classify")
    check("02-words", "listening")
    capsys.readouterr()
    row = _row("02-words")
    assert row["checked"] == 2 and row["max"] == 10 and row["points"] == 1.0
    assert progress._state(row) == "Started"
    progress.mark_done("02-words")
    assert _row("02-words")["points"] == 1.0, "marking done keeps the self-check scores"


def test_table_lists_every_module_with_links_and_words_not_colour(alongside_home):
    progress.mark_done("01-experts", today=datetime.date(2026, 11, 24))
    table = progress.table_html()
    for module in progress.modules():
        assert module["title"].replace('"', "&quot;") in table
    for module in progress.modules():
        assert f'<a href="{module["id"]}.ipynb">' in table
    assert "Done (2026-11-24)" in table and "Not started" in table
    assert "You have finished 1 of the" in table


def test_a_module_not_yet_written_shows_as_coming_soon_without_a_link(alongside_home, monkeypatch):
    listed = [dict(m) for m in progress.modules()]
    listed[6]["status"] = "coming"
    monkeypatch.setattr(progress, "modules", lambda: listed)
    table = progress.table_html()
    assert f'<a href="{listed[6]["id"]}.ipynb">' not in table and "Coming soon" in table
    assert f'<a href="{listed[7]["id"]}.ipynb">' in table


def test_progress_survives_odd_saved_data(alongside_home):
    progress_store().set("02-words", {"done": 5, "items": {"a": "x", "b": {"points": "many", "max": 2}}})
    progress_store().set("03-listening", ["not", "a", "dict"])
    row = _row("02-words")
    assert row["done"] is None and row["points"] == 0 and row["max"] == 2
    assert _row("03-listening")["checked"] == 0


def test_mark_done_when_disk_is_full_says_so(alongside_home, capsys, monkeypatch):
    monkeypatch.setattr(Store, "set", lambda *a, **k: (_ for _ in ()).throw(OSError("full")))
    progress.mark_done("02-words")
    assert "could not be saved" in capsys.readouterr().out
