"""The course as a trainee meets it: real JupyterLab, real Chromium, keyboard and screen reader in mind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ARTEFACTS, AXE, ROOT
from lab_steps import cell_errors, open_notebook, rendered_widgets, restart_kernel, run_all, widget_cells

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in (ROOT / "course").glob("*.ipynb"))
REPLY = (
    "It sounds like you've been raising this for months and nobody has listened. "
    "What have you noticed about Sami's talking at home? Let's meet next week and plan together."
)
OWN_WIDGETS = [".alongside-sorter", ".alongside-reflection", ".alongside-story", ".alongside-letter",
               ".alongside-agreement", ".alongside-progress-box", ".alongside-practice"]


def _screenshot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_and_every_widget_renders(lab, page, notebook):
    open_notebook(page, lab, f"course/{notebook}")
    run_all(page)
    _screenshot(page, Path(notebook).stem)
    assert cell_errors(page) == []
    expected = widget_cells(page)
    assert rendered_widgets(page) >= expected, f"{notebook}: {expected} widget cells, fewer widgets shown"


def _sorter_row(page):
    return page.locator(".alongside-sorter .alongside-sorter-row").first


def _reply_box(page):
    return page.locator(".alongside-reflection").filter(has_text="Your reply to Yusuf")


def test_module_02_sort_reflect_restart_and_find_the_reply_again(lab, page):
    _url, _token, _root, home = lab
    open_notebook(page, lab, "course/02-words.ipynb")
    run_all(page)

    row = _sorter_row(page)
    row.get_by_role("radio", name="Harmful").click()
    row.locator(".alongside-sorter-why select").select_option(label="False reassurance or wait and see")
    page.get_by_role("button", name="Check my sorting").click()
    feedback = page.locator(".alongside-sorter .alongside-feedback")
    feedback.get_by_text("Right: statement 1", exact=False).wait_for()
    assert "Not answered yet: statement 2" in feedback.inner_text()

    box = _reply_box(page)
    box.locator("textarea").fill(REPLY)
    box.get_by_text("Saved on this computer").wait_for()
    box.get_by_role("button", name="Check my answer").click()
    box.locator(".alongside-feedback").get_by_text("Score:").wait_for()
    shown = box.locator(".alongside-feedback").inner_text()
    assert "Met" in shown and "of 6" in shown

    restart_kernel(page)
    page.reload()
    open_notebook(page, lab, "course/02-words.ipynb")
    run_all(page)
    assert _reply_box(page).locator("textarea").input_value() == REPLY
    saved = json.loads((home / "answers.json").read_text(encoding="utf-8"))
    assert saved["02-words:reply-to-yusuf"] == REPLY


def test_sorter_and_reflection_work_with_the_keyboard_alone(lab, page):
    open_notebook(page, lab, "course/02-words.ipynb")
    run_all(page)
    row = _sorter_row(page)
    row.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")  # Helpful
    page.keyboard.press("ArrowDown")  # Harmful
    assert row.locator("input[type=radio]").nth(1).is_checked()
    page.keyboard.press("Tab")  # the "what kind" drop-down
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert row.locator("select").input_value() != ""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.innerText || ''").strip() == "Check my sorting":
            break
    else:
        pytest.fail("Tab never reached the Check my sorting button")
    page.keyboard.press("Enter")
    page.locator(".alongside-sorter .alongside-feedback").get_by_text("Right: statement 1", exact=False).wait_for()

    box = _reply_box(page)
    box.locator("textarea").focus()
    page.keyboard.type(REPLY)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText || ''").strip() == "Check my answer"
    page.keyboard.press("Enter")
    box.locator(".alongside-feedback").get_by_text("Score:").wait_for()


@pytest.mark.parametrize("notebook", ["00-start-here.ipynb", "02-words.ipynb", "04-story.ipynb", "05-disagree.ipynb"])
def test_no_serious_accessibility_problem_in_our_widgets(lab, page, notebook):
    open_notebook(page, lab, f"course/{notebook}")
    run_all(page)
    page.add_script_tag(path=str(AXE))
    include = [[selector] for selector in OWN_WIDGETS if page.locator(selector).count()]
    assert include, f"{notebook} shows none of the course's widgets"
    result = page.evaluate(
        """async include => await axe.run({include}, {resultTypes: ['violations']})""", include
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_validate_exercise_02_from_the_jupyterlab_toolbar(lab, page):
    open_notebook(page, lab, "exercises/02-words/02-words.ipynb")
    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    dialog.get_by_text("Validat", exact=False).first.wait_for()
    verdict = dialog.inner_text()
    _screenshot(page, "validate-02-words")
    # The released notebook is blank, so nbgrader's verdict names the unanswered reflection.
    assert "The following cell failed" in verdict and "You did not provide a response" in verdict, verdict
