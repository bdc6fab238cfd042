"""Trainee-written HTML is made safe before nbgrader's feedback and formgrader render it (issue 13).

Every check reads the HTML as a browser would (Python's HTML parser): which elements, which
attributes, which addresses, and what text a reader sees.
"""

from __future__ import annotations

from html.parser import HTMLParser

import nbformat
import pytest
from nbconvert.exporters import NotebookExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbgrader.utils import compute_checksum
from nbgrader_tools import feedback_page
from traitlets.config import Config

from alongside.sanitise import SanitiseMarkdown, clean_html, safe_markdown

ALLOWED_TAGS = {
    "p", "br", "hr", "div", "span", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark",
    "small", "abbr", "code", "kbd", "samp", "pre", "blockquote", "q", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "table", "caption", "colgroup", "col", "thead", "tbody",
    "tfoot", "tr", "th", "td",
}

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "mixed-case script": "<ScRiPt>alert(1)</sCrIpT>",
    "unclosed script": "<script>alert(1)",
    "img onerror": "<img src=x onerror=alert(1)>",
    "img onerror, quoted": '<img src="x" onerror="alert(1)">',
    "javascript: link": '<a href="javascript:alert(1)">click</a>',
    "javascript: link, entity-encoded": '<a href="&#106;avascript:alert(1)">click</a>',
    "javascript: link, mixed case and spaces": '<a href=" JaVaScRiPt:alert(1)">click</a>',
    "markdown javascript: link": "[click](javascript:alert(1))",
    "markdown javascript: image": "![pic](javascript:alert(1))",
    "svg onload": "<svg onload=alert(1)><circle r=5></circle></svg>",
    "svg script": "<svg><script>alert(1)</script></svg>",
    "iframe": '<iframe src="https://example.org" srcdoc="<script>alert(1)</script>"></iframe>',
    "style": "<style>body { display: none }</style>",
    "style attribute": '<p style="background:url(javascript:alert(1))">text</p>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "form": '<form action="https://example.org"><input name=x><button>Go</button></form>',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>s</summary>d</details>",
    "unquoted attributes": "<div onmouseover=alert(1) onclick=alert(1)>hover</div>",
    "unclosed tag": '<img src=x onerror="alert(1)"',
    "data: link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "data: image": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "markdown data: link": "[click](data:text/html,<script>alert(1)</script>)",
    "relative image": '<img src="/api/contents/secret">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "math": '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>',
    "tag hidden in a removed tag": "<div>[click](javascript:alert(1))</div>\n\n<textarea>\n\n[x](javascript:alert(1))</textarea>",
    "comment": "<!-- <script>alert(1)</script> -->",
    "template": "<template><img src=x onerror=alert(1)></template>",
}


class _Page(HTMLParser):
    """What a browser would build from some HTML: its elements with attributes, and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text = ""
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text += data


def _assert_harmless(html: str) -> None:
    """Only ordinary formatting: no other elements, no handlers, addresses only http(s)/mailto."""
    for tag, attrs in _Page(html).elements:
        assert tag in ALLOWED_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name} survived in {html!r}"
            assert name not in ("srcdoc", "action", "formaction", "data"), f"{name} survived in {html!r}"
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:")), f"href={value!r} survived"
            if name == "src":
                assert value.startswith(("http://", "https://")), f"src={value!r} survived"
            if name == "style":
                assert tag in ("th", "td") and value.replace(" ", "") in (
                    "text-align:left", "text-align:right", "text-align:center"), f"style={value!r} survived"


def _shown(source: str) -> str:
    """The HTML nbconvert writes for a markdown cell whose source is ``source``."""
    return markdown2html_mistune(source)


def _answer_cell(source: str, **nbgrader_fields) -> nbformat.NotebookNode:
    """A markdown answer cell as a trainee hands it in (nbgrader's metadata, a changed text)."""
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata.nbgrader = {"grade": True, "solution": True, "locked": False, "grade_id": "answer",
                              "points": 1, "schema_version": 3, "checksum": "from the release", **nbgrader_fields}
    return cell


def _sanitised(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb, _ = SanitiseMarkdown().preprocess(nb, {"nbgrader": {"notebook": "01-experts"}})
    return nb


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_no_payload_survives_in_an_answer(payload):
    (cell,) = _sanitised(_answer_cell(f"My answer.\n\n{payload}\n\nThe end.")).cells
    _assert_harmless(_shown(cell.source))
    assert "My answer." in _Page(_shown(cell.source)).text


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_clean_html_removes_every_payload(payload):
    _assert_harmless(clean_html(payload))


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_no_payload_survives_in_a_cell_a_trainee_added(payload):
    (cell,) = _sanitised(nbformat.v4.new_markdown_cell(payload)).cells
    _assert_harmless(_shown(cell.source))


def test_all_payloads_at_once_leave_no_script_text_on_the_page():
    (cell,) = _sanitised(_answer_cell("\n".join(PAYLOADS.values()))).cells
    page = _Page(_shown(cell.source))
    _assert_harmless(_shown(cell.source))
    assert "display: none" not in page.text and "<script" not in _shown(cell.source).lower()


ORDINARY = """My answer, in my own words: parents & carers are experts.
A second line, straight after the first.

- listen first
- then *ask*, **never** assume

1. one
2. two

See [the guidance](https://example.org/guidance?a=1&b=2) or [write to us](mailto:team@example.org).

If a < b and c > d, then "quotes" and 'single quotes' stay. Emoji too: 😀 👍🏽.

> A quote from a parent.

`code`, a hard break\\
and a heading:

## Next steps
"""


def test_a_trainees_ordinary_text_survives():
    (cell,) = _sanitised(_answer_cell(ORDINARY)).cells
    html = _shown(cell.source)
    page = _Page(html)
    _assert_harmless(html)
    for words in ("My answer, in my own words: parents & carers are experts.\nA second line, straight after the first.",
                  "listen first", "then ask, never assume", "one", "two", "the guidance", "write to us",
                  "If a < b and c > d, then \"quotes\" and 'single quotes' stay. Emoji too: 😀 👍🏽.",
                  "A quote from a parent.", "code, a hard break", "and a heading:", "Next steps"):
        assert words in page.text, words
    tags = [tag for tag, _ in page.elements]
    for tag in ("ul", "ol", "li", "em", "strong", "a", "blockquote", "code", "br", "h2"):
        assert tag in tags, tag
    hrefs = [attrs["href"] for tag, attrs in page.elements if tag == "a"]
    assert hrefs == ["https://example.org/guidance?a=1&b=2", "mailto:team@example.org"]


def test_the_text_shown_is_the_text_nbconvert_showed_before():
    (cell,) = _sanitised(_answer_cell(ORDINARY)).cells
    before, after = _Page(_shown(ORDINARY)).text, _Page(_shown(cell.source)).text
    assert " ".join(after.split()) == " ".join(before.replace("¶", "").split())


def test_escaped_html_a_trainee_typed_stays_visible_as_text():
    (cell,) = _sanitised(_answer_cell("I would never write &lt;script&gt; here &amp; there.")).cells
    assert "I would never write <script> here & there." in _Page(_shown(cell.source)).text
    _assert_harmless(_shown(cell.source))


def test_an_image_from_the_web_is_kept():
    html = _shown(safe_markdown('![a chart](https://example.org/chart.png "Chart")'))
    assert ("img", {"src": "https://example.org/chart.png", "alt": "a chart", "title": "Chart"}) in _Page(html).elements


def test_removed_tags_do_not_turn_their_text_into_markdown():
    source = safe_markdown("<textarea>\n\n[x](javascript:alert(1))\n\n*not emphasis*</textarea>")
    assert markdown2html_mistune(source).strip() == source, "nbconvert shows the clean HTML untouched"
    assert "<em>" not in source and "href" not in source


def test_the_courses_own_text_is_left_alone():
    locked = nbformat.v4.new_markdown_cell("## The course <span class='x'>heading</span>")
    locked.metadata.nbgrader = {"grade": False, "solution": False, "locked": True, "grade_id": "intro", "schema_version": 3}
    locked.metadata.nbgrader["checksum"] = compute_checksum(locked)
    untouched = _answer_cell("YOUR ANSWER HERE")
    untouched.metadata.nbgrader["checksum"] = compute_checksum(untouched)
    nb = _sanitised(locked, untouched)
    assert nb.cells[0].source == "## The course <span class='x'>heading</span>"
    assert nb.cells[1].source == "YOUR ANSWER HERE", "nbgrader still sees an unanswered cell (scored 0, 'No response.')"


def test_a_locked_cell_that_nbgrader_does_not_know_is_cleaned():
    # OverwriteCells drops a grade_id missing from the database; a forged checksum does not match.
    forged = nbformat.v4.new_markdown_cell("<img src=x onerror=alert(1)>")
    forged.metadata.nbgrader = {"grade": False, "solution": False, "locked": True, "schema_version": 3}
    stale = _answer_cell("<img src=x onerror=alert(1)>", locked=True, solution=False)
    for cell in _sanitised(forged, stale).cells:
        assert "onerror" not in cell.source


def test_outputs_are_cleaned():
    cell = nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("display_data", data={
            "text/html": "<b>bold</b><img src=x onerror=alert(1)>", "text/plain": "bold",
            "image/svg+xml": "<svg onload=alert(1)></svg>", "application/javascript": "alert(1)",
            "application/vnd.jupyter.widget-view+json": {"model_id": "1", "version_major": 2, "version_minor": 0},
            "image/png": "iVBORw0KGgo=", "text/markdown": "[x](javascript:alert(1))"},
            metadata={"image/png": {"width": "1 onerror=alert(1)"}}),
        nbformat.v4.new_output("stream", text="<script>shown escaped</script>"),
    ])
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    nb, _ = SanitiseMarkdown().preprocess(nb, {})
    shown, stream = nb.cells[0].outputs
    assert set(shown.data) == {"text/html", "text/plain", "image/png", "text/markdown"}
    assert shown.data["text/html"] == "<b>bold</b><img>" and shown.metadata == {}
    _assert_harmless(_shown(shown.data["text/markdown"]))
    assert stream.text == "<script>shown escaped</script>", "nbconvert escapes streams itself"
    assert "widgets" not in nb.metadata
    nbformat.validate(nb)


def test_registered_as_nbgrader_registers_it_it_runs_and_the_feedback_page_is_clean():
    # nbgrader's converters register each preprocessor class without enabling it: ours must run anyway.
    cells = [_answer_cell(f"Answer {i}: {payload}") for i, payload in enumerate(PAYLOADS.values())]
    config = Config()
    config.Exporter.default_preprocessors = []
    exporter = NotebookExporter(config=config)  # Autograde's exporter
    exporter.register_preprocessor(SanitiseMarkdown)
    nb, _ = exporter._preprocess(nbformat.v4.new_notebook(cells=cells), {"nbgrader": {"notebook": "01-experts"}})
    page = feedback_page(nb)
    raw = feedback_page(nbformat.v4.new_notebook(cells=[_answer_cell(p) for p in PAYLOADS.values()]))
    assert "onerror=alert(1)" in raw, "without the preprocessor the payloads reach the page"
    elements, scripts = _Page(page).elements, _Page(page).scripts
    assert not [(tag, attrs) for tag, attrs in elements if any(name.startswith("on") for name in attrs)]
    template = _Page(feedback_page(nbformat.v4.new_notebook(cells=[_answer_cell("An answer.")]))).elements
    risky = ("script", "iframe", "object", "embed", "form", "svg", "details", "style", "base", "meta", "link")
    assert [e for e in elements if e[0] in risky] == [e for e in template if e[0] in risky], "only the template's own"
    assert not [attrs for _, attrs in elements if any(v and v.strip().lower().startswith(("javascript", "data:text"))
                                                      for v in attrs.values())]
    assert not [text for text in scripts if "alert" in text], "no trainee script in the page"
    assert all(f"Answer {i}:" in _Page(page).text for i in range(len(PAYLOADS)))


@pytest.mark.slow
def test_in_stock_nbgrader_with_the_courses_config(tmp_path):
    # As nbgrader_config.py sets it up (alongside.trusted.configure): last in Autograde.sanitize_preprocessors.
    import json

    from nbgrader.api import Gradebook
    from nbgrader_tools import make_course, nbgrader

    course = make_course(tmp_path, ["02-words"])  # the course's own nbgrader_config.py: the trusted steps
    nbgrader(course, "generate_assignment", "02-words", "--force")
    released = nbformat.read(course / "exercises" / "02-words" / "02-words.ipynb", as_version=4)
    nbgrader(course, "db", "student", "add", "blank")
    nbgrader(course, "db", "student", "add", "trainee")
    (course / "submitted" / "blank" / "02-words").mkdir(parents=True)
    nbformat.write(released, course / "submitted" / "blank" / "02-words" / "02-words.ipynb")
    nb = nbformat.from_dict(json.loads(json.dumps(released)))
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_reflection")
    answer.source = f"{ORDINARY}\n\n" + "\n\n".join(PAYLOADS.values())
    locked = next(c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("locked"))
    course_text, locked.source = locked.source, "<img src=x onerror=alert(1)> the course's text, changed"
    nb.cells.append(nbformat.v4.new_markdown_cell("A cell I added. <script>alert(1)</script>"))
    (course / "submitted" / "trainee" / "02-words").mkdir(parents=True)
    nbformat.write(nb, course / "submitted" / "trainee" / "02-words" / "02-words.ipynb")

    nbgrader(course, "autograde", "02-words", "--force")
    nbgrader(course, "generate_feedback", "02-words", "--force")

    graded = nbformat.read(course / "autograded" / "trainee" / "02-words" / "02-words.ipynb", as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in graded.cells}
    assert by_id[locked.metadata.nbgrader["grade_id"]].source == course_text, "OverwriteCells put it back, we left it"
    assert "then ask, never assume" in _Page(_shown(by_id["answer_reflection"].source)).text
    page = (course / "feedback" / "trainee" / "02-words" / "02-words.html").read_text(encoding="utf-8")
    template = _Page((course / "feedback" / "blank" / "02-words" / "02-words.html").read_text(encoding="utf-8"))
    shown = _Page(page)
    assert not [e for e in shown.elements if any(name.startswith("on") for name in e[1])]
    assert [t for t in shown.scripts if "alert" in t] == []
    assert "A cell I added." in shown.text and "parents & carers are experts." in shown.text
    assert len([e for e in shown.elements if e[0] == "script"]) == len([e for e in template.elements if e[0] == "script"])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        blank = gb.find_grade("answer_reflection", "02-words", "02-words", "blank")
        assert blank.auto_score == 0 and not blank.needs_manual_grade, "an unanswered cell is still scored 0 unseen"
        assert gb.find_comment("answer_reflection", "02-words", "02-words", "blank").auto_comment == "No response."
        assert gb.find_grade("answer_reflection", "02-words", "02-words", "trainee").needs_manual_grade
