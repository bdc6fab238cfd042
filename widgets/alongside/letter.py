"""The letter checker: is a letter to a parent about a meeting clear, kind and free of surprises?

``check_letter(text)`` returns the object ``python -m alongside check-letter`` prints:
the Flesch-Kincaid grade, sentences over 25 words, jargon left unexplained (from the course
glossary), blaming or threatening phrases, the seven "no surprises" items and whether the
letter passes. ``review(text)`` gives the same findings sentence by sentence, for the widget.

The phrase lists, the "no surprises" items and the limits live in ``data/letter.yaml``.
Text that cannot be checked (empty, far too long, not English, no words) raises
:class:`LetterError` with a message to show the user.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import textstat

from alongside import glossary, language
from alongside.data import DataError, load_yaml
from alongside.learned import Model, model
from alongside.matching import PhraseList
from alongside.text import cap, junk_reason, normalise, sentences, words

ITEM_IDS = ("when_where", "purpose", "who_attends", "format", "child", "supporter", "interpreter_access", "contact")


class LetterError(ValueError):
    """Text the checker cannot read as a letter; the message says why, in plain words."""


@dataclass(frozen=True)
class Need:
    """One thing an item needs (for example the date), and the patterns that show it.

    ``templates`` are patterns that name the child: ``{child}`` stands for the child's name,
    found in each letter by :func:`child_names`.
    """

    name: str
    phrases: PhraseList
    templates: tuple[str, ...] = ()

    def for_letter(self, names: list[str]) -> PhraseList:
        """The need's phrase list for one letter, with ``{child}`` filled in (templates dropped if no name)."""
        if not self.templates or not names:
            return self.phrases
        alternatives = "(" + "|".join(re.escape(n) for n in names) + ")"
        filled = PhraseList.from_data([t.replace("{child}", alternatives) for t in self.templates], where="letter.yaml")
        return PhraseList(self.phrases.patterns + filled.patterns, self.phrases.unless, self.phrases.within)


@dataclass(frozen=True)
class Item:
    """One "no surprises" item: what it is, what to add when it is missing, and what it needs."""

    id: str
    label: str
    missing: str
    needs: tuple[Need, ...]
    learned: bool = False  # a learned model may find it where the patterns miss it


@dataclass(frozen=True)
class BlameKind:
    """A kind of blaming or threatening wording, why it hurts and what to write instead."""

    id: str
    why: str
    suggestion: str
    phrases: PhraseList


@dataclass(frozen=True)
class Rules:
    """Everything in data/letter.yaml, checked and compiled."""

    aim_reading_age: int
    max_reading_age: int
    reading_age_offset: int
    long_sentence_words: int
    grade_min_words: int
    max_words: int
    language_min_words: int
    english_share: float
    english_words: frozenset[str]
    blame: tuple[BlameKind, ...]
    items: tuple[Item, ...]


@lru_cache(maxsize=None)
def rules() -> Rules:
    """The checker's rules from data/letter.yaml; DataError names anything missing or wrong."""
    data = load_yaml("letter.yaml")
    try:
        excuses = PhraseList.from_data((), data["blame"].get("uses_unless"), "sentence", "letter.yaml, uses_unless").unless
        blame = [
            BlameKind(c.id, c.why, c.suggestion, PhraseList(c.phrases.patterns, c.phrases.unless + excuses, scope=True))
            for c in language.categories()
            if data["blame"].get("uses") == "all" or c.id in data["blame"].get("uses", [])
        ]
        for entry in data["blame"].get("categories", []):
            where = f"letter.yaml, blame {entry.get('id', '?')}"
            phrases = PhraseList.from_data(entry["phrases"], entry.get("unless"), "sentence", where, scope=True)
            blame.append(BlameKind(entry["id"], str(entry["why"]).strip(), str(entry["suggestion"]).strip(), phrases))
        items = []
        for entry in data["no_surprises"]:
            where = f"letter.yaml, item {entry.get('id', '?')}"
            needs = tuple(
                Need(
                    need["name"],
                    PhraseList.from_data(
                        [p for p in need["patterns"] if "{child}" not in p], need.get("unless"), "sentence", where
                    ),
                    tuple(p for p in need["patterns"] if "{child}" in p),
                )
                for need in entry["needs"]
            )
            items.append(Item(entry["id"], entry["label"], entry["missing"], needs, bool(entry.get("learned", False))))
        loaded = Rules(
            aim_reading_age=int(data["aim_reading_age"]),
            max_reading_age=int(data["max_reading_age"]),
            reading_age_offset=int(data["reading_age_offset"]),
            long_sentence_words=int(data["long_sentence_words"]),
            grade_min_words=int(data["grade_min_words"]),
            max_words=int(data["max_words"]),
            language_min_words=int(data["language_min_words"]),
            english_share=float(data["english_share"]),
            english_words=frozenset(str(w).lower() for w in data["english_words"]),
            blame=tuple(blame),
            items=tuple(items),
        )
    except (KeyError, TypeError, AttributeError) as err:
        raise DataError(f"letter.yaml: missing or malformed entry ({err})") from None
    if tuple(i.id for i in loaded.items) != ITEM_IDS:
        raise DataError(f"letter.yaml: no_surprises must list exactly {', '.join(ITEM_IDS)}, in that order")
    return loaded


_TAG = re.compile(r"<\s*(?:/\s*)?[a-zA-Z][^<>]*>")
_BLOCK_TAG = re.compile(r"<\s*(br|/p|/div|/li|/h\d|/tr|p|div|li|tr)\b[^<>]*>", re.IGNORECASE)
_HIDDEN = ("script", "style", "head")
_HIDDEN_START = re.compile(r"<\s*(" + "|".join(_HIDDEN) + r")\b", re.IGNORECASE)
_HIDDEN_END = {tag: re.compile(rf"<\s*/\s*{tag}\s*>", re.IGNORECASE) for tag in _HIDDEN}


def looks_like_html(text: str) -> bool:
    """True when the text carries HTML tags (a letter pasted from a web page or an email)."""
    return len(_TAG.findall(text)) >= 2


def _without_hidden(text: str) -> str:
    """The text with each script, style and head element (from its start tag to its end tag) made one space.

    Each element's end is looked for once, from its start tag on: a pattern with ``.*?`` between the
    two tags would look again from every start tag that has no end, in time the square of the text.
    """
    pieces, at, unclosed = [], 0, set()
    for start in _HIDDEN_START.finditer(text):
        tag = start.group(1).lower()
        if start.start() < at or tag in unclosed:
            continue
        end = _HIDDEN_END[tag].search(text, start.end())
        if end is None:  # no end tag after this one, so none after any later start tag either
            unclosed.add(tag)
            continue
        pieces += [text[at : start.start()], " "]
        at = end.end()
    return "".join(pieces) + text[at:]


def plain_text(text: str) -> str:
    """The words of a letter: HTML tags removed (paragraph tags become line breaks), entities decoded."""
    if looks_like_html(text):
        text = _without_hidden(text)
        text = _BLOCK_TAG.sub("\n", text)
        text = html.unescape(_TAG.sub(" ", text))
        text = "\n".join(" ".join(line.split()) for line in text.splitlines())
    return normalise(text).replace("\r\n", "\n").replace("\r", "\n")


# "Mr. Jones" and "e.g." are not the ends of sentences.
_ABBREVIATION = re.compile(r"\b(Mr|Mrs|Ms|Dr|St|Prof|Rev|e\.g|i\.e|approx|tel)\.(?=\s+\S)", re.IGNORECASE)
_TERMINAL = (".", "!", "?", ":", ";", "…")
_POSSESSIVE = re.compile(r"\b([A-Z][a-z]+)'s\b")
_NOT_NAMES = {"Children", "Parents", "Today", "Year", "Council", "School", "Nursery", "Family"}


def child_names(text: str) -> list[str]:
    """Likely names of the child a letter is about: names written with "'s" at least twice ("Kofi's teacher")."""
    counts: dict[str, int] = {}
    for name in _POSSESSIVE.findall(text):
        counts[name] = counts.get(name, 0) + 1
    return [n for n, k in counts.items() if k >= 2 and n not in _NOT_NAMES]


# A line that starts a heading ("Date: ..."), a numbered point or a symbol (a bullet, an emoji) is
# never the wrapped end of the line before it: a letter set out as a table is read line by line.
_OWN_LINE = re.compile(r"^([^\w\s(\"'‘“]|\d{1,2}[.)]\s|(?-i:[A-Z])[\w '?/()&-]{0,30}:\s)")


def letter_sentences(text: str) -> list[str]:
    """The sentences and lines of a letter, in order.

    A line break ends a line of an address, a greeting or a list; a long line that runs on
    into a line starting in lower case is one sentence wrapped by an email program, unless the
    line is a heading, a numbered point or a bullet (``_OWN_LINE``).
    """
    text = _ABBREVIATION.sub(lambda m: m.group(1), text)
    blocks: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            blocks.append("")
            continue
        previous = blocks[-1] if blocks else ""
        if (previous and not previous.endswith(_TERMINAL) and (line[0].islower() or len(previous) >= 60)
                and not _OWN_LINE.match(line)):
            blocks[-1] = f"{previous} {line}"
        else:
            blocks.append(line)
    return [s for block in blocks if block for s in sentences(block)]


def _check_readable(text: str, limits: Rules) -> None:
    """Raise LetterError when the text is empty, not readable, far too long, has no words, or is not English."""
    if not text.strip():
        raise LetterError("There is no letter to check. Paste or type the letter first.")
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise LetterError("The letter holds characters that are not readable text. Copy the letter's words again.")
    found = [w for w in words(text) if any(c.isalpha() for c in w)]
    if not found:
        raise LetterError(
            "There are no words to check: the text holds only symbols, numbers or emoji. Paste the letter's words."
        )
    junk = junk_reason(text, "letter")
    if junk:
        raise LetterError(junk)
    if len(found) > limits.max_words:
        raise LetterError(
            f"That text has {len(found):,} words. The checker reads one letter at a time, of up to "
            f"{limits.max_words:,} words. Paste a single letter."
        )
    if len(found) >= limits.language_min_words:
        english = sum(w.lower() in limits.english_words for w in found)
        if english < limits.english_share * len(found):
            raise LetterError(
                "This does not look like a letter in English. The checker only reads English, so it "
                "cannot check this letter. Ask a qualified translator or a colleague who reads the "
                "language to check it with you."
            )


_NON_SPACE = re.compile(r"\S+")
_WEB = re.compile(r"https?://\S|www\.\S")


def _one_word(match: re.Match) -> str:
    r"""A run of text without spaces, with an email address or a web address in it made one word.

    The same as ``re.sub(r"\S+@\S+|https?://\S+|www\.\S+", "email", ...)`` on the run, without that
    pattern's time in the square of a long run that has no "@"."""
    token = match.group(0)
    if "@" in token[1:-1]:
        return "email"
    web = _WEB.search(token)
    return token[: web.start()] + "email" if web else token


def grade(units: list[str], min_words: int) -> float:
    """The Flesch-Kincaid grade of the letter's body: its sentences of at least ``min_words`` words.

    Each sentence is given a full stop if it has none, and numbers, emails and web addresses are
    read as one word each, so that "10.30am" or "j.grant@school.uk" do not count as sentence ends.
    """
    body = []
    for unit in units:
        if len(words(unit)) < min_words:
            continue
        unit = _NON_SPACE.sub(_one_word, unit)
        unit = re.sub(r"(?<=\d)[.:](?=\d)", "", unit)
        body.append(unit if unit.endswith((".", "!", "?")) else f"{unit}.")
    if not body:
        return 0.0
    return round(float(textstat.flesch_kincaid_grade(" ".join(body))), 1)


def reading_age(reading_grade: float) -> int:
    """The reading age in years, to the nearest year, for a Flesch-Kincaid grade (a United States
    school grade, which a child starts at about 5 years older than its number)."""
    return math.floor(max(reading_grade, 0.0) + rules().reading_age_offset + 0.5)


def readable(reading_grade: float) -> bool:
    """True when a grade's reading age is at most the checker's limit (data/letter.yaml)."""
    return reading_age(reading_grade) <= rules().max_reading_age


def grade_words(reading_grade: float) -> str:
    """A grade said as a reading age, such as "a reading age of about 9 (Flesch-Kincaid grade 4.3)"."""
    return f"a reading age of about {reading_age(reading_grade)} (Flesch-Kincaid grade {reading_grade:g})"


_SIGN_OFF = re.compile(
    r"^\s*(yours( sincerely| faithfully| truly)?|(kind|warm|best|warmest|many) (regards|wishes|thanks)|"
    r"with (best|kind) wishes|regards|thanks( so much| again)?|thank you|many thanks|best|love|cheers|diolch)"
    r"\s*[,.!]*\s*$", re.IGNORECASE | re.MULTILINE)


def without_sign_off(text: str) -> str:
    """The letter without its sign-off: a job title or short form under the sender's name
    ("SENCO", "RN") tells the parent who wrote, not something they must understand to take part."""
    found = list(_SIGN_OFF.finditer(text))
    if not found:
        return text
    last = found[-1]
    tail = text[last.end():]
    return text[: last.start()] if len(tail.strip().splitlines()) <= 6 else text


@dataclass
class Review:
    """A letter's findings: the JSON result and, for each sentence, what the checker saw in it."""

    result: dict
    sentences: list[str]
    notes: list[list[str]] = field(default_factory=list)
    cues: list[list[str]] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)


def item_evidence(units: list[str], names: list[str], limits: Rules | None = None) -> list[tuple[bool, list[tuple[int, str]]]]:
    """For each "no surprises" item, in order: whether the patterns find everything it needs in
    the letter's sentences, and the (sentence index, cue) of each sentence where they found a need."""
    out = []
    for item in (limits or rules()).items:
        held, shown = True, []
        for need in item.needs:
            phrases = need.for_letter(names)
            found = [i for i, unit in enumerate(units) if phrases.find(unit)]
            held = held and bool(found)
            shown += [(i, f"{item.label}: {need.name}") for i in found]
        out.append((held, shown))
    return out


def learned_sentence(learned: Model, units: list[str], evidence: list[tuple[bool, list[tuple[int, str]]]]) -> int | None:
    """The index of the sentence, among those where the patterns found no item, that a learned
    item model is surest of, when it is at least as sure as its threshold; else None."""
    explained = {i for _, shown in evidence for i, _ in shown}
    scores = {i: learned.probability(unit, False) for i, unit in enumerate(units) if i not in explained}
    best = max(scores, key=scores.get, default=None)
    return best if best is not None and scores[best] >= learned.threshold else None


def review(letter: object) -> Review:
    """Check a letter; return the result and the findings beside each sentence.

    ``notes[i]`` lists the problems in sentence ``i`` (long, jargon, blame) and ``cues[i]`` the
    "no surprises" facts it gives; ``missing`` lists the items not found, each with its advice.
    Raises LetterError for text that cannot be checked.
    """
    if not isinstance(letter, str):
        raise LetterError("The letter must be text. Paste the letter's words.")
    problem = cap(letter, "letter")[1]
    if problem:
        raise LetterError(problem)
    limits = rules()
    text = plain_text(letter)
    _check_readable(text, limits)
    units = letter_sentences(text)
    notes: list[list[str]] = [[] for _ in units]
    cues: list[list[str]] = [[] for _ in units]

    long_sentences = []
    for i, unit in enumerate(units):
        count = len(words(unit))
        if count > limits.long_sentence_words:
            long_sentences.append(unit)
            notes[i].append(f"Long sentence ({count} words): split it into two or three short ones.")

    jargon = [{"term": j.term, "plain": j.plain} for j in glossary.find_jargon(without_sign_off(text))]
    unexplained = {j["term"]: j["plain"] for j in jargon}
    for i, unit in enumerate(units):
        for j in glossary.find_jargon(unit):
            if j.term in unexplained:
                notes[i].append(f'Jargon: "{j.term}". Explain it or use plain words: {unexplained[j.term]}.')

    hits = [
        (i, hit.phrase, kind.why, str(hit.note.get("suggestion", kind.suggestion)).strip())
        for kind in limits.blame
        for i, unit in enumerate(units)
        for hit in kind.phrases.find(unit)
    ]
    found_in: dict[int, set[tuple[int, str]]] = {}  # each sentence's phrases, once each
    for i, phrase, _, _ in hits:
        found_in.setdefault(i, set()).add((len(phrase), phrase.lower()))
    blame, seen = [], set()
    for i, phrase, why, suggestion in hits:
        if any(size > len(phrase) and phrase.lower() in other for size, other in found_in[i]):
            continue  # part of a longer phrase found in the same sentence
        notes[i].append(f'Blame: "{phrase}". {why} {suggestion}')
        if phrase.lower() not in seen:
            seen.add(phrase.lower())
            blame.append({"phrase": phrase, "why": why, "suggestion": suggestion})

    no_surprises, missing = {}, []
    evidence = item_evidence(units, child_names(text), limits)
    for item, (held, shown) in zip(limits.items, evidence):
        # where the patterns miss an item marked `learned`, its model (alongside.train_marking), if
        # one was kept, reads the sentences where the patterns found no item at all: one it is sure
        # enough of gives the item, and is the one shown
        learned = model(f"letter.{item.id}") if item.learned and not held else None
        best = learned_sentence(learned, units, evidence) if learned is not None else None
        if best is not None:
            held, shown = True, [(best, item.label)]
        for i, cue in shown:
            cues[i].append(cue)
        no_surprises[item.id] = held
        if not held:
            missing.append({"id": item.id, "label": item.label, "advice": item.missing})

    reading_grade = grade(units, limits.grade_min_words)
    passes = all(no_surprises.values()) and readable(reading_grade) and not jargon and not blame
    result = {
        "grade": reading_grade,
        "long_sentences": long_sentences,
        "jargon": jargon,
        "blame": blame,
        "no_surprises": no_surprises,
        "passes": passes,
    }
    return Review(result, units, notes, cues, missing)


def check_letter(letter: object) -> dict:
    """Check a letter to a parent; return the object the command line prints as JSON.

    Keys: grade, long_sentences, jargon, blame, no_surprises (seven items) and passes.
    Raises LetterError, with a message for the user, for text that cannot be checked.
    """
    return review(letter).result
