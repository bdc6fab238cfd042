"""The language checker: flag words that can hurt a parent, say why, and offer kinder words.

Its categories and phrases live in ``data/language.yaml``. Each category has a name, why
it hurts, a default suggestion, phrases (each may carry its own suggestion) and ``unless``
patterns that excuse a sentence (so "I can hear this has been a hard week" is not pity).
Rubrics reuse these categories by id (a criterion's ``uses``), so one list serves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from alongside.data import DataError, load_yaml
from alongside.matching import PhraseList, own_words
from alongside.learned import Model, model
from alongside.text import STATEMENT_CHARS as MAX_CHARS, cap, normalise, sentences, strip_stub, words


@dataclass(frozen=True)
class Category:
    """One kind of harmful wording."""

    id: str
    name: str
    why: str
    suggestion: str
    phrases: PhraseList


@lru_cache(maxsize=None)
def categories() -> tuple[Category, ...]:
    """Every category in data/language.yaml, in the file's order."""
    data = load_yaml("language.yaml")
    out = []
    for entry in data.get("categories", []):
        where = f"language.yaml, category {entry.get('id', '?')}"
        try:
            out.append(
                Category(
                    id=entry["id"],
                    name=entry["name"],
                    why=str(entry["why"]).strip(),
                    suggestion=str(entry["suggestion"]).strip(),
                    phrases=PhraseList.from_data(entry["phrases"], entry.get("unless"), "sentence", where,
                                                 scope=entry.get("scope", True)),
                )
            )
        except KeyError as err:
            raise DataError(f"{where}: missing {err}") from None
    return tuple(out)


def category_phrases(category_id: str) -> PhraseList:
    """The phrase list of one category, for rubrics that reuse it; KeyError if unknown."""
    for category in categories():
        if category.id == category_id:
            return category.phrases
    raise KeyError(category_id)


def check_language(statement: object) -> dict:
    """Check a statement; return ``{"harmful": bool, "flags": [...]}`` as the command line prints it.

    Each flag has the category's id and name, the phrase found, why it can hurt and a suggestion.
    The patterns decide first; where the learned second opinion (``data/models/language.json``)
    finds a sentence that reads like harm and names none of the patterns' phrases, even negated
    or quoted, that sentence is flagged too.
    Anything that is not text is treated as empty and comes back clean. Only the first
    ``MAX_CHARS`` characters are read; for a longer text the result also has a ``"message"``
    saying so (:func:`too_long`).
    """
    text = statement if isinstance(statement, str) else ""
    text, message = cap(text, "statement", part_checked=True, limit=MAX_CHARS)
    text = normalise(strip_stub(text))[:MAX_CHARS]
    flags = rule_flags(text)
    for sentence in second_opinion(text, model("language")):
        flags.append({"id": "second_opinion", "category": SECOND_OPINION["name"], "phrase": sentence,
                      "why": SECOND_OPINION["why"], "suggestion": SECOND_OPINION["suggestion"]})
    result = {"harmful": bool(flags), "flags": flags}
    return {**result, "message": message} if message else result


def second_opinion(text: str, learned: Model | None) -> list[str]:
    """The sentences the learned model reads as harm that the patterns left alone.

    A sentence that names one of the patterns' phrases is theirs to judge, whether they flagged it
    or excused it (negated, reported or quoted): it was read more closely than word counts can, so
    the model does not overrule it. So is a sentence too short for word counts to go on (under
    ``MODEL_MIN_WORDS`` words). The model reads only the writer's own words: what a sentence
    quotes from someone else ('they called him "suffering"') is left out.
    """
    if learned is None:
        return []
    return [s for s in sentences(text)
            if len(words(s)) >= MODEL_MIN_WORDS
            and learned.present(own_words(s), False)
            and not any(c.phrases.mentions(s) for c in categories())]


def too_long(statement: str) -> str:
    """A message when a statement is longer than the checker reads, or ""."""
    return cap(statement, "statement", part_checked=True, limit=MAX_CHARS)[1]


MODEL_MIN_WORDS = 5

SECOND_OPINION = {
    "name": "may hurt (second opinion)",
    "why": ("This sentence reads like things parents say hurt them: it may pity, judge, brush the worry "
            "aside or tell the parent how to feel."),
    "suggestion": "Say what you notice, ask what the parent knows, and agree a next step together.",
}


def rule_flags(text: str) -> list[dict]:
    """The flags the patterns alone raise in a text, one per category and phrase."""
    flags = []
    seen = set()
    for category in categories():
        for hit in category.phrases.find(text):
            key = (category.id, hit.phrase.lower())
            if key in seen:
                continue
            seen.add(key)
            flags.append(
                {
                    "id": category.id,
                    "category": category.name,
                    "phrase": hit.phrase,
                    "why": category.why,
                    "suggestion": str(hit.note.get("suggestion", category.suggestion)).strip(),
                }
            )
    return flags
