"""Warn when text seems to hold details that could identify a real family.

The course never asks for real families' details. This check looks for the common signs: a
person's name, a named school or setting, a UK town, a street address, a postcode, a phone number,
an email address, an NHS number and a date of birth, so a trainee is warned as they type and
before anything is saved or sent, and a trainer's report can list the submissions to follow up.
Names, settings and towns are found by :mod:`alongside.names`; the course's own invented people
and places (:mod:`alongside.cast`) are left alone in the module whose story they belong to.

The same text can mean different things in different places, so :func:`warning` and
:func:`personal_details` take the kind of text:

- ``"reflection"`` (the default): anything a trainee writes about people, such as a reflection,
  a reply or a plan. Every sign counts.
- ``"letter"``: a letter to a family. The sender's own details are expected there (the letter
  checker asks for them): the setting's name and address, the practitioner's name in the sign-off
  or beside their role, and their phone number and email in "call me on ..." or under the
  signature, as are the names of the family the letter is to. Details about a family still count:
  the family's address, a child's date of birth, an NHS number, another family's name.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from alongside.cast import cast_words, module_id
from alongside.data import list_names, load_yaml
from alongside.names import find
from alongside.text import MAX_CHARS, Spans, cap, normalise

KINDS = ("reflection", "letter")
_LABELS = {"name": "name", "setting": "named school or setting", "place": "town or city"}
_MONTH = r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?)"
_DATE = (rf"(\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(st|nd|rd|th)?( of)? {_MONTH}\b( \d{{2,4}})?"
         rf"|{_MONTH} \d{{1,2}}(st|nd|rd|th)?\b(,? \d{{4}})?|{_MONTH} \d{{4}})")
_CONTACT = [
    # Bounded as addresses are (64 characters before the "@", 63 to a part of the domain): with "+"
    # for each, a long run of letters and dots with no "@" took time in the square of its length.
    ("email address", re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(\.[\w-]{1,63}){1,8}\b")),
    ("phone number", re.compile(r"(?<![\w+])(\+44\s?(\(0\)\s?)?|0)\d([\s-]?\d){8,9}(?!\d)")),
    ("postcode", re.compile(r"\b([A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b")),
    ("date of birth", re.compile(rf"\b(born|date of birth|birth ?date|d\.?o\.?b\.?|birthday)\b[^.\n\d]{{0,25}}(?P<date>{_DATE})",
                                 re.IGNORECASE)),
]
_NHS = re.compile(r"(?<![\d+])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
_NHS_CUE = re.compile(r"\bnhs\b[^.\n\d]{0,20}$", re.IGNORECASE)


_RANK = {"street address": 0, "date of birth": 1, "email address": 2, "phone number": 3, "NHS number": 4, "postcode": 5}


@dataclass(frozen=True)
class _Detail:
    kind: str
    text: str
    start: int
    end: int
    words: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _rules() -> dict:
    rules = load_yaml("privacy.yaml")
    streets = "|".join(map(re.escape, rules["street_words"]))
    letter = rules["letter"]
    return {
        "street": re.compile(rf"\b(\d{{1,4}}[a-zA-Z]?,?\s+|(lives?|lived|living)\s+(on|in|at)\s+)([A-Z][\w'-]+\s+){{1,3}}({streets})\b"),
        **{key: re.compile(pattern, re.IGNORECASE | re.MULTILINE) for key, pattern in letter.items()},
    }


def _nhs_number(digits: str) -> bool:
    """True when ten digits pass the NHS number's check digit (modulus 11)."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    return check != 10 and (check % 11) == int(digits[9])


def _details(text: str) -> list[_Detail]:
    # A date of birth covers only its date, so a town between ("born in Bath on 2 June") is found too.
    found = [_Detail(kind, m.group(0).strip(), m.start("date") if "date" in p.groupindex else m.start(), m.end())
             for kind, p in _CONTACT for m in p.finditer(text)]
    found += [_Detail("street address", m.group(0), m.start(), m.end()) for m in _rules()["street"].finditer(text)]
    for m in _NHS.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if _nhs_number(digits) or _NHS_CUE.search(text[max(0, m.start() - 30) : m.start()]):
            found.append(_Detail("NHS number", m.group(0), m.start(), m.end()))
    kept = Spans()  # where two overlap, the first kind of _RANK wins, then the earlier
    for d in sorted(found, key=lambda d: (_RANK[d.kind], d.start)):
        kept.add(d.start, d.end, d)
    for f in find(text):
        kept.add(f.start, f.end, _Detail(_LABELS[f.kind], f.text, f.start, f.end, f.words))
    return kept.items()


def personal_details(text: object, kind: str = "reflection", module: str | None = None) -> list[dict]:
    """Possible identifying details in a text: ``[{"kind": str, "text": str}]``, in order, empty if none.

    ``kind`` is ``"reflection"`` or ``"letter"`` (see the module's docs). ``module`` names the module
    the text was written in (a module id, a widget key such as "04-story:open-questions" or an
    exercise id): that module's invented people and places are left out. With None, none are.
    Only the first ``MAX_CHARS`` characters are read (:func:`warning` says so).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not isinstance(text, str):
        return []
    text = normalise(cap(text)[0])[:MAX_CHARS]
    known = cast_words(module)
    found = [d for d in _details(text) if not (d.words and set(d.words) <= known)]
    if kind == "letter":
        found = _family_details(text, found)
    return [{"kind": d.kind, "text": d.text} for d in found]


def warning(text: object, kind: str = "reflection", module: str | None = None) -> str:
    """A plain warning naming what looks identifying, or "" when nothing does (arguments as :func:`personal_details`).

    For a text longer than ``MAX_CHARS`` characters it also says that only the first part was checked.
    """
    found = personal_details(text, kind, module)
    cut = cap(text, "letter" if kind == "letter" else "text", part_checked=True)[1] if isinstance(text, str) else ""
    if not found:
        return cut
    kinds = ", ".join(dict.fromkeys(f["kind"] for f in found))
    said = (
        f"This may identify a real family ({kinds}). If these are real people or places, change the names "
        "and remove details such as addresses, dates of birth and contact details before you save or submit."
    )
    return f"{said} {cut}" if cut else said


def module_for(key: str | None, rubric: str | None = None) -> str | None:
    """The module whose cast a text may name: the one ``key`` starts with (a widget key, an exercise id).

    A text scored by a rubric that checks anonymity (``rule: anonymous``, as in the felt-unheard
    reflection) is about the trainee's own life, where no invented names are expected: None, so
    the warning agrees with that rubric. Without a module in ``key``, the module whose exercise
    uses ``rubric`` (an agreement plan's) is used.
    """
    if rubric:
        from alongside.rubric import load_rubric

        try:
            if any(c.rule == "anonymous" for c in load_rubric(rubric).criteria):
                return None
        except KeyError:
            pass
    if module_id(key) or not rubric:
        return key
    for exercise in list_names("exercises"):
        if any(item.get("rubric") == rubric for item in load_yaml("exercises", f"{exercise}.yaml").get("items", [])):
            return exercise
    return key


# --- letters -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Letter:
    """A letter's parts: the sender's own (letterhead, sign-off), the family's address block, and whose names are expected."""

    sender: tuple[tuple[int, int], ...]
    family_block: tuple[tuple[int, int], ...]
    attendees: tuple[tuple[int, int], ...]  # "Who will be there:" and its list
    expected_names: frozenset[str]  # the family the letter is to and about, and the sender


_ADDRESS = ("street address", "postcode", "town or city")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:['-][A-Za-z]+)*")
_TITLE_LINE = re.compile(r"\s*(Mr|Mrs|Ms|Miss|Mx|Dr)\b")
_WHO = re.compile(r"\b(who|people)( will| is| are)?( be)? ?(there|coming|come|attend|attending|join|joining)?\s*:|"
                  r"\bwill (also )?(be there|attend|join us|come)\b", re.IGNORECASE)


def _inside(spans) -> Callable[[int], bool]:
    """A test of whether a position falls in one of the spans (start, end), quick however many there are."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    starts = [a for a, _ in merged]

    def test(position: int) -> bool:
        i = bisect.bisect_right(starts, position) - 1
        return i >= 0 and position < merged[i][1]

    return test


def _lines(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _letter_parts(text: str, found: list[_Detail]) -> _Letter:
    rules, spans = _rules(), _lines(text)
    lines = [text[a:b] for a, b in spans]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    is_filled = set(filled)
    greeting = next((i for i in filled if rules["greeting"].search(lines[i])), None)
    closing = next((i for i in reversed(filled) if rules["closing"].search(lines[i])), None)
    if (closing is None or (greeting is not None and closing < greeting)) and filled:
        # No "Best wishes": a last paragraph of short lines ("Jane Grant / Class teacher") is the sign-off.
        first = filled[-1]
        while first - 1 in is_filled:
            first -= 1
        short = all(len(lines[k].split()) <= 6 for k in range(first, filled[-1] + 1))
        closing = first - 1 if short and first > (greeting or 0) else None
    sender = [(spans[closing + 1][0], len(text))] if closing is not None and closing + 1 < len(spans) else []
    head = [i for i in filled if greeting is not None and i < greeting]
    in_head = set(head)
    family = set(_CAPITALISED.findall(lines[greeting])) - {"Dear", "Hello", "Hi", "To"} if greeting is not None else set()
    addressee = next((i for i in head if _TITLE_LINE.match(lines[i]) or family & set(_CAPITALISED.findall(lines[i]))), None)
    block = []
    if addressee is not None:  # the family's name and address: from that line to the end of its paragraph
        last = addressee
        while last + 1 in in_head:
            last += 1
        block = [(spans[addressee][0], spans[last][1])]
    sender += [spans[i] for i in head if not block or not block[0][0] <= spans[i][0] <= block[0][1]]
    attendees = []
    for i in filled:
        if _WHO.search(lines[i]):
            last = i
            while last + 1 in is_filled and lines[last + 1].lstrip().startswith(("-", "*", "•")):
                last += 1
            attendees.append((spans[i][0], spans[last][1]))
    names = [d for d in found if d.kind == "name"]
    counts: dict[str, int] = {}
    for d in names:
        for word in d.words:
            counts[word] = counts.get(word, 0) + 1
    from alongside.letter import child_names

    family |= set(child_names(text)) | {w for w, n in counts.items() if n >= 2}  # the family the letter is about
    family |= {d.words[0] for d in names if rules["child_before"].search(text[max(0, d.start - 40) : d.start])
               or rules["child_after"].search(text[d.end : d.end + 40])}
    in_sender = _inside(sender)
    family |= {w for d in names if in_sender(d.start) for w in d.words}  # and its sender
    return _Letter(tuple(sender), tuple(block), tuple(attendees), frozenset(family))


def _family_details(text: str, found: list[_Detail]) -> list[_Detail]:
    """The details in a letter that are about a family rather than its sender (see the module's docs)."""
    rules, parts = _rules(), _letter_parts(text, found)
    settings = sorted(d.start for d in found if d.kind == "named school or setting")
    in_sender, in_block, in_attendees = _inside(parts.sender), _inside(parts.family_block), _inside(parts.attendees)
    kept = []
    for d in found:
        line_start = text.rfind("\n", 0, d.start) + 1
        line_end = text.find("\n", d.end)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        before = text[max(line_start, d.start - 60) : d.start]
        follows = kept and kept[-1].kind in _ADDRESS and not text[kept[-1].end : d.start].strip(" ,\t\n")
        if d.kind in ("date of birth", "NHS number"):
            kept.append(d)
        elif in_sender(d.start) or d.kind == "named school or setting":
            continue
        elif d.kind == "name":
            expected = d.words[0] in parts.expected_names or set(d.words) <= parts.expected_names
            if not (expected or in_attendees(d.start) or _staff(text, d)):
                kept.append(d)
        elif in_block(d.start) or follows or rules["family_before"].search(before):
            kept.append(d)
        elif d.kind in ("phone number", "email address"):
            if not (rules["sender_contact"].search(before) or rules["organisation_email"].search(d.text)):
                kept.append(d)
        elif not (rules["meeting_place"].search(line) or _setting_on(settings, line_start, line_start + len(line))):
            kept.append(d)
    return kept


def _setting_on(starts: list[int], first: int, last: int) -> bool:
    """True when one of the sorted positions is from first to last (a named setting on a line)."""
    i = bisect.bisect_left(starts, first)
    return i < len(starts) and starts[i] <= last


def _staff(text: str, d: _Detail) -> bool:
    """True when a role stands beside a name ("Mrs Grant, Kofi's class teacher", "class teacher Mr Cole",
    "Paula your health visitor") or the person is from a service ("Neil from the housing team")."""
    roles = _rules()["staff_roles"]
    after = re.match(r"\s*(from\b|(,|\(|-|who\b|is\b|your\b|our\b|the\b)([^.;\n]{0,40}))", text[d.end : d.end + 60])
    before = re.search(roles.pattern + r"[\s,:]*$", text[max(0, d.start - 40) : d.start], re.IGNORECASE)
    return bool(before) or bool(after and (after.group(1) == "from" or roles.search(after.group(3) or "")))
