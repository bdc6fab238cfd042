"""Find what looks like a person's name, a named school or setting, or a UK town in a text.

The names and places come from lists made from maintained data sets (``data/privacy/``: first
names and surnames from Faker, UK towns and cities from GeoNames, and which of them are also
ordinary words from SCOWL; see its README.txt); the rules are in ``data/privacy.yaml``. Knowing
only words, the finder reads the signs a reader would:

- a first name that is not also an ordinary word ("Jayden", "Priya") is a name anywhere, even at
  the start of a sentence;
- a first name that is also an ordinary word ("Will", "May", "Hope", "Grace") is a name only with
  more to go on: a surname after it ("Grace Thompson"), a title or "called" or "my daughter"
  before it, "'s" or ", my manager" after it ("Grace's mum"), or a capital letter in the middle of a sentence among
  lower-case words ("I told Grace"). A capital at the start of a sentence ("Will you come?") or in
  a title ("Early Help Hub") is not enough, and a word that is always capitalised ("May", the
  month; "Christian") needs a title, "called" or a surname;
- a title and a capitalised word ("Mrs Okafor", "Dr J. Stone") is a name, and so is a first name
  and a surname in lower case ("sarah thompson") when neither is also an ordinary word;
- one to four capitalised words before a word for a setting ("Oakfield Primary", "Little Acorns
  Nursery"), or "St Mary's C of E", name a setting, unless the words are all generic ("Special
  School", "the Civic Centre");
- a UK town or city ("Leeds", "Stoke-on-Trent") is a place; one that is also an ordinary word
  ("Reading", "Bath") only after "in", "from", "near" and the like.

:func:`find` returns each finding with the words that name it, so that the course's own invented
people and places (``data/cast.yaml``) can be told apart by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from alongside.data import data_path, load_yaml
from alongside.text import Spans

_TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*'?")
_SKIP_BACK = " \t\"'()[]*_#>•-"
_SENTENCE_END = ".!?:"
_SPACE = re.compile(r"[ \t]+")
_ABBREVIATED = re.compile(r"\.?[ \t]+")  # after a title or an initial: "Mr. J. Grant"
_ARTICLES = frozenset({"the", "a", "an", "The", "A", "An"})
_POSSESSIVES = frozenset({"my", "our", "his", "her", "their", "your", "My", "Our", "His", "Her", "Their", "Your"})
_NOT_FIRST = _ARTICLES | _POSSESSIVES  # "My" and "An" are first names too, but not before a surname


@dataclass(frozen=True)
class Found:
    """One possible identifying detail: its kind ("name", "setting" or "place"), its text and where it is.

    ``words`` are the words that name it (without titles or words such as "Primary"), which the
    caller compares with the course's own cast.
    """

    kind: str
    text: str
    start: int
    end: int
    words: tuple[str, ...]


class _Token(NamedTuple):
    text: str
    base: str  # without "'s"
    start: int
    end: int
    cap: bool
    initial: bool  # at the start of a sentence, a line or a list item
    possessive: bool


@dataclass(frozen=True)
class Lists:
    """The names, places and rules the finder uses."""

    names: dict[str, str]  # name -> flags: f first name, s surname, w ordinary word, p common capitalised word
    places: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # first word -> (words, flags), longest first
    titles: frozenset[str]
    role_titles: frozenset[str]
    name_before: tuple[re.Pattern, ...]
    name_after: tuple[re.Pattern, ...]
    setting_words: frozenset[str]
    setting_generic: frozenset[str]
    saint: re.Pattern
    street_words: frozenset[str]
    place_before: frozenset[str]
    glossary: re.Pattern | None  # the glossary's capitalised terms ("Ed Psych"): words, not people
    lower_first: frozenset[str]  # first names that are not also ordinary words, in lower case
    lower_surnames: frozenset[str]  # surnames that are not also ordinary words, in lower case


def _tsv(name: str) -> list[tuple[str, str]]:
    rows = []
    with data_path("privacy", name).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                word, _, flags = line.rstrip("\n").partition("\t")
                rows.append((word, flags))
    return rows


@lru_cache(maxsize=1)
def lists() -> Lists:
    """Load the lists once: names.tsv, uk-places.tsv and the rules in privacy.yaml."""
    from alongside.glossary import terms

    rules = load_yaml("privacy.yaml")
    forms = sorted({f for t in terms() for f in t.forms if re.search(r"\b[A-Z][a-z]", f)}, key=len, reverse=True)
    names = dict(_tsv("names.tsv"))
    plain = {n.lower(): f for n, f in names.items() if not set(f) & {"w", "p"}}
    places: dict[str, list] = {}
    for place, flags in _tsv("uk-places.tsv"):
        words = tuple(place.split())
        places.setdefault(words[0], []).append((words, flags))
    return Lists(
        names=names,
        places={k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in places.items()},
        titles=frozenset(rules["titles"]),
        role_titles=frozenset(rules["role_titles"]),
        name_before=tuple(re.compile(p, re.IGNORECASE) for p in rules["name_before"]),
        name_after=tuple(re.compile(p, re.IGNORECASE) for p in rules["name_after"]),
        setting_words=frozenset(rules["setting_words"]),
        setting_generic=frozenset(rules["setting_generic"]),
        saint=re.compile(rules["saint"]),
        street_words=frozenset(rules["street_words"]),
        place_before=frozenset(rules["place_before"]),
        glossary=re.compile(r"\b(" + "|".join(map(re.escape, forms)) + r")\b") if forms else None,
        lower_first=frozenset(n for n, f in plain.items() if "f" in f),
        lower_surnames=frozenset(n for n, f in plain.items() if "s" in f),
    )


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        word, start = match.group(0), match.start()
        possessive = word.endswith("'s") or (word.endswith("'") and len(word) > 2)
        base = word[:-2] if word.endswith("'s") else word.rstrip("'")
        cap = len(base) > 1 and base[0].isupper() and not base.isupper()
        tokens.append(_Token(word, base, start, match.end(), cap, _at_start(text, start), possessive))
    return tokens


def _at_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _SKIP_BACK:
        i -= 1
    if i < 0:
        return True
    gap = text[i + 1 : start]
    return (text[i] in _SENTENCE_END or text[i] == "\n" or "\n" in gap or gap.rstrip("*_ ").endswith('"')
            or text[i].isdigit() and ")" in gap)


def _next_to(text: str, a: _Token, b: _Token, abbreviated: bool = False) -> bool:
    """True when two tokens stand side by side on one line, as the words of one name do."""
    return bool((_ABBREVIATED if abbreviated else _SPACE).fullmatch(text[a.end : b.start]))


class _Reader:
    """One pass over one text: the tokens, and the questions the rules ask about them."""

    def __init__(self, text: str):
        self.text = text
        self.lists = lists()
        self.tokens = _tokens(text)

    def flags(self, i: int) -> str | None:
        return self.lists.names.get(self.tokens[i].base)

    def capital_neighbour(self, i: int) -> bool:
        """True when the word before or after is also capitalised and next to it (a title, an organisation)."""
        toks = self.tokens
        before = i > 0 and toks[i - 1].cap and not toks[i].initial and _next_to(self.text, toks[i - 1], toks[i])
        after = i + 1 < len(toks) and toks[i + 1].cap and _next_to(self.text, toks[i], toks[i + 1])
        return before or after

    def after(self, i: int, words: frozenset[str]) -> bool:
        """True when token i comes straight after one of ``words``."""
        return i > 0 and self.tokens[i - 1].text in words and _next_to(self.text, self.tokens[i - 1], self.tokens[i])

    def cue_around(self, i: int, after: bool = True) -> bool:
        """True when the words around name a person: "called", "my daughter", "a boy named" before it,
        or (unless ``after`` is False) ", my manager" after it."""
        tok = self.tokens[i]
        tail, head = self.text[max(0, tok.start - 60) : tok.start], self.text[tok.end : tok.end + 60]
        return any(p.search(tail) for p in self.lists.name_before) or (
            after and any(p.match(head) for p in self.lists.name_after))

    def is_name(self, i: int) -> bool:
        """True when token i reads as a person's first name on its own ("my Nan" is a relation, not a name)."""
        tok, flags = self.tokens[i], self.flags(i)
        if not tok.cap or not flags or "f" not in flags or self.after(i, _POSSESSIVES):
            return False
        if "p" in flags:  # "in May, my daughter..." is the month
            return self.cue_around(i, after=False)
        if "w" in flags:
            return self.cue_around(i) or tok.possessive or (not tok.initial and not self.capital_neighbour(i)
                                                              and not self.after(i, _ARTICLES))
        return True

    def surname_after(self, i: int) -> bool:
        """True when token i + 1 is a known name that stands next to token i ("Sarah Thompson")."""
        toks = self.tokens
        if i + 1 >= len(toks) or toks[i].possessive or not toks[i + 1].cap or not _next_to(self.text, toks[i], toks[i + 1]):
            return False
        flags = self.lists.names.get(toks[i + 1].base)
        return bool(flags) and toks[i + 1].base not in self.lists.setting_words | self.lists.street_words

    def found(self, kind: str, first: int, last: int, words: list[int]) -> Found:
        toks = self.tokens
        end = toks[last].start + len(toks[last].base) if toks[last].possessive else toks[last].end
        return Found(kind, self.text[toks[first].start : end], toks[first].start, end, tuple(toks[w].base for w in words))


def _titled(r: _Reader) -> list[Found]:
    out, toks = [], r.tokens
    for i, tok in enumerate(toks):
        titled = tok.base in r.lists.titles
        if not (titled or tok.base in r.lists.role_titles) or i + 1 >= len(toks):
            continue
        j, words = i + 1, []
        while j < len(toks) and len(words) < 3 and _next_to(r.text, toks[j - 1], toks[j], abbreviated=not words):
            nxt = toks[j]
            if len(nxt.base) == 1 and nxt.base.isupper():  # an initial: "Mr J Grant"
                j += 1
                continue
            if not nxt.cap or not (titled or r.lists.names.get(nxt.base)):
                break
            words.append(j)
            if nxt.possessive:
                break
            j += 1
        if words:
            out.append(r.found("name", i, words[-1], words))
    return out


def _people(r: _Reader) -> list[Found]:
    out, toks, i = [], r.tokens, 0
    while i < len(toks):
        flags = r.flags(i)
        if not toks[i].cap or not flags or "f" not in flags or toks[i].text in _NOT_FIRST:
            i += 1
            continue
        last = i
        while last - i < 2 and r.surname_after(last):
            last += 1
        if last > i and (r.is_name(i) or _plain(r, last) or (not toks[i].initial and "p" not in flags)):
            out.append(r.found("name", i, last, list(range(i, last + 1))))
            i = last + 1
        elif r.is_name(i):
            out.append(r.found("name", i, i, [i]))
            i += 1
        else:
            i += 1
    return out


def _lower_case(r: _Reader) -> list[Found]:
    """A first name and a surname written in lower case ("sarah thompson"), when neither is also an ordinary word."""
    out, toks, first, last = [], r.tokens, r.lists.lower_first, r.lists.lower_surnames
    for i in range(len(toks) - 1):
        a, b = toks[i], toks[i + 1]
        if a.base in first and b.base in last and _next_to(r.text, a, b):
            out.append(r.found("name", i, i + 1, [i, i + 1]))
    return out


def _plain(r: _Reader, i: int) -> bool:
    """True when token i is a name and not also an ordinary word."""
    flags = r.flags(i) or ""
    return bool(flags) and "w" not in flags and "p" not in flags


def _settings(r: _Reader) -> list[Found]:
    out, toks, lst = [], r.tokens, r.lists
    for match in lst.saint.finditer(r.text):
        words = tuple(w for w in re.findall(r"[A-Z][a-z]+", match.group(0)) if w not in ("St", "Saint"))
        out.append(Found("setting", match.group(0), match.start(), match.end(), words[:1]))
    i = 0
    while i < len(toks):
        if not (toks[i].cap and toks[i].base in lst.setting_words):
            i += 1
            continue
        last = i
        while last + 1 < len(toks) and toks[last + 1].base in lst.setting_words and _next_to(r.text, toks[last], toks[last + 1]):
            last += 1
        first = i
        while first > 0 and i - first < 4 and toks[first - 1].cap and _next_to(r.text, toks[first - 1], toks[first]) \
                and (not toks[first - 1].possessive or toks[first - 1].text in lst.setting_generic):
            first -= 1
            if toks[first].initial:
                break
        named = [k for k in range(first, i) if toks[k].base not in lst.setting_generic
                 and "p" not in (lst.names.get(toks[k].base) or "") and toks[k].base not in lst.setting_words]
        if named:
            out.append(r.found("setting", named[0], last, named))
        i = last + 1
    return out


def _places(r: _Reader) -> list[Found]:
    out, toks, lst = [], r.tokens, r.lists
    for i, tok in enumerate(toks):
        if not tok.cap or tok.base not in lst.places and tok.text not in lst.places:
            continue
        for words, flags in lst.places.get(tok.base, lst.places.get(tok.text, ())):
            last = i + len(words) - 1
            if last >= len(toks) or any(toks[i + k].base != w and toks[i + k].text != w for k, w in enumerate(words)):
                continue
            if any(not _next_to(r.text, toks[k], toks[k + 1]) for k in range(i, last)):
                continue
            after_cue = i > 0 and toks[i - 1].text.lower() in lst.place_before and _next_to(r.text, toks[i - 1], tok)
            if "p" in flags or ("w" in flags and (tok.initial or not after_cue)):
                break
            out.append(Found("place", r.text[tok.start : toks[last].start + len(toks[last].base)], tok.start,
                             toks[last].start + len(toks[last].base), words))
            break
    return out


def find(text: str) -> list[Found]:
    """Possible names, named settings and UK places in a text, in order, none overlapping another.

    Where two overlap, the longer wins ("Oakfield Primary" over "Oakfield"); a word that is both a
    town and a name ("Preston") counts as a town.
    """
    r = _Reader(text)
    terms = Spans()
    for m in r.lists.glossary.finditer(text) if r.lists.glossary else ():
        terms.add(m.start(), m.end(), None)
    candidates = [f for f in _settings(r) + _titled(r) + _places(r) + _people(r) + _lower_case(r)
                  if terms.free(f.start, f.start + 1)]
    rank = {"setting": 0, "name": 2, "place": 1}
    candidates.sort(key=lambda f: (-(f.end - f.start), rank[f.kind], f.start))
    kept = Spans()
    for f in candidates:
        kept.add(f.start, f.end, f)
    return kept.items()
