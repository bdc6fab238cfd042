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


_MARKUP = re.compile(r"<[^<>]{0,200}>|&[a-z#0-9]{1,8};|[^\w\s.,;:!?'\"()-]")


def junk_reason(text: str, what: str = "answer") -> str:
    """Why a text is not words to mark ("" when it is): mostly markup or symbols, or the same
    sentences pasted over and over. ``what`` names it in the message ("answer", "letter")."""
    visible = re.sub(r"\s", "", text)
    junk = sum(len(m.group(0)) for m in _MARKUP.finditer(visible))
    if visible and junk / len(visible) > 0.4:
        return (f"Your {what} is mostly code, markup or symbols. Write it in plain words, as you would "
                "say it, then check again.")
    parts = [re.sub(r"\W+", " ", s.lower()).strip() for s in sentences(text)]
    if len(parts) >= 6 and len(set(parts)) <= len(parts) / 3:
        return f"Your {what} repeats the same sentences. Write each point once, then check again."
    return ""
