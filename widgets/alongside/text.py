"""Small text helpers shared by the checkers: sentences, words and questions."""

from __future__ import annotations

import bisect
import re
import unicodedata

# A sentence ends at its stop, at a blank line, before a list item, and at a line break between
# a line with no stop (it ends in a word or an emoji) and a line that starts with a capital (a
# thought typed on each line).
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+|\n\s*\n|\n(?=\s*[-*•]\s)|(?<=[^\W_]|[^\x00-\x7f])[ \t]*\n(?=[ \t]*[A-Z])")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

# nbgrader replaces a solution with this stub; it is not an answer.
STUB = "YOUR ANSWER HERE"

# The longest text any checker reads, in characters: about 8,000 words of English, well past the
# longest letter (5,000 words) or reflection the checkers mark, so no honest answer comes near it.
MAX_CHARS = 50_000
# The language checker reads a statement or a short reply, so it reads less: the first 10,000.
STATEMENT_CHARS = 10_000


def cap(text: str, what: str = "answer", part_checked: bool = False, limit: int = MAX_CHARS) -> tuple[str, str]:
    """A text cut to ``limit`` characters before any pattern reads it, and a message for the
    trainee ("" when the text fits; see :func:`limit_message` for ``what`` and ``part_checked``)."""
    if len(text) <= limit:
        return text, ""
    return text[:limit], limit_message(what, part_checked, limit)


def limit_message(what: str = "answer", part_checked: bool = False, limit: int = MAX_CHARS) -> str:
    """What to tell a trainee whose text is longer than ``limit``: ``what`` names the text
    ("answer", "letter"); with ``part_checked`` the first part was checked, else none of it."""
    said = f"Only the first {limit:,} characters were checked." if part_checked else "It was not checked."
    return (f"Your {what} is longer than {limit:,} characters, far longer than this needs. {said} "
            "Shorten it, then check again.")


def size(value: object) -> int:
    """How many characters of text a value holds: its strings, and for a dict or list its keys and
    one character for each item (the line breaks that join them). Counting stops past ``MAX_CHARS``."""
    total, waiting = 0, [value]
    while waiting and total <= MAX_CHARS:
        item = waiting.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            waiting += [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple)):
            total += len(item)
            waiting += item
        else:
            total += 1
    return total


def normalise(text: str) -> str:
    """Unicode-normalise text and make curly quotes straight, so patterns match either."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def strip_stub(text: str) -> str:
    """Remove nbgrader's markers from an answer: the "YOUR ANSWER HERE" stub and, in a solution
    notebook, the "### BEGIN SOLUTION" and "### END SOLUTION" lines."""
    text = re.sub(r"(?m)^[ \t]*#+[ \t]*(BEGIN|END) SOLUTION[ \t]*$", "", text)
    return without_stub(text).strip()


def without_stub(text: str, blank: str | None = None) -> str:
    r"""The text with each stub removed, with the spaces just before it and a "#" just before those,
    as ``re.sub(r"#?\s*YOUR ANSWER HERE", "", text)`` would, but in one pass: that pattern takes
    time in the square of a long run of spaces. ``blank`` names the spaces (default: any white space)."""
    pieces = text.split(STUB)
    for i in range(len(pieces) - 1):
        piece = pieces[i].rstrip(blank)
        pieces[i] = piece[:-1] if piece.endswith("#") else piece
    return "".join(pieces)


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


class Spans:
    """Stretches of a text (start, end) that do not overlap, each with an item, kept in order of
    start, so that a new stretch is checked against its two neighbours only (checking it against
    every one kept takes time in the square of their number)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._kept: list[tuple[int, int, object]] = []

    def free(self, start: int, end: int) -> bool:
        """True when start..end overlaps none of the stretches kept."""
        i = bisect.bisect_right(self._starts, start)
        return (i == 0 or self._kept[i - 1][1] <= start) and (i == len(self._kept) or self._kept[i][0] >= end)

    def add(self, start: int, end: int, item: object) -> bool:
        """Keep ``item`` for start..end when that overlaps nothing kept; True when it was kept."""
        if not self.free(start, end):
            return False
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._kept.insert(i, (start, end, item))
        return True

    def items(self) -> list:
        """The items kept, in order of where they start."""
        return [item for _, _, item in self._kept]
