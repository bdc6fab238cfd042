"""Find phrases in text, sentence by sentence: the one matcher every checker uses.

A *phrase list* is data: regular expressions (case-insensitive) that count as a hit, and
``unless`` expressions: a sentence that matches one of those is passed over. This lets a
rubric say "wait and see" is dismissive while "rather than wait and see" is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alongside.data import DataError
from alongside.text import is_question, normalise, sentences

UNITS = ("sentence", "question", "text")


@dataclass(frozen=True)
class Hit:
    """One phrase found in a text: the words matched and the sentence they stand in."""

    phrase: str
    sentence: str
    pattern: str
    note: dict = field(default_factory=dict, compare=False)


def compile_pattern(pattern: str, where: str) -> re.Pattern:
    """Compile one case-insensitive pattern, naming the data file entry if it is broken."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as err:
        raise DataError(f"{where}: pattern {pattern!r} is not a valid regular expression ({err})") from None


@dataclass(frozen=True)
class PhraseList:
    """Patterns to look for, patterns that excuse a sentence, and the unit searched."""

    patterns: tuple[tuple[re.Pattern, dict], ...]
    unless: tuple[re.Pattern, ...] = ()
    within: str = "sentence"

    @classmethod
    def from_data(cls, entries, unless=(), within="sentence", where="phrase list") -> "PhraseList":
        """Build from data: entries are pattern strings or mappings with a ``pattern`` key."""
        if within not in UNITS:
            raise DataError(f"{where}: 'within' must be one of {', '.join(UNITS)}, not {within!r}")
        compiled = []
        for entry in entries or ():
            if isinstance(entry, str):
                compiled.append((compile_pattern(entry, where), {}))
            elif isinstance(entry, dict) and isinstance(entry.get("pattern"), str):
                note = {k: v for k, v in entry.items() if k != "pattern"}
                compiled.append((compile_pattern(entry["pattern"], where), note))
            else:
                raise DataError(f"{where}: each phrase must be a pattern or have a 'pattern' key, not {entry!r}")
        excuses = tuple(compile_pattern(p, where) for p in unless or ())
        return cls(tuple(compiled), excuses, within)

    def units(self, text: str) -> list[str]:
        """The pieces of text this list searches: sentences, questions only, or the whole text."""
        if self.within == "text":
            return [text] if text.strip() else []
        found = sentences(text)
        return [s for s in found if is_question(s)] if self.within == "question" else found

    def find(self, text: str) -> list[Hit]:
        """Every hit in the text, in order, skipping sentences an ``unless`` pattern excuses."""
        text = normalise(text)
        hits = []
        for unit in self.units(text):
            if any(p.search(unit) for p in self.unless):
                continue
            for pattern, note in self.patterns:
                for match in pattern.finditer(unit):
                    hits.append(Hit(match.group(0).strip(), unit, pattern.pattern, note))
        return hits
