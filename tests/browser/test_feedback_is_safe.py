"""A trainee's answer full of script cannot run in the feedback page nbgrader writes (issue 13).

The notebook is sanitised by ``SanitiseMarkdown`` as nbgrader's autograde will run it, turned into
HTML as ``nbgrader generate_feedback`` does (its HTMLExporter and feedback template), then opened
from disk in Chromium. Every payload would add its name to ``window.__ran``, or change the title,
if it ran. Nothing leaves the machine: every request other than the file itself is refused.
"""

from __future__ import annotations

import nbformat
import pytest
from nbgrader_tools import feedback_page

from alongside.sanitise import SanitiseMarkdown

pytestmark = pytest.mark.browser


NAMES: set[str] = set()  # every payload's name, filled in by _ran


def _ran(name: str) -> str:
    """JavaScript that adds ``name`` to the page's ``window.__ran`` (from a frame too).

    It has no spaces, so it also fits an unquoted attribute and a markdown link's address.
    """
    NAMES.add(name)
    return f"top.__ran=[].concat(top.__ran||[],'{name}')"


PAYLOADS = "\n\n".join([
    f"<script>{_ran('script')}</script>",
    f"<ScRiPt>{_ran('mixed-case-script')}</sCrIpT>",
    f"<img src=x onerror=\"{_ran('img-onerror')}\">",
    f"<img src=x onerror={_ran('unquoted-onerror')}//>",
    f"<svg onload=\"{_ran('svg-onload')}\"><circle r=5></circle></svg>",
    f"<details open ontoggle=\"{_ran('details-ontoggle')}\"><summary>s</summary>d</details>",
    f"<iframe srcdoc=\"<script>{_ran('iframe-srcdoc')}</script>\"></iframe>",
    f"<input autofocus onfocus=\"{_ran('input-autofocus')}\">",
    "<style>@import url(x); body { background-color: rgb(1, 2, 3) }</style>",
    "<script>document.title = 'pwned'</script>",
    f"<a id=jslink href=\"javascript:{_ran('javascript-link')}\">a link</a>",
    f"[a markdown link](javascript:{_ran('markdown-javascript-link')})",
    f"<form action=\"javascript:{_ran('form')}\"><button id=go>Go</button></form>",
    f"<div>\n<img src=x onerror=\"{_ran('unclosed-tag')}\"\n</div>",  # the browser closes the tag
])
ORDINARY = "Parents & carers know their child best; a < b and c > d. 😀"


def _answer(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata.nbgrader = {"grade": True, "solution": True, "locked": False, "grade_id": "answer",
                              "points": 1, "schema_version": 3, "checksum": "of the released cell"}
    return cell


def _notebook() -> nbformat.NotebookNode:
    """An autograded notebook with payloads in an answer, a cell the trainee added and an output."""
    outputs = [  # nbconvert shows one type per output, so one output each
        nbformat.v4.new_output("display_data", data={"text/html": f"<img src=x onerror=\"{_ran('output-html')}\">"}),
        # nbconvert puts JavaScript inside a <script> whose first line needs jQuery (not on the
        # feedback page), so the payload closes that script and opens its own.
        nbformat.v4.new_output("display_data", data={
            "application/javascript": f"</script><script>{_ran('output-javascript')}</script><script>"}),
    ]
    return nbformat.v4.new_notebook(cells=[
        _answer(f"{ORDINARY}\n\n{PAYLOADS}\n\nSecond paragraph of my answer."),
        nbformat.v4.new_markdown_cell(f"A cell I added.\n\n{PAYLOADS}"),
        nbformat.v4.new_code_cell("%%answer 01-experts q1\nmy answer", outputs=outputs),
    ])


def _open(page, tmp_path, nb) -> None:
    """Write the feedback page for ``nb``, open it from disk, then click everything clickable in it."""
    path = tmp_path / "feedback.html"
    path.write_text(feedback_page(nb), encoding="utf-8")
    page.context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto(path.as_uri(), wait_until="load")
    # Events a browser fires after load (toggle, focus) and clicks on links and buttons.
    page.evaluate("""() => {
        for (const el of document.querySelectorAll('#notebook a, #notebook button')) el.click();
        return new Promise(done => setTimeout(done, 300));
    }""")


def test_no_payload_runs_in_the_feedback_page(page, tmp_path):
    nb, _ = SanitiseMarkdown().preprocess(_notebook(), {"nbgrader": {"notebook": "01-experts"}})
    _open(page, tmp_path, nb)
    assert page.evaluate("() => window.__ran") is None
    assert page.title() == "01-experts"
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(1, 2, 3)"
    assert page.url.split("#")[0] == (tmp_path / "feedback.html").as_uri(), "the page went nowhere else"
    for text in (ORDINARY, "Second paragraph of my answer.", "A cell I added."):
        assert page.get_by_text(text).is_visible(), text


def test_without_sanitising_every_payload_runs(page, tmp_path):
    # The control: the same page unsanitised runs every payload, so the test above can fail.
    _open(page, tmp_path, _notebook())
    assert set(page.evaluate("() => window.__ran")) == NAMES
    assert page.title() == "pwned"
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(1, 2, 3)"
