"""The course's cast (data/cast.yaml) is complete and tidy: every name the course uses is in it, under its module."""

from __future__ import annotations

from pathlib import Path

import pytest

from alongside.cast import COURSE, SECTIONS, cast, cast_words, module_id
from alongside.course_texts import course_texts
from alongside.names import _tokens, find, lists
from alongside.progress import modules

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def texts():
    return course_texts(ROOT)


def _unlisted_names(text: str, known: frozenset[str]) -> set[str]:
    """Capitalised words in a text that the names lists know as names and not as ordinary words,
    or that the finder reads as a name, setting or place, and that are not in ``known``."""
    glossary = lists().glossary
    masked = glossary.sub(lambda m: " " * len(m.group(0)), text) if glossary else text
    names = lists().names
    found = {t.base for t in _tokens(masked)
             if t.cap and names.get(t.base) is not None and not set(names[t.base]) & {"w", "p"}}
    found |= {w for f in find(text) for w in f.words}
    return found - known


def test_the_texts_cover_every_notebook_and_data_file(texts):
    wheres = {t.where.split()[0] for t in texts}
    assert {"01-experts.ipynb", "04-story.yaml", "felt-unheard.yaml"} <= {w.split("/")[-1] for w in wheres}
    assert {t.module for t in texts} >= {m["id"] for m in modules() if m["exercise"]}


def test_every_name_a_notebook_or_data_file_uses_is_in_its_modules_cast(texts):
    missing = {}
    for t in texts:
        unlisted = _unlisted_names(t.text, cast_words(t.module))
        if unlisted:
            missing.setdefault(t.module, set()).update(unlisted)
    assert not missing, f"add these to data/cast.yaml under their module: {missing}"


def test_the_check_itself_finds_a_name_missing_from_the_cast():
    assert _unlisted_names("Reuben hid under the table with Ottilie Varga.", cast_words("04-story")) == {"Ottilie", "Varga"}


def test_every_name_in_the_cast_is_used_in_its_module(texts):
    shared = " ".join(t.text for t in texts if t.module == COURSE)
    for module in cast():
        body = " ".join(t.text for t in texts if t.module == module) + " " + shared
        unused = sorted(w for w in cast_words(module) if w not in body)
        assert not unused, f"{module}: the cast lists names the module never uses: {unused}"


def test_cast_is_keyed_by_real_modules_with_known_sections():
    ids = {m["id"] for m in modules()}
    assert set(cast()) <= ids
    assert all(set(entry) == set(SECTIONS) for entry in cast().values())
    assert module_id("04-story:open-questions") == "04-story" and module_id("08-letter") == "08-safeguarding"
    assert module_id("plan:agreement-plan") is None and cast_words(None) == frozenset()
    assert "Jayden" in cast_words("07-goals") and "Jayden" not in cast_words("01-experts")
    assert cast_words(COURSE) >= cast_words("07-goals") | cast_words("02-words")
