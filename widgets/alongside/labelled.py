"""Read labelled lines: "Shared goal: ..." and "c1: parent", the way a structured answer is typed.

A structured answer (a plan with parts, a set of statements to sort) is plain text in which some
lines start with a label and a colon. Everything after a label, up to the next label, belongs to
that label's field, over as many lines as it takes. A label is recognised in any case, with any
spacing, underscores or hyphens, and with small typing slips ("Reveiw date"). Short labels
such as ``c1`` must be typed exactly (``C1``, ``c 1`` and ``c01`` are the same), so that ``c1``
can never be taken for ``c7``; they may also be followed by a space, a dash or a full stop
instead of a colon ("c1 parent", "c1 - parent").

Nothing here can fail on odd input: any text gives a :class:`Labelled` reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from alongside.text import cap, normalise

# How alike a typed label must be to a field's label (rapidfuzz's 0-100 ratio) to count as it.
SIMILAR = 85
# Labels this short (after normalising) are matched exactly, never by likeness.
EXACT_UP_TO = 4
# A typed label that is the start of a field's long label counts when it has this many characters.
PREFIX_FROM = 12

_BULLET = re.compile(r"^\s*(?:[-*•>]+\s*|\(?\d+[.)]\s+)?")
# The first colon and the spaces round it; "(?<!\s)" starts only at the first of a run of spaces, which
# plain "\s*[:：]\s*" tried from every one (time in the square of a long run of spaces).
_COLON = re.compile(r"(?<!\s)\s*[:：]\s*")
_SHORT = re.compile(r"^\s*([A-Za-z]{0,3}\s?\d{1,3})(?:\s*[-–=.)]\s*|\s+)(\S.*)?$")


@dataclass(frozen=True)
class Field:
    """One labelled part of an answer: its id, the label a trainee sees, and other names it answers to."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """The label to type: the label itself when it is four words or fewer, else the id in words."""
        if len(self.label.split()) <= 4:
            return self.label
        return self.id.replace("_", " ").strip().capitalize()

    def names(self) -> list[str]:
        """Every spelling that counts as this field, normalised: the label, the id, the aliases."""
        return list(dict.fromkeys(n for n in (squash(self.label), squash(self.id), *map(squash, self.aliases)) if n))


@dataclass
class Labelled:
    """What a labelled answer holds: text per field id (in field order, "" when missing), the ids
    whose label appeared, lines that came before any label, the ids of fields given more than
    once (their parts are joined), and a message when the text was too long to read in full."""

    values: dict[str, str]
    named: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    problem: str = ""


def squash(text: str) -> str:
    """A label as it is compared: lower case, no markup or apostrophes, single spaces, no leading zeros."""
    text = normalise(str(text)).lower()
    text = re.sub(r"['`*#]", "", text)
    text = re.sub(r"[\s_\-–.,;()]+", " ", text).strip()
    text = re.sub(r"(?<=[a-z]) (?=\d)", "", text)  # "c 1" -> "c1", "step 1" -> "step1"
    return re.sub(r"(?<!\d)0+(?=\d)", "", text)  # "s01" -> "s1"


def match_label(typed: str, fields: list[Field]) -> Field | None:
    """The field a typed label names, or None when it names none (or could be two)."""
    candidate = squash(_BULLET.sub("", typed))
    if not candidate or len(candidate) > 80:
        return None
    scores: dict[str, tuple[float, Field]] = {}
    for f in fields:
        best = 0.0
        for name in f.names():
            if candidate == name:
                best = 100.0
            elif len(name) > EXACT_UP_TO and len(candidate) > EXACT_UP_TO:
                best = max(best, fuzz.ratio(candidate, name))
                if len(candidate) >= PREFIX_FROM and name.startswith(candidate + " "):
                    best = max(best, float(SIMILAR))
        if best >= SIMILAR:
            scores[f.id] = (best, f)
    if not scores:
        return None
    ranked = sorted(scores.values(), key=lambda pair: -pair[0])
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < 3:
        return None  # too close to call: better unread than read into the wrong part
    return ranked[0][1]


def _label_line(line: str, fields: list[Field]) -> tuple[Field, str] | None:
    """(field, text after the label) when a line starts with a label, else None."""
    parts = _COLON.split(line, maxsplit=1)
    if len(parts) == 2:
        found = match_label(parts[0], fields)
        if found:
            return found, parts[1]
    # A short label with no colon: "c1 parent", "c1 - parent", "3. both" (a bullet may come first).
    short = _SHORT.match(line) or _SHORT.match(_BULLET.sub("", line))
    if short and len(squash(short.group(1))) <= EXACT_UP_TO:
        found = match_label(short.group(1), fields)
        if found:
            return found, short.group(2) or ""
    return None


def read_labelled(text: str, fields: list[Field]) -> Labelled:
    """Split text into the fields its label lines name.

    Lines before the first label are kept in ``unplaced``; a field named twice gets both parts,
    joined by a new line, and is listed in ``repeated``. Only the first ``MAX_CHARS`` characters
    are read; ``problem`` says so when there were more.
    """
    text, problem = cap(str(text), part_checked=True)
    values: dict[str, list[str]] = {f.id: [] for f in fields}
    named: list[str] = []
    repeated: list[str] = []
    unplaced: list[str] = []
    current: str | None = None
    for line in normalise(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        found = _label_line(line, fields)
        if found:
            current = found[0].id
            if current in named and current not in repeated:
                repeated.append(current)
            if current not in named:
                named.append(current)
            values[current].append(found[1].strip())
        elif current is not None:
            values[current].append(line.rstrip())
        elif line.strip():
            unplaced.append(line.strip())
    joined = {fid: "\n".join(parts).strip() for fid, parts in values.items()}
    return Labelled(joined, named, unplaced, repeated, problem)


def labelled_lines(fields: list[Field], values: dict) -> str:
    """Values as labelled lines, one field to a line, the way :func:`read_labelled` reads them back
    (a list of labels is written with commas between them)."""
    def text(value: object) -> str:
        return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value or "").strip()

    return "\n".join(f"{f.short}: {text(values.get(f.id))}" for f in fields)
