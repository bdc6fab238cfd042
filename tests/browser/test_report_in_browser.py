"""The cohort report a trainer reads in five minutes, opened in Chromium.

A 12-trainee demo cohort on every exercise is made and graded as a trainer would
(``alongside cohort demo`` and ``grade``). Its ``reports/cohort.html`` is opened from disk in a
laptop-sized window: the first screen must hold the three answers (how the group is doing, the
ideas to revisit with an answer that met each and one that did not, who needs a follow-up first),
the rest must be folded, axe-core must find nothing serious (folded and unfolded), and printed to
PDF it must fit two A4 sheets. A screenshot goes to tests/artefacts/cohort-report.png.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTEFACTS, AXE

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 800}  # a laptop's browser window
ALONGSIDE = str(Path(sys.executable).parent / "alongside")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """reports/cohort.html of a 12-trainee demo cohort, graded."""
    root = tmp_path_factory.mktemp("report") / "cohort"
    for step in (["demo", "--trainees", "12", "--out", str(root)], ["grade", str(root), "--quiet"]):
        result = subprocess.run([ALONGSIDE, "cohort", *step], capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stderr[-2000:]
    return root / "reports" / "cohort.html"


@pytest.fixture
def screen(browser, report):
    """The report open in a laptop-sized tab that may load nothing but the file itself."""
    context = browser.new_context(viewport=SCREEN)
    tab = context.new_page()
    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    tab.goto(report.as_uri(), wait_until="load")
    yield tab
    context.close()


def _on_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"]


def _serious(page) -> list[str]:
    found = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found["violations"] if v["impact"] in ("serious", "critical")]


def test_the_first_screen_holds_the_three_answers(screen):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=str(ARTEFACTS / "cohort-report.png"))
    for section in ("#group", "#ideas", "#follow-up"):
        assert _on_first_screen(screen, section), f"{section} is not all on the first screen"
    heat = screen.locator("#group table.heat")
    assert heat.locator("tbody tr").count() == 12
    cells = heat.locator("tbody td").all_inner_texts()
    assert cells and all(c.strip() for c in cells), "every cell says something: a number, missing, not marked"
    assert sum(bool(re.match(r"\d+", c)) for c in cells) > len(cells) / 2
    ideas = screen.locator("#ideas ol.ideas > li")
    assert ideas.count() == 5
    for n in range(5):
        idea = ideas.nth(n).inner_text()
        assert "% met" in idea and "Met" in idea and "Not yet" in idea, idea
    assert screen.locator("#ideas q").count() >= 5, "most ideas show answers"
    assert re.findall(r"trainee-[0-9a-f]{8}", screen.locator("#ideas").inner_text())
    follow = screen.locator("#follow-up ol.follow > li")
    assert follow.count() == 5
    reasons = screen.locator("#follow-up").inner_text()
    assert not re.search(r"Error|Exception|char \d", reasons), reasons
    assert screen.evaluate("() => [...document.querySelectorAll('details')].every(d => !d.open)")
    height = screen.evaluate("() => document.documentElement.scrollHeight")
    print(f"cohort.html is {height} pixels tall at {SCREEN['width']} wide")
    assert height < 2 * SCREEN["height"], "the detail is folded, so the page is short"


def test_nothing_serious_for_axe_folded_or_open(screen):
    screen.add_script_tag(path=str(AXE))
    assert _serious(screen) == []
    screen.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert _serious(screen) == []


def test_the_folded_parts_open_from_the_keyboard(screen):
    summary = screen.locator("details > summary").first
    summary.focus()
    screen.keyboard.press("Enter")
    assert screen.evaluate("() => document.querySelector('details').open")


def test_it_prints_on_two_a4_sheets(screen, tmp_path):
    pdf = screen.pdf(format="A4", print_background=True)
    (tmp_path / "cohort.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert 1 <= pages <= 2, f"{pages} pages"
