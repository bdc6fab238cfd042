"""Trainee-written HTML made safe before nbgrader shows it (issue 13).

nbgrader's feedback and its formgrader render the autograded notebook with nbconvert, which passes
any HTML in a markdown cell, and any HTML, SVG or JavaScript output, straight into the page. A
trainee who writes ``<img src=x onerror=...>`` in an answer would run script in the trainee's own
feedback and in the browser of the trainer who opens it.

``SanitiseMarkdown`` is an nbgrader preprocessor meant for ``Autograde.sanitize_preprocessors``,
after ``ClearOutput`` and ``OverwriteCells``. Each markdown cell a trainee could have written is
rendered with nbconvert's own markdown renderer, cleaned with nh3 (ordinary formatting kept; no
scripts, event handlers, styles, frames, forms or SVG; links only to http, https and mailto;
images only from http and https) and put back as the cell's source, so the page shows the same
text without anything live. Outputs are cleaned the same way. ``clean_html`` is the cleaner on
its own, for other code.
"""

from __future__ import annotations

import re

import nh3
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import compute_checksum

_TAGS = {
    "p", "br", "hr", "div", "span",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark", "small", "abbr",
    "code", "kbd", "samp", "pre", "blockquote", "q",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "abbr": {"title"},
    # A markdown table's column alignment comes as style="text-align: ..."; only that property is kept.
    "th": {"colspan", "rowspan", "style"},
    "td": {"colspan", "rowspan", "style"},
}
# Elements dropped with everything inside them (the others not in _TAGS lose the tag, keep the text).
_DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math", "template",
                         "noscript", "textarea", "select", "title"}
# Outputs that are safe as they are: nbconvert escapes text and writes images as data: URLs.
_SAFE_OUTPUTS = {"text/plain", "text/latex", "image/png", "image/jpeg"}


def _only_web_images(tag: str, attribute: str, value: str) -> str | None:
    """Keep an image's src only if it is an http or https address (links may also be mailto)."""
    if tag == "img" and attribute == "src" and not value.lower().startswith(("http://", "https://")):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROPPED_WITH_CONTENT,
    attributes=_ATTRIBUTES,
    attribute_filter=_only_web_images,
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    filter_style_properties={"text-align"},
)


def clean_html(text: str) -> str:
    """Return ``text`` as HTML with only ordinary formatting left.

    Scripts, styles, frames, objects, forms and SVG go with their content; other unknown tags go
    and leave their text; event handlers and other attributes go; a link keeps its address only
    if it is http, https or mailto, an image its source only if it is http or https. Text, ``<``,
    ``&`` and quotes in it are kept (escaped where HTML needs it).
    """
    return _CLEANER.clean(text)


def _markdown_to_html(source: str) -> str:
    """Render markdown as nbconvert's HTML export does (without heading anchor links)."""
    return MarkdownWithMath(renderer=IPythonRenderer(escape=False, exclude_anchor_links=True)).render(source)


def safe_markdown(source: str) -> str:
    """Return markdown ``source`` as clean HTML that nbconvert will show exactly as it is.

    The clean HTML is wrapped in one ``<div>`` with no blank line in it (a newline before a blank
    line becomes ``&#10;``, the same character to a browser). Markdown passes such a block through
    untouched, so text left behind by a removed tag is never read as markdown a second time.
    """
    html = clean_html(_markdown_to_html(source)).strip()
    return "<div>" + re.sub(r"\n(?=[ \t]*(?:\n|$))", "&#10;", html) + "</div>"


def _written_by_the_course(cell) -> bool:
    """Whether the cell's text is exactly the course's: its checksum is the one nbgrader stored.

    ``OverwriteCells`` keeps a ``grade_id`` only if nbgrader's database has it, writes the
    database's checksum into the cell and puts a locked cell's source back. A matching checksum
    therefore means the course's own text: a locked cell, or an answer cell left as released
    (left alone, so nbgrader still scores it 0 with "No response.").
    """
    nbgrader = cell.metadata.get("nbgrader", {})
    return "grade_id" in nbgrader and nbgrader.get("checksum") == compute_checksum(cell)


def _clean_output(output) -> None:
    """Make one cell output safe to show: HTML cleaned, markdown made clean HTML, the rest dropped.

    The output's metadata goes too (nbconvert writes an image's width and height unquoted).
    """
    if "data" not in output:
        return
    data = {}
    for mimetype, value in output.data.items():
        text = "".join(value) if isinstance(value, list) else value
        if mimetype in _SAFE_OUTPUTS:
            data[mimetype] = value
        elif mimetype == "text/html":
            data[mimetype] = clean_html(text)
        elif mimetype == "text/markdown":
            data[mimetype] = safe_markdown(text)
    output.data = data
    output.metadata = {}


class SanitiseMarkdown(NbGraderPreprocessor):
    """nbgrader preprocessor: trainee-written markdown and every output made safe to render.

    Meant for ``Autograde.sanitize_preprocessors`` after ``ClearOutput`` and ``OverwriteCells``.
    Every markdown cell whose text is not exactly the course's becomes clean HTML
    (``safe_markdown``);
    every output left on any cell is cleaned; widget state saved in the notebook is dropped
    (nbconvert's page would load a widget renderer that writes widget HTML into the page).
    """

    def preprocess(self, nb, resources):
        """Clean the notebook's cells and drop any saved widget state."""
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        """Clean one cell: its markdown if a trainee could have written it, and its outputs."""
        if cell.cell_type == "markdown" and not _written_by_the_course(cell):
            cell.source = safe_markdown(cell.source)
        for output in cell.get("outputs", []):
            _clean_output(output)
        return cell, resources
