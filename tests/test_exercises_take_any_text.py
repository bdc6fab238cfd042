"""Every released exercise runs top to bottom, in the course's kernel, whatever a trainee types.

Each ``YOUR ANSWER HERE`` line in exercises/ becomes text that would break a Python string
(quotes, an apostrophe, braces, a backslash, three quotes); every cell then runs with no error
and nothing on stderr, every answer cell confirms it was saved, and every self-check shows one
rendered block.
"""

from __future__ import annotations

import nbclient
import nbformat
import pytest

from nbgrader_tools import ROOT, exercise_ids

pytestmark = pytest.mark.slow

ODD = 'I\'d say "let\'s meet" {soon} \\"""'


@pytest.mark.parametrize("exercise", exercise_ids())
def test_exercise_runs_with_odd_answers_and_no_error(exercise, alongside_home, tmp_path):
    nb = nbformat.read(ROOT / "exercises" / exercise / f"{exercise}.ipynb", as_version=4)
    assert nb.metadata.kernelspec.name == "alongside"
    answers = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%answer ")]
    assert answers and all(c.source.splitlines()[1] == "YOUR ANSWER HERE" for c in answers)
    for cell in answers:
        cell.source = cell.source.replace("YOUR ANSWER HERE", ODD)
    nbclient.NotebookClient(nb, timeout=60, kernel_name="alongside", resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        bad = [o for o in cell.outputs if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")]
        assert not bad, f"{exercise}: {cell.source.splitlines()[0]!r} gave {bad}"
    for cell in answers:
        printed = "".join(o.text for o in cell.outputs if o.output_type == "stream")
        assert printed.startswith("Saved your answer:"), printed
    checks = [c for c in nb.cells if c.cell_type == "code" and "check(" in c.source]
    assert len(checks) == len(answers)
    for cell in checks:
        blocks = [o for o in cell.outputs if "text/html" in o.get("data", {})]
        assert len(blocks) == 1 and "alongside-check-result" in blocks[0].data["text/html"]
        assert not any(o.output_type == "execute_result" for o in cell.outputs), "no raw value is shown"
