"""Feedback on reflective writing: what each sentence does, and which of What? So what? Now what? is thin.

``reflection_parts(text)`` returns the object ``python -m alongside reflection-parts`` prints:
each sentence with its CEReD category (Experience, Feeling, Reflection, Difficulty, Belief,
Perspective, Learning, Intention, Other) and its part ("what", "so_what", "now_what" or
"other"), the parts that are missing, and feedback in words a trainee can act on.
``classify(sentences)`` names the category of each sentence.

The classifier is a linear model over words, pairs of words and a few cue tokens, trained on
CEReD (Štefánik and Nehyba, 2021; data/cered/README.txt) by ``python -m alongside.train_reflection``.
Its weights are plain data (``data/cered/model.csv``) read with the standard library, so loading
takes a fraction of a second and needs neither scikit-learn nor a download. Categories, parts
and all feedback wording live in ``data/reflection.yaml``.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from alongside.data import DataError, data_path, load_yaml
from alongside.text import MAX_CHARS, cap, limit_message, normalise, sentences, words

CATEGORIES = ("Experience", "Feeling", "Reflection", "Difficulty", "Belief", "Perspective", "Learning", "Intention", "Other")
PARTS = ("what", "so_what", "now_what")
MODEL_FILE = ("cered", "model.csv")
INTERCEPT = "(intercept)"


class ReflectionError(ValueError):
    """Text that cannot be given feedback; the message says why, in plain words."""


@lru_cache(maxsize=None)
def settings() -> dict:
    """data/reflection.yaml, checked: every CEReD category has a part, every part its wording."""
    data = load_yaml("reflection.yaml")
    try:
        missing = [c for c in CATEGORIES if not data["categories"].get(c, {}).get("part")]
        missing += [p for p in PARTS if not all(data["parts"][p].get(k) for k in ("name", "add", "thin"))]
        missing += [k for k in ("cues", "token_pattern") if not data["features"].get(k)]
        missing += [k for k in ("thin_words", "max_words", "only_other", "all_parts") if not data.get(k)]
    except (KeyError, TypeError, AttributeError) as err:
        raise DataError(f"reflection.yaml: missing or malformed entry ({err})") from None
    if missing:
        raise DataError(f"reflection.yaml: needs entries for {', '.join(missing)}")
    return data


@lru_cache(maxsize=None)
def _cues() -> tuple[tuple[str, re.Pattern], ...]:
    cues = settings()["features"]["cues"]
    try:
        return tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in cues.items())
    except re.error as err:
        raise DataError(f"reflection.yaml: a feature cue is not a valid regular expression ({err})") from None


def featurize(sentence: str) -> str:
    """The classifier's input for one sentence: the sentence, then its cue tokens.

    Cue tokens say how long the sentence is (in steps of 6 words), how many words end in -ed
    (up to 3), and which cue patterns of data/reflection.yaml it matches (``zfut``, ``zfirst``...).
    """
    low = sentence.lower()
    found = re.findall(r"\w+", low)
    tags = [f"zlen{min(len(found) // 6, 6)}", f"zed{min(sum(1 for w in found if w.endswith('ed') and len(w) > 3), 3)}"]
    tags += [f"z{name}" for name, pattern in _cues() if pattern.search(low)]
    return f"{sentence} {' '.join(tags)}"


def ngrams(document: str) -> list[str]:
    """The words and pairs of words of a featurized sentence, as the model's vocabulary has them."""
    tokens = re.findall(settings()["features"]["token_pattern"], document.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


@dataclass(frozen=True)
class Model:
    """A linear classifier over TF-IDF features: per feature its idf and one weight per category."""

    classes: tuple[str, ...]
    features: dict[str, tuple[float, tuple[float, ...]]]
    intercept: tuple[float, ...]

    def scores(self, sentence: str) -> list[float]:
        """One score per category (higher is more likely), as scikit-learn's decision_function gives."""
        counts = Counter(g for g in ngrams(featurize(sentence)) if g in self.features)
        values = {g: (1.0 + math.log(n)) * self.features[g][0] for g, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        totals = list(self.intercept)
        for g, v in values.items():
            for k, w in enumerate(self.features[g][1]):
                totals[k] += v / norm * w
        return totals

    def predict(self, sentence: str) -> str:
        """The most likely category of one sentence."""
        scores = self.scores(sentence)
        return self.classes[max(range(len(scores)), key=scores.__getitem__)]


def read_model(handle) -> Model:
    """Read a model from a CSV file: a header ``feature,idf,<categories>``, the intercept row, then one row a feature."""
    rows = csv.reader(handle)
    try:
        header = next(rows)
        classes = tuple(header[2:])
        first = next(rows)
        if header[:2] != ["feature", "idf"] or sorted(classes) != sorted(CATEGORIES) or first[0] != INTERCEPT:
            raise ValueError("unexpected header")
        intercept = tuple(float(x) for x in first[2:])
        features = {row[0]: (float(row[1]), tuple(float(x) for x in row[2:])) for row in rows}
    except (StopIteration, ValueError, IndexError) as err:
        raise DataError(f"{'/'.join(MODEL_FILE)} is not a reflection model ({err}); rebuild it with python -m alongside.train_reflection") from None
    return Model(classes, features, intercept)


@lru_cache(maxsize=None)
def model() -> Model:
    """The shipped classifier, data/cered/model.csv (loaded once)."""
    path = data_path(*MODEL_FILE)
    if not path.is_file():
        raise DataError(f"no data file {'/'.join(MODEL_FILE)}; build it with python -m alongside.train_reflection")
    with path.open(encoding="utf-8", newline="") as handle:
        return read_model(handle)


def _unreadable(text: str) -> bool:
    """True when text holds bytes that were not UTF-8 (read in as lone surrogates)."""
    return any("\ud800" <= c <= "\udfff" for c in text)


def classify(lines: list[str]) -> list[str]:
    """The CEReD category of each sentence, in order; a blank line is "Other".

    Raises ReflectionError if a line is not readable text or longer than ``MAX_CHARS`` characters.
    """
    if any(len(line) > MAX_CHARS for line in lines):
        raise ReflectionError(limit_message("sentence"))
    if any(_unreadable(line) for line in lines):
        raise ReflectionError("The text holds characters that are not readable text. Copy its words again.")
    loaded = model()
    return [loaded.predict(normalise(line)) if line.strip() else "Other" for line in lines]


def reflection_sentences(text: str) -> list[str]:
    """The sentences of a reflection: each line is split into sentences."""
    return [s for line in normalise(text).splitlines() for s in sentences(line)]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def feedback(categories: list[str], part_words: dict[str, int]) -> tuple[list[str], str]:
    """The missing parts and the feedback, from the sentences' categories and each part's word count."""
    data = settings()
    present = [p for p in PARTS if part_words.get(p)]
    missing = [p for p in PARTS if p not in present]
    if not present:
        return missing, " ".join(data["only_other"].split())
    does = list(dict.fromkeys(data["categories"][c]["does"] for c in categories if c != "Other"))
    said = [f"You {_join(does)}."]
    if missing:
        said.append(f"Add {_join([data['parts'][p]['add'] for p in missing])}.")
    thin = [p for p in present if part_words[p] < data["thin_words"]]
    said += [f"{data['parts'][p]['name']} {data['parts'][p]['thin']}" for p in thin]
    if not missing and not thin:
        said.append(data["all_parts"])
    return missing, " ".join(said)


def reflection_parts(text: object) -> dict:
    """Feedback on a reflection: ``{"sentences": [...], "missing": [...], "feedback": str}``.

    Each sentence has its text, its CEReD category and its part. Raises ReflectionError,
    with a message for the trainee, for text that cannot be read (empty, no words, too long).
    """
    too_long = cap(text, "reflection")[1] if isinstance(text, str) else ""
    if too_long:
        raise ReflectionError(too_long)
    if not isinstance(text, str) or not text.strip():
        raise ReflectionError("There is no reflection to give feedback on. Write a few sentences first.")
    if _unreadable(text):
        raise ReflectionError("The reflection holds characters that are not readable text. Copy its words again.")
    found = [w for w in words(text) if any(c.isalpha() for c in w)]
    if not found:
        raise ReflectionError("There are no words to read: the text holds only symbols, numbers or emoji.")
    limit = settings()["max_words"]
    if len(found) > limit:
        raise ReflectionError(f"That text has {len(found):,} words. Feedback is given on up to {limit:,} words at a time.")
    units = reflection_sentences(text)
    categories = classify(units)
    part_of = {c: settings()["categories"][c]["part"] for c in CATEGORIES}
    part_words: dict[str, int] = {}
    for unit, category in zip(units, categories):
        part_words[part_of[category]] = part_words.get(part_of[category], 0) + len(words(unit))
    missing, said = feedback(categories, part_words)
    return {
        "sentences": [{"text": u, "category": c, "part": part_of[c]} for u, c in zip(units, categories)],
        "missing": missing,
        "feedback": said,
    }
