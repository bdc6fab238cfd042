"""A practice card's text as paragraphs of HTML: one helper for the notebook's widget
(:mod:`alongside.widgets.practice`) and the printed handouts (:mod:`alongside.handouts`) alike.

The course writers write a card as a YAML folded block (``card: >``) with a blank line between
paragraphs. YAML folds each wrapped line into a space and turns each blank line into a single
newline, so in the loaded text every newline is a paragraph break. :func:`paragraphs` therefore
splits on every newline (a run of them, as a Python string with blank lines has, is one break) and
joins the spaces inside a paragraph.

:func:`what_is_hard` says what makes the conversation hard, and how to keep it safe when feelings
run high, in the same words on the screen and on the printed setting card.

A paragraph that starts with a short label ending in a colon, such as "How to play it:" or "Your
aim:", shows the label in bold, so a reader can find each part of a card at a glance.
"""

from __future__ import annotations

import html
import re

from alongside.practice import HARD_PARTS

# A label: a capital, then up to 80 characters with no sentence end, comma, colon or quotation mark,
# then a colon ("How to play it:"; not "After the round, ask these questions:").
_LABEL = re.compile(r"([A-Z][^.,!?:;\"“”]{0,80}:)\s+(?=\S)")
_LABEL_WORDS = 12


def paragraphs(text: object) -> list[str]:
    """The paragraphs of a card's text: each line of it, with its spaces tidied; blank lines are skipped."""
    return [" ".join(line.split()) for line in str(text).splitlines() if line.strip()]


def label(paragraph: str) -> tuple[str, str]:
    """A paragraph's leading label and the rest ("Your aim:", "be honest..."), or ("", the paragraph)."""
    found = _LABEL.match(paragraph)
    if found is None or len(found.group(1).split()) > _LABEL_WORDS:
        return "", paragraph
    return found.group(1), paragraph[found.end():]


def paragraphs_html(text: object) -> str:
    """A card's text as escaped HTML paragraphs, each leading label in bold."""
    shown = []
    for paragraph in paragraphs(text):
        head, rest = label(paragraph)
        shown.append(f"<p><strong>{html.escape(head)}</strong> {html.escape(rest)}</p>" if head
                     else f"<p>{html.escape(paragraph)}</p>")
    return "".join(shown)


FEELINGS_HIGH = "Feelings can run high in this one: before you start, agree how anyone can pause or step out."


def what_is_hard(practice: dict) -> str:
    """What makes a practice's conversation hard, in words, and the note on pausing if feelings run high."""
    said = f"What makes it hard: {HARD_PARTS[practice['hard_part']]}."
    return f"{said} {FEELINGS_HIGH}" if practice["feelings_high"] else said
