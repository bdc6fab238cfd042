"""Results as one block of HTML, in the look of the course's widgets: a self-check, a language check.

Every verdict is in words ("Met", "Not yet", "Right"), in bold, never in colour alone; points
read "4 of 6 points". All text is escaped. Each block has a plain-text twin for places that
cannot show HTML (nbgrader's feedback, a terminal).
"""

from __future__ import annotations

import html
import re

from IPython.display import display

from alongside.grading import ItemResult

_STATUS = re.compile(r"^(Met|Not yet|Right|Partly right|No answer yet|Look again|Ready for the grader)\b")
CSS = (
    "<style>.alongside-result { border: 1px solid var(--jp-border-color1, #999);"
    " border-left: 0.4em solid var(--jp-brand-color1, #1976d2); border-radius: 2px; padding: 0.4em 1em;"
    " margin: 0.3em 0; max-width: 60em; background: var(--jp-layout-color1, #fff);"
    " color: var(--jp-ui-font-color1, #111); font-size: var(--jp-content-font-size1, 14px); line-height: 1.5; }"
    " .alongside-result p { margin: 0.3em 0; } .alongside-result ul { margin: 0.3em 0; padding-left: 1.4em; }"
    " .alongside-result li { margin: 0.2em 0; }"
    " .alongside-result .alongside-result-title { font-size: 1.05em; }</style>"
)


def _item(line: str) -> str:
    text = html.escape(line.strip())
    return _STATUS.sub(r"<strong>\1</strong>", text, count=1)


def _list(lines: list[str]) -> str:
    """Lines as a list; a line indented by two spaces belongs under the line before it."""
    items: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("  ") and items:
            items[-1][1].append(line)
        else:
            items.append((line, []))
    out = []
    for head, under in items:
        inner = f"<ul>{''.join(f'<li>{_item(u)}</li>' for u in under)}</ul>" if under else ""
        out.append(f"<li>{_item(head)}{inner}</li>")
    return f'<ul class="alongside-feedback">{"".join(out)}</ul>'


def block(title: str, headline: str, lines: list[str], note: str = "", kind: str = "alongside-check-result") -> str:
    """One result block: a title, a headline in bold, a list of lines, and a note under it."""
    note_html = f"<p>{html.escape(note)}</p>" if note else ""
    body = _list(lines) if lines else ""
    return (
        f'{CSS}<div class="alongside-result {kind}" role="group" aria-label="{html.escape(title)}">'
        f'<p class="alongside-result-title"><strong>{html.escape(title)}</strong></p>'
        f"<p><strong>{html.escape(headline)}</strong></p>{body}{note_html}</div>"
    )


def headline(result: ItemResult) -> str:
    """A result's points in words: "4 of 6 points", or, when the grader marks it (statements to
    sort, whose answer key only the trainer has), that it is not marked here."""
    if result.marked:
        return f"{result.points:g} of {result.max:g} points"
    return f"Not marked here: your trainer's grader marks it (up to {result.max:g} points)"


def result_html(result: ItemResult, note: str = "") -> str:
    """A self-check's block: the item's title, its points as "x of y points", and the feedback."""
    return block(f"Self-check: {result.title}", headline(result), result.lines, note)


def result_text(result: ItemResult, note: str = "") -> str:
    """The same self-check as plain text."""
    return plain(f"Self-check: {result.title}", headline(result), result.lines, note)


def message_html(title: str, message: str) -> str:
    """A block that says why there is nothing to mark yet."""
    return block(title, message, [], kind="alongside-check-message")


def plain(title: str, headline: str, lines: list[str], note: str = "") -> str:
    """A block's plain-text twin."""
    return "\n".join([title, headline, *(f"- {line.strip()}" for line in lines), *([note] if note else [])])


def language_block(found: dict) -> tuple[str, str]:
    """The language checker's verdict (:func:`alongside.language.check_language`) as (HTML, text):
    each phrase that can hurt, its kind, why, and what to try instead."""
    flags = found.get("flags") or []
    if not flags:
        parts = ("Language check", "No words that can hurt were found.", [],
                 "The checker looks for words, not meaning: read it again as the parent would.")
    else:
        lines = [f"Look again: \u201c{f['phrase']}\u201d ({f['category']}). {f['why']} Try: {f['suggestion']}" for f in flags]
        count = "1 phrase" if len(flags) == 1 else f"{len(flags)} phrases"
        parts = ("Language check", f"{count} to look at again.", lines,
                 "The checker can miss things, and it can flag words that are fine in context.")
    return block(*parts, kind="alongside-language-result"), plain(*parts)


def show_language_check(text: str) -> None:
    """Check a text for words that can hurt a parent and show the verdict as one block."""
    from alongside.language import check_language

    page, words = language_block(check_language(text))
    display({"text/html": page, "text/plain": words}, raw=True)
