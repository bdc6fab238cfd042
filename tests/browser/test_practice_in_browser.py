"""The practice in threes as a triad meets it in JupyterLab: each card behind its own button, by keyboard.

The widget reads the test fixture (tests/data/practice/02-words.yaml), so the test does not wait
on the course's own practice files. The handout file is opened in Chromium too, printed to PDF
on A4: each role card adds a page.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from conftest import ARTEFACTS, AXE, ROOT
from lab_steps import cell_errors, open_notebook, run_all

pytestmark = pytest.mark.browser

FIXTURES = ROOT / "tests" / "data" / "practice"
PARENT_CARD = "You have been told twice this week"


def _notebook(root) -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from alongside.widgets import PracticeConversation\n\n"
        f"PracticeConversation(\"02-words\", folder={json.dumps(str(FIXTURES))})"
    )])
    nb.metadata.kernelspec = {"name": "alongside", "display_name": "Alongside (Python 3)", "language": "python"}
    path = root / "course" / "practice-check.ipynb"
    nbformat.write(nb, path)
    return "course/practice-check.ipynb"


def _focused_text(page) -> str:
    return page.evaluate("() => (document.activeElement.innerText || '').trim()")


def test_each_card_opens_and_closes_from_the_keyboard_and_nothing_serious_for_axe(lab, page):
    _url, _token, root, _home = lab
    open_notebook(page, lab, _notebook(root))
    run_all(page)
    assert cell_errors(page) == []
    widget = page.locator(".alongside-practice")
    widget.get_by_text("The pick-up that ran late").wait_for()
    assert widget.get_by_text(PARENT_CARD).count() == 0, "a card is on the page before its button is pressed"

    show = widget.get_by_role("button", name="Show the parent's card")
    show.focus()
    page.keyboard.press("Enter")
    widget.get_by_text(PARENT_CARD).wait_for()
    assert _focused_text(page) == "Hide the parent's card", "the focus stays on the button, which now says Hide"
    assert "The parent's card is shown." in widget.locator(".alongside-status [role=status]").inner_text()
    assert widget.get_by_text("You have ten minutes before a staff meeting").count() == 0, "other cards stay hidden"

    page.keyboard.press("Space")
    widget.get_by_role("button", name="Show the parent's card").wait_for()
    assert widget.get_by_text(PARENT_CARD).count() == 0

    page.keyboard.press("Tab")  # the next card's button
    assert _focused_text(page) == "Show the practitioner's card"
    page.keyboard.press("Enter")
    widget.get_by_text("You have ten minutes before a staff meeting").wait_for()

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "practice-conversation.png"))
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run({include: [['.alongside-practice']]}, {resultTypes: ['violations']})")
    serious = [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_the_handout_prints_each_role_card_on_a_page_of_its_own(browser, tmp_path):
    from alongside.handouts import write_handouts

    write_handouts(tmp_path, module_id="02-words", practice_folder=FIXTURES,
                   facilitator_folder=ROOT / "tests" / "data" / "facilitator")
    context = browser.new_context()
    tab = context.new_page()
    tab.context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    tab.goto((tmp_path / "02-words.html").as_uri())
    tab.emulate_media(media="print")
    breaks = tab.eval_on_selector_all(".role-page", "nodes => nodes.map(n => getComputedStyle(n).breakBefore)")
    assert breaks == ["page", "page", "page"]
    after_roles = tab.eval_on_selector_all(
        ".role-page", "nodes => getComputedStyle(nodes[nodes.length - 1].nextElementSibling).breakBefore")
    assert after_roles == "page", "the sheet after the last role card starts a page of its own too"
    forced = tab.eval_on_selector_all("section.page", "nodes => nodes.length")
    assert forced == 1 + 3 + 3  # the setting card, three role cards, three observation sheets
    pdf = tab.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    # Without the breaks all of it fits on about five pages; with them, each sheet starts a page
    # (the guide takes at least one more). An observation sheet, with its rows and notes for a
    # round, may run on to a second page, but no forced section takes more than two.
    assert forced + 1 <= pages <= 2 * forced, pages
    assert tab.evaluate("() => document.documentElement.lang") == "en-GB"
    context.close()
