"""Answer cells as a trainee uses them: type plain text, run it, check it; edit it and be told.

Real JupyterLab, real Chromium, the released exercises, the keyboard. The self-check's blocks are
saved as screenshots in tests/artefacts/.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from conftest import ARTEFACTS, AXE, SETTINGS
from lab_steps import cell_errors, open_notebook, restart_kernel

pytestmark = pytest.mark.browser

REPLY = ('It sounds like you have been raising this for months and feel nobody is listening. I\'m sorry, "that" '
         "must be hard {really}. What have you noticed about Sami's talking at home? Let's meet next week and plan together.")
PLAN = ["Shared goal: Layla will read short words for herself and enjoy her pony magazine.",
        "Trial: The sounds group for six weeks, ten minutes each morning.",
        "Reveiw date: Thursday 12 March",
        "Parents knowledge: She learns by seeing and doing. Give her time to answer \\ and check she can see your face.",
        "Progress sharing: A home-school book every Friday.",
        "Who does what: Kerry runs the group. Mo and Jess practise one sound each weekend."]


def _cell(page, first_line: str):
    return page.locator(".jp-Notebook .jp-CodeCell").filter(has=page.locator(".cm-line", has_text=first_line)).first


def _check_cell(page, exercise: str, item: str):
    return page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".cm-line", has_text=f'check("{exercise}", "{item}")')).first


def _source(page, first_line: str) -> str:
    """The cell's text in JupyterLab's own model (what the notebook will save)."""
    return page.evaluate(
        """first => window.jupyterapp.shell.currentWidget.content.widgets
             .map(c => c.model.sharedModel.getSource()).find(s => s.startsWith(first))""", first_line)


def _replace_stub(page, cell, lines: list[str]) -> None:
    """Click the line that says YOUR ANSWER HERE, select it and type the answer over it, line by line."""
    cell.locator(".cm-line", has_text="YOUR ANSWER HERE").click()
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    for n, line in enumerate(lines):
        if n:
            page.keyboard.press("Enter")
        page.keyboard.type(line)


def _run(page, cell) -> None:
    """Put the cursor in a cell and press Shift and Enter, as a trainee runs it; wait until it has run."""
    before = cell.locator(".jp-InputPrompt").inner_text()
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """([node, before]) => { const p = node.querySelector('.jp-InputPrompt').innerText;
             return p !== before && !p.includes('*'); }""", arg=[cell.element_handle(), before], timeout=60_000)


def _serious_problems(page, selector: str) -> list[str]:
    """axe-core's serious or critical findings inside the elements a selector matches."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async s => await axe.run({include: [[s]]}, {resultTypes: ['violations']})", selector)
    return [f"{v['id']}: {v['help']}" for v in found["violations"] if v["impact"] in ("serious", "critical")]


def _shot(locator, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(ARTEFACTS / f"{name}.png"))


def test_an_edited_answer_is_not_marked_until_it_is_run_again(lab, page):
    open_notebook(page, lab, "exercises/02-words/02-words.ipynb")
    first = "%%answer 02-words listening"
    answer, check = _cell(page, first), _check_cell(page, "02-words", "listening")
    _replace_stub(page, answer, [REPLY])
    assert _source(page, first) == f"{first}\n{REPLY}", "the answer is in the cell exactly as typed"
    _run(page, answer)
    answer.locator(".jp-OutputArea").get_by_text("Saved your answer:", exact=False).wait_for()
    assert answer.locator(".cm-content.cm-lineWrapping").count() == 1, "a long answer wraps, in view"
    _shot(answer, "answer-cell")

    _run(page, check)
    block = check.locator(".alongside-check-result")
    block.wait_for()
    assert "of 6 points" in block.inner_text() and "Met" in block.inner_text()
    _shot(check.locator(".jp-Cell-outputArea"), "self-check-block")
    assert _serious_problems(page, ".alongside-check-result") == []

    answer.locator(".cm-line", has_text="Let's meet next week").click()
    page.keyboard.press("End")
    page.keyboard.type(" See you then.")  # edited, not run
    _run(page, check)
    changed = check.locator(".alongside-check-changed")
    changed.wait_for()
    assert "changed since you ran it" in changed.inner_text()
    assert block.is_hidden(), "the old answer's marks are not shown"
    _shot(check.locator(".jp-Cell-outputArea"), "self-check-changed")
    assert _serious_problems(page, ".alongside-check-changed") == []

    _run(page, answer)
    _run(page, check)
    check.locator(".alongside-check-result").wait_for(state="visible")
    assert check.locator(".alongside-check-changed").count() == 0
    assert cell_errors(page) == []


def _notebook_settings(lab, values: dict) -> None:
    """Save the notebook settings, as the Settings Editor does."""
    url, token, _root, _home = lab
    request = urllib.request.Request(
        f"{url}/lab/api/settings/@jupyterlab/notebook-extension:tracker?token={token}",
        data=json.dumps({"raw": json.dumps(values)}).encode(), method="PUT", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).read()


def test_a_changed_answer_is_noticed_with_jupyterlabs_own_settings(lab, page):
    """The other tests draw every cell; a trainee's JupyterLab draws cells as they scroll into view."""
    _notebook_settings(lab, {})
    try:
        open_notebook(page, lab, "exercises/02-words/02-words.ipynb")
        assert page.evaluate("() => window.jupyterapp.shell.currentWidget.content.notebookConfig.windowingMode") \
            == "contentVisibility"
        answer, check = _cell(page, "%%answer 02-words listening"), _check_cell(page, "02-words", "listening")
        answer.scroll_into_view_if_needed()
        _replace_stub(page, answer, [REPLY])
        _run(page, answer)
        _run(page, check)
        check.locator(".alongside-check-result").wait_for()
        answer.locator(".cm-line", has_text="Let's meet next week").click()
        page.keyboard.press("End")
        page.keyboard.type(" See you then.")
        check.locator(".alongside-check-changed").wait_for()  # noticed as it is typed, before any run
        assert check.locator(".alongside-check-result").is_hidden()
    finally:
        _notebook_settings(lab, SETTINGS["notebook-extension/tracker"])


def test_after_a_restart_an_answer_cell_runs_first_with_no_set_up(lab, page):
    open_notebook(page, lab, "exercises/05-disagree/05-disagree.ipynb")
    restart_kernel(page)
    answer, check = _cell(page, "%%answer 05-disagree plan"), _check_cell(page, "05-disagree", "plan")
    _replace_stub(page, answer, PLAN)
    _run(page, answer)  # the first cell the new kernel runs
    printed = answer.locator(".jp-OutputArea")
    printed.get_by_text("Saved your answer:", exact=False).wait_for()
    assert "Review date: Thursday 12 March" in printed.inner_text(), "the label with a typing slip was read"
    _shot(answer, "answer-cell-plan")
    _run(page, check)
    block = check.locator(".alongside-check-result")
    block.wait_for()
    assert "12 of 12 points" in block.inner_text()
    _shot(check.locator(".jp-Cell-outputArea"), "self-check-plan")

    restart_kernel(page)
    _run(page, check)
    check.get_by_text("not run your answer cell since the notebook", exact=False).wait_for()
    assert check.locator(".alongside-check-result").count() == 0
    assert cell_errors(page) == []


@pytest.mark.parametrize("path", ["course/01-experts.ipynb", "exercises/02-words/02-words.ipynb"])
def test_a_notebook_opens_in_the_course_kernel_with_nothing_to_save(lab, page, path):
    open_notebook(page, lab, path)
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'", timeout=60_000)
    page.wait_for_timeout(1000)
    kernel, dirty = page.evaluate(
        """() => { const w = window.jupyterapp.shell.currentWidget;
             return [w.sessionContext.kernelDisplayName, w.context.model.dirty]; }""")
    assert kernel == "Alongside (Python 3)" and dirty is False


def test_a_sorting_self_check_counts_and_hints_without_the_answers(lab, page):
    open_notebook(page, lab, "exercises/01-experts/01-experts.ipynb")
    answer, check = _cell(page, "%%answer 01-experts who_knows"), _check_cell(page, "01-experts", "who_knows")
    _replace_stub(page, answer, ["c1: family", "c2: teacher", "c3: both"])
    _run(page, answer)
    answer.locator(".jp-OutputArea").get_by_text("c2: practitioner", exact=False).wait_for()  # everyday words read
    _run(page, check)
    block = check.locator(".alongside-check-result")
    block.wait_for()
    shown = block.inner_text()
    assert "Not marked here: your trainer's grader marks it (up to 4 points)" in shown
    assert "Ready for the grader: 3 of 8 statements" in shown and "No answer yet: c4, c5, c6, c7, c8." in shown
    assert "Practitioner: something Beth or the school knew" in shown and "Not yet" not in shown and "Right" not in shown
    _shot(check.locator(".jp-Cell-outputArea"), "self-check-sorting")
