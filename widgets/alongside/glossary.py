"""The course glossary (data/glossary.yaml) and the search for jargon left unexplained.

One glossary serves the start page, the rubric engine's plain-language criteria and the
letter checker, so a trainer who adds a term adds it everywhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from alongside.data import DataError, load_yaml
from alongside.text import normalise, sentences


@dataclass(frozen=True)
class Term:
    """One glossary entry: the term, its other spellings, what it stands for and a plain meaning."""

    term: str
    forms: tuple[str, ...]
    stands_for: str
    plain: str
    acronym: bool


@dataclass(frozen=True)
class Jargon:
    """A term found in a text and not explained there."""

    term: str
    plain: str


def terms() -> list[Term]:
    """Every glossary entry, in the file's order."""
    data = load_yaml("glossary.yaml")
    out = []
    for entry in data.get("terms", []):
        try:
            term = entry["term"]
            out.append(
                Term(
                    term=term,
                    forms=tuple(entry.get("forms") or [term]),
                    stands_for=entry.get("stands_for", ""),
                    plain=entry["plain"],
                    acronym=bool(entry.get("acronym", term.isupper())),
                )
            )
        except (KeyError, TypeError, AttributeError):
            raise DataError(f"glossary.yaml: entry {entry!r} needs 'term' and 'plain'") from None
    return out


def everyday_acronyms() -> frozenset[str]:
    """Acronyms most parents use themselves (GP, NHS): not counted as jargon."""
    return frozenset(load_yaml("glossary.yaml").get("everyday_acronyms", []))


# After a term, these explain it: "(...)" unless only an acronym is in the brackets, "which is",
# "means", "is a ...", "is the ...", "is when ...", a phrase between commas that starts "a", "an" or
# "the" and has no verb ("SENDIASS, a free advice service for families, ..."), a dash or a colon, or a next sentence that
# starts "It is a ...", "This is the ...", "This means", "That just means", "The conference is where ..." or "I want to
# explain" (a few words may end the term's sentence or heading), one of the next two that starts
# "This meeting looks at", "This meeting is to" or "The conference decides", or a name and a bracket after it ("our
# SENCO, Mr Ford (he organises extra help)"). A term the text names ("It is called a core group.")
# is explained by the sentence after it, and a term of several words by a sentence anywhere that
# says what its last word is ("The conference is a meeting where ...").
_EXPLAINED_AFTER = (
    r"\s*(\((?!(?-i:\s*[A-Z][A-Z&]{1,5}s?\s*\)))|,?\s*(which|who|that)(\s*,[^,.!?]{0,30},)?\s+(is|are|means)\b"
    r"|\s+(means|stands for|is short for)\b|\s+(is|are)\s+(a|an|the|when|where)\s"
    r"|,\s+(the|a|an)\s[^,.!?]{0,40}?\b(who|that|which)\b"
    r"|,\s+(the|a|an)\s(?![^,.!?]*\b(will|can|could|is|are|was|were|has|have|had|would|should|may|might|must)\b)"
    r"[^,.!?]{3,60}(?:[,.!?]|$)"
    r"|[^.!?\n]{0,25}[.!?\n]\s*(it|this|that)\s+((is|are)\s+(just\s+)?(a|an|the|when|where)\s|(just\s+)?means\b)|\s*[-–—:]\s"
    r"|([^.!?\n]{0,160}[.!?\n]){1,2}\s*(this|the) (meeting|conference|review|group)\s+(looks at|is for|is to|checks|decides"
    r"|will (look|check|decide|talk))\b"
    r"|[^.!?]{0,40}[.!?]\s+(the|this)\s+\w+\s+(is|will be)\s+(where|when|a|an)\s"
    r"|([^.!?]{0,60}[.!?]){1,2}\s+(I want to|let me|I will|I'll)\s+explain\b"
    r"|[^.!?]{0,40}[.!?]\s+at (this|the) (meeting|conference|review)\b"
    r"|,\s+((?-i:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?(?-i:[A-Z])\w+(\s+(?-i:[A-Z])\w+)?\s*\((?!\s*(?-i:[A-Z]{2,})))"
)
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,5}s?\b")


def _form_pattern(term: Term, form: str) -> re.Pattern:
    flags = 0 if term.acronym else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + re.escape(form) + r"s?(?![\w-])", flags)


def _explained(term: Term, form: str, text: str) -> bool:
    """True when the text spells the term out, or explains it right beside it."""
    lowered = text.lower()
    if term.stands_for and term.stands_for.lower() in lowered:
        return True
    if term.acronym and _spelt_before(form, text):
        return True
    if not term.acronym and re.search(r"\(\s*" + re.escape(form) + r"s?\s*\)", text, re.IGNORECASE):
        return True
    if re.search(r"\b(called|known as)\s+(an?\s+|the\s+)?" + re.escape(form) + r"s?[.!?]\s+\S", text,
                 0 if term.acronym else re.IGNORECASE):
        return True  # named, then explained in the next sentence: "It is called a core group. ..."
    if re.search(r"\b(the|a|an|our|your)\s+\w+(\s+\w+)?\s+(who|that)\b[^.!?()]{3,80}?,?\s*(sometimes\s+|also\s+|often\s+|usually\s+)?"
                 r"(called|known as)\s+(an?\s+|the\s+)?" + re.escape(form) + r"s?\b", text, 0 if term.acronym else re.IGNORECASE):
        return True  # explained, then named: "the teacher who leads on extra help, called the SENCO"
    if not term.acronym and " " in form and re.search(
            r"\b(the|this|that|a|your) " + re.escape(form.split()[-1]) + r"\s+(is|means)\s+(just\s+)?(a|an|the|when|where)\s",
            text, re.IGNORECASE):
        return True  # "... a child protection conference ... The conference is a meeting where ..."
    flags = 0 if term.acronym else re.IGNORECASE
    return re.search(re.escape(form) + r"s?" + _EXPLAINED_AFTER, text, flags) is not None


def _spelt_before(acronym: str, text: str) -> bool:
    """True when an acronym in brackets follows the words it stands for: "family support worker
    (FSW)" explains FSW, "Lou (FSW)" does not."""
    letters = [c for c in acronym.upper() if c.isalpha()]
    for found in re.finditer(r"\(\s*" + re.escape(acronym) + r"s?\s*\)", text):
        before = re.findall(r"[A-Za-z]+", text[max(0, found.start() - 120) : found.start()])
        initials = [w[0].upper() for w in before[-2 * len(letters) :]]
        want = iter(initials)
        if all(letter in want for letter in letters):  # the letters, in order, among the initials
            return True
    return False


def _shouted(sentence: str) -> bool:
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) > 0.7 * len(letters)


def find_jargon(text: str) -> list[Jargon]:
    """Glossary terms and unknown acronyms that the text uses without explaining them."""
    text = normalise(text)
    found: dict[str, Jargon] = {}
    known_forms = set()
    for term in terms():
        for form in term.forms:
            known_forms.add(form.upper())
            if _form_pattern(term, form).search(text) and not _explained(term, form, text):
                found.setdefault(term.term, Jargon(term.term, term.plain))
    everyday = everyday_acronyms()
    for sentence in sentences(text):
        if _shouted(sentence):
            continue
        for match in _ACRONYM.finditer(sentence):
            word = match.group(0)
            bare = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if bare in everyday or bare.upper() in known_forms or bare in found:
                continue
            if not re.search(re.escape(bare) + _EXPLAINED_AFTER, text) and not _spelt_before(bare, text):
                found[bare] = Jargon(bare, "Say what it stands for, or use everyday words.")
    return list(found.values())


def table_html() -> str:
    """The glossary as an HTML table for the start page: term, what it stands for, plain meaning."""
    rows = "".join(
        f"<tr><th scope=\"row\" style=\"text-align:left\">{html.escape(t.term)}</th><td style=\"text-align:left\">{html.escape(t.stands_for)}</td>"
        f"<td style=\"text-align:left\">{html.escape(t.plain)}</td></tr>"
        for t in sorted(terms(), key=lambda t: t.term.lower())
    )
    return (
        '<table class="alongside-glossary"><caption>Words you may hear, and what they mean</caption>'
        '<thead><tr><th scope="col">Term</th><th scope="col">Stands for</th>'
        f'<th scope="col">In plain words</th></tr></thead><tbody>{rows}</tbody></table>'
    )
