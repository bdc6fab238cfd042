"""Small text helpers shared by the checkers: sentences, words and questions."""

from __future__ import annotations

import re
import unicodedata

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+|\n\s*\n|\n(?=\s*[-*•]\s)")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

# nbgrader replaces a solution with this stub; it is not an answer.
STUB = "YOUR ANSWER HERE"


def normalise(text: str) -> str:
    """Unicode-normalise text and make curly quotes straight, so patterns match either."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def strip_stub(text: str) -> str:
    """Remove nbgrader's markers from an answer: the "YOUR ANSWER HERE" stub and, in a solution
    notebook, the "### BEGIN SOLUTION" and "### END SOLUTION" lines."""
    text = re.sub(r"(?m)^[ \t]*#+[ \t]*(BEGIN|END) SOLUTION[ \t]*$", "", text)
    return re.sub(r"#?\s*" + STUB, "", text).strip()


def sentences(text: str) -> list[str]:
    """Split text into sentences (and list items), dropping empty pieces."""
    parts = _SENTENCE_END.split(text.strip())
    return [p.strip() for p in parts if p and p.strip()]


def words(text: str) -> list[str]:
    """The words of a text, in any script."""
    return _WORD.findall(text)


def is_question(sentence: str) -> bool:
    """True when a sentence is written as a question."""
    return sentence.rstrip(" \"')").endswith("?")
