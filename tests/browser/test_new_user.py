"""What a new trainee meets first, in JupyterLab and Chromium (issue 12): the trainee's view, the
statement sorter by keyboard, reflection boxes that fit, the start page's progress and links, and
the staged story's focus and reading comfort."""

from __future__ import annotations

import json
import time

import pytest
from conftest import ARTEFACTS, AXE
from lab_steps import open_notebook, run_all

pytestmark = pytest.mark.browser

SORTER_KEY = "sorter:02-practice"
# Draw the page after a change of window size (JupyterLab lays out its panels on the next frames).
_SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


def _answers(home) -> dict:
    path = home / "answers.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _forget(home, key: str) -> None:
    """Remove one saved answer, so a test starts from a trainee who has not answered it."""
    saved = _answers(home)
    if saved.pop(key, None) is not None:
        (home / "answers.json").write_text(json.dumps(saved), encoding="utf-8")


def _wait_until_saved(home, key: str, wanted, timeout: float = 20) -> dict:
    """Wait until the kernel has saved ``wanted`` under ``key``; return every saved answer."""
    deadline = time.monotonic() + timeout
    while _answers(home).get(key) != wanted:
        if time.monotonic() > deadline:
            pytest.fail(f"{key} was never saved as {wanted!r}; saved: {_answers(home).get(key)!r}")
        time.sleep(0.2)
    return _answers(home)


def _is_focused(locator) -> bool:
    return locator.evaluate("node => node === document.activeElement")


def _shot(target, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(ARTEFACTS / f"{name}.png"))


# --- The trainee's view: no trainer tools ---------------------------------------------------------


def test_a_trainee_sees_no_trainer_tools_but_keeps_validate(lab, page):
    open_notebook(page, lab, "exercises/02-words/02-words.ipynb")
    page.evaluate("async () => { await window.jupyterapp.restored; }")
    menus = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()
    assert "Run" in menus and "Nbgrader" not in menus, menus
    tabs = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
        "tabs => tabs.map(t => t.getAttribute('title') || t.innerText)"
    )
    assert not [t for t in tabs if "Create Assignment" in t or "Assignment" in t], tabs
    commands = page.evaluate(
        """() => ['nbgrader:open-formgrader', 'nbgrader:open-create-assignment', 'nbgrader:open-assignment-list']
             .filter(id => window.jupyterapp.commands.hasCommand(id))"""
    )
    assert commands == []
    assert page.get_by_role("button", name="Validate").first.is_visible()


# --- The statement sorter: one radio group per statement -----------------------------------------


def test_arrow_keys_stay_within_one_statements_choices(lab, page):
    _url, _token, _root, home = lab
    _forget(home, SORTER_KEY)
    open_notebook(page, lab, "course/02-words.ipynb")
    run_all(page)
    rows = page.locator(".alongside-sorter .alongside-sorter-row")
    first = rows.nth(0)
    helpful, harmful = first.get_by_role("radio", name="Helpful"), first.get_by_role("radio", name="Harmful")
    harmful.click()  # the last choice of statement 1
    for key, lands_on in (("ArrowDown", helpful), ("ArrowUp", harmful), ("ArrowRight", helpful),
                          ("ArrowLeft", harmful), ("ArrowDown", helpful), ("ArrowDown", harmful)):
        page.keyboard.press(key)
        assert _is_focused(lands_on) and lands_on.is_checked(), f"{key} left statement 1's choices"
    others = rows.locator("input[type=radio]").evaluate_all(
        "radios => radios.filter(r => r.checked).map(r => r.closest('.alongside-sorter-row'))"
        ".map(row => [...row.parentElement.children].indexOf(row) + 1)"
    )
    assert others == [1], f"statements with a choice ticked: {others}"
    saved = _wait_until_saved(home, SORTER_KEY, {"p1": ["harmful"]})
    assert saved[SORTER_KEY] == {"p1": ["harmful"]}, "an answer the trainee never gave was saved"
    first.evaluate("row => row.scrollIntoView({block: 'start'})")
    _shot(page, "sorter")


def test_each_statements_choices_are_one_tab_stop_with_a_label(lab, page):
    _url, _token, _root, home = lab
    _forget(home, SORTER_KEY)
    open_notebook(page, lab, "course/02-words.ipynb")
    run_all(page)
    rows = page.locator(".alongside-sorter .alongside-sorter-row")
    rows.nth(0).get_by_role("radio", name="Helpful").click()  # statement 1 answered, statement 2 not yet
    for row, control in ((0, "select"), (1, "input[type=radio] >> nth=0"), (1, "select"), (2, "input[type=radio] >> nth=0")):
        page.keyboard.press("Tab")
        assert _is_focused(rows.nth(row).locator(control)), f"Tab did not reach statement {row + 1}'s {control}"
    group = rows.nth(1).get_by_role("radiogroup", name="Helpful or harmful? (statement 2)")
    assert group.get_by_role("radio").count() == 2


# --- Reflection boxes fit their cells --------------------------------------------------------------

_MISFITS = """() => [...document.querySelectorAll('.alongside-reflection, .alongside-agreement')].flatMap((box, n) => {
  const out = box.closest('.jp-OutputArea-output');
  const edge = out.getBoundingClientRect().left + out.clientLeft + out.clientWidth;
  const found = [];
  for (const node of [box, ...box.querySelectorAll('.alongside-labelled, .alongside-plan-field, textarea')]) {
    const right = node.getBoundingClientRect().right;
    if (right > edge + 0.5) found.push(`box ${n + 1}: ${node.className || node.tagName} ends at ${right}, the cell at ${edge}`);
  }
  for (const node of [out, box]) {
    if (node.scrollWidth > node.clientWidth) found.push(`box ${n + 1}: ${node.className} scrolls sideways`);
  }
  const typing = box.querySelector('textarea').getBoundingClientRect().width;
  if (typing < 0.9 * out.clientWidth) found.push(`box ${n + 1}: the text box is ${typing} wide in a cell of ${out.clientWidth}`);
  return found;
})"""


def test_reflection_boxes_fill_their_cells_without_overflow_at_any_window_width(lab, page):
    open_notebook(page, lab, "course/02-words.ipynb")
    run_all(page)
    assert page.locator(".alongside-reflection").count() >= 3
    for width in (800, 1024, 1400, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(_SETTLED)
        assert page.evaluate(_MISFITS) == [], f"at {width} pixels wide"
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.evaluate(_SETTLED)
    box = page.locator(".alongside-reflection").filter(has_text="Your reply to Yusuf")
    box.locator("textarea").fill("I can hear how worried you are about Sami's talking.")
    box.evaluate("node => node.scrollIntoView({block: 'center'})")
    _shot(page, "reflection-box")


def test_plan_boxes_fill_their_cells_without_overflow(lab, page):
    open_notebook(page, lab, "course/05-disagree.ipynb")
    run_all(page)
    assert page.locator(".alongside-agreement").count() >= 1
    for width in (800, 1400):
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(_SETTLED)
        assert page.evaluate(_MISFITS) == [], f"at {width} pixels wide"


# --- The start page: progress that means something, links that open in place ----------------------


def test_run_all_does_not_mark_a_module_done_and_the_start_page_counts_eleven(lab, page):
    open_notebook(page, lab, "course/03-listening.ipynb")
    run_all(page)  # runs mark_done("03-listening") with nothing answered
    last = page.locator(".jp-Notebook .jp-Cell").last
    assert "is not done yet" in last.locator(".jp-OutputArea").inner_text()
    open_notebook(page, lab, "course/00-start-here.ipynb")
    run_all(page)
    table = page.locator(".alongside-progress-box")
    rows = table.locator("tbody tr")
    assert rows.count() == 11
    row = rows.filter(has=page.get_by_role("link", name="Listening first"))
    assert row.locator("td").nth(2).inner_text() == "Not started"
    assert row.locator("td").nth(1).evaluate("cell => getComputedStyle(cell).textAlign") == "left"
    assert "of 11 modules." in table.locator(".alongside-progress-summary").inner_text()
    assert "coming soon" not in page.locator(".jp-Notebook").inner_text().lower()
    table.evaluate("node => node.scrollIntoView({block: 'center'})")
    _shot(page, "start-page")


def test_a_module_link_opens_the_notebook_in_place_without_reloading(lab, page):
    open_notebook(page, lab, "course/00-start-here.ipynb")
    run_all(page)
    page.evaluate("() => { window.alongsideSamePage = true; }")
    page.locator(".alongside-progress-box").get_by_role("link", name="Words that help, words that harm").click()
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path === 'course/02-words.ipynb'; }", timeout=30_000
    )
    assert page.evaluate("() => window.alongsideSamePage === true"), "the whole page was reloaded"


# --- The staged story: focus after each part, and text that reads well on a projector -------------


def _forget_progress(home, key: str) -> None:
    path = home / "progress.json"
    saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if saved.pop(key, None) is not None:
        path.write_text(json.dumps(saved), encoding="utf-8")


def _focused_text(page) -> str:
    return page.evaluate("() => document.activeElement === document.body ? '(the page)' : document.activeElement.innerText")


def test_after_the_last_part_the_focus_is_on_its_heading_not_the_page(lab, page):
    _url, _token, _root, home = lab
    _forget_progress(home, "story:04-story")
    open_notebook(page, lab, "course/04-story.ipynb")
    run_all(page)
    story = page.locator(".alongside-story")
    status = story.locator(".alongside-status [role=status]")
    story.get_by_role("button", name="Show the next part").focus()
    total = story.locator(".alongside-story-heading").first.inner_text().split(" of ")[1].split(":")[0]
    for number in range(2, int(total) + 1):
        if number > 2:  # from the heading the focus moved to, back to the button, as a keyboard user would
            story.get_by_role("button", name="Show the next part").focus()
        page.keyboard.press("Enter")
        status.get_by_text(f"Part {number} of {total} shown", exact=False).wait_for()
        heading = story.locator(".alongside-story-heading").filter(has_text=f"Part {number} of {total}")
        page.wait_for_function("node => node === document.activeElement", arg=heading.element_handle(), timeout=10_000)
    assert _focused_text(page).startswith(f"Part {total} of {total}:")
    assert "This is the last part." in status.inner_text()
    assert story.get_by_role("button", name="All parts shown").is_disabled()
    story.get_by_role("button", name="Start again from part 1").focus()
    page.keyboard.press("Enter")
    status.get_by_text(f"Part 1 of {total} shown", exact=False).wait_for()
    page.wait_for_function("() => (document.activeElement.innerText || '').startsWith('Part 1 of')", timeout=10_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run({include: [['.alongside-story']]}, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []


_READING = """() => {
  const probe = document.createElement('span');
  const para = document.querySelector('.alongside-story-part p');
  probe.style.cssText = 'display:inline-block;width:1ch;padding:0;border:0';
  para.appendChild(probe);
  const ch = probe.getBoundingClientRect().width;
  probe.remove();
  const style = getComputedStyle(para);
  return {spacing: parseFloat(style.lineHeight) / parseFloat(style.fontSize), size: parseFloat(style.fontSize),
          measure: para.getBoundingClientRect().width / ch};
}"""


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_story_text_is_single_and_a_half_spaced_with_a_comfortable_measure(lab, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    open_notebook(page, lab, "course/04-story.ipynb")
    run_all(page)
    page.evaluate(_SETTLED)
    reading = page.evaluate(_READING)
    assert 1.3 <= reading["spacing"] <= 1.6, reading
    assert reading["size"] >= 13, reading
    assert 45 <= reading["measure"] <= 72, reading
    story = page.locator(".alongside-story-part").first
    story.evaluate("node => node.scrollIntoView({block: 'start'})")
    _shot(page, f"story-{width}x{height}")
