"""The teaching notebooks follow the course's shape and practise its plain-English standard."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import textstat

from alongside.glossary import find_jargon
from alongside.progress import modules

ROOT = Path(__file__).resolve().parents[1]
MODULES = modules()
TEACHING = [m for m in MODULES if m["number"] > 0]


def _markdown(module_id: str) -> list[str]:
    nb = nbformat.read(ROOT / "course" / f"{module_id}.ipynb", as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _prose(module_id: str) -> str:
    """The notebook's running text: no source lists, tables, quotations marks-up or citations."""
    text = "\n\n".join(m for m in _markdown(module_id) if not m.lstrip().startswith("## Sources"))
    text = re.sub(r"(?m)^\|.*$", "", text)
    return re.sub(r"\([^()]*\b(19|20)\d\d[^()]*\)", "", text)


def test_every_module_has_a_notebook_and_its_exercise_and_no_others_do():
    notebooks = {p.stem for p in (ROOT / "course").glob("*.ipynb")}
    assert notebooks == {m["id"] for m in MODULES}
    solutions = {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()}
    assert solutions == {m["exercise"] for m in MODULES if m["exercise"]}


@pytest.mark.parametrize("module", TEACHING, ids=lambda m: m["id"])
def test_module_has_objectives_key_points_and_sources(module):
    cells = _markdown(module["id"])
    assert cells[0].startswith(f"# Module {module['number']:02d}: {module['title']}")
    assert "Learning objectives" in cells[0] and "Privacy" in cells[0]
    assert any(c.lstrip().startswith("## Key points") for c in cells)
    assert any(c.lstrip().startswith("## Sources") for c in cells)


@pytest.mark.parametrize("module", TEACHING, ids=lambda m: m["id"])
def test_module_says_the_real_time_for_the_notebook_and_its_exercise(module):
    # A notebook takes 30 to 45 minutes unless modules.yaml says otherwise, and its exercise about 30.
    low, high = module.get("notebook_minutes", [30, 45])
    first = _markdown(module["id"])[0]
    time = next(line for line in first.splitlines() if line.startswith("**Time:**"))
    assert f"about {low} to {high} minutes for this notebook" in time
    if module["exercise"]:
        assert "about another 30 minutes for its graded exercise" in time
        assert f"about {low + 30} to {high + 30} minutes in all" in time


@pytest.mark.parametrize("module", TEACHING, ids=lambda m: m["id"])
def test_module_ends_by_recording_progress(module):
    nb = nbformat.read(ROOT / "course" / f"{module['id']}.ipynb", as_version=4)
    assert nb.cells[-1].cell_type == "code"
    assert f'mark_done("{module["id"]}")' in nb.cells[-1].source


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m["id"])
def test_prose_is_plain_english(module):
    grade = textstat.flesch_kincaid_grade(_prose(module["id"]))
    assert grade <= 9, f"{module['id']}: Flesch-Kincaid grade {grade:.1f} is above 9"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m["id"])
def test_acronyms_are_spelt_out(module):
    left = [j.term for j in find_jargon(_prose(module["id"]))]
    assert not left, f"{module['id']} uses {left} without spelling them out"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "course").rglob("*.ipynb")) + sorted((ROOT / "solutions").rglob("*.ipynb")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_notebooks_are_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name} has outputs saved"
