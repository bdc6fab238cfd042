"""A second opinion that learns: small linear models, one per criterion, beside the patterns.

Each model is a plain JSON file in ``data/models/`` made at build time by
``python -m alongside.train_marking`` from the labelled corpus (``tests/data/corpus/``, train
split). A course folder may have its own, trained with its trainers' moderated answers too
(``alongside train --course DIR`` writes them into ``DIR/.alongside/models/``); the grader marks
that course's work with them (:func:`use_models`), and the trainees' self-check keeps the shipped ones. It holds a vocabulary of words and word pairs, their inverse document frequencies, one
weight per feature, a weight for "the patterns found something", an intercept and a threshold.
Scoring needs nothing but this file: no model download and no scikit-learn in a trainee's kernel.

A model file is written only for a criterion where the model beat the patterns on the validation
split; there the model, which sees the patterns' verdict as one of its features, decides. Where
there is no file, the patterns alone decide. The evidence shown is still a sentence: the patterns' words when they decided, else the sentence
the model scores as most telling.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from alongside.matching import british
from alongside.text import normalise, sentences

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokens(text: str) -> list[str]:
    """The features of a text: lower-case words and adjacent word pairs (British spelling)."""
    words = _WORD.findall(british(normalise(text)).lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@dataclass(frozen=True)
class Model:
    """One criterion's learned model, as loaded from its JSON file."""

    name: str
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    weights: tuple[float, ...]
    rule_weight: float
    intercept: float
    threshold: float

    def probability(self, text: str, rule_hit: bool) -> float:
        """The model's probability that the criterion's target is present in the text."""
        counts: dict[int, int] = {}
        for token in tokens(text):
            index = self.vocabulary.get(token)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        values = {i: (1 + math.log(c)) * self.idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        z = self.intercept + self.rule_weight * float(rule_hit)
        z += sum(self.weights[i] * v / norm for i, v in values.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def present(self, text: str, rule_hit: bool) -> bool:
        """The combined verdict: is the criterion's target present? Where the patterns found it, the
        model overrules them only when it is fairly sure they are wrong (a probability under one
        half), whatever its threshold; the patterns read negation and quoting, and word counts do not."""
        threshold = min(self.threshold, 0.5) if rule_hit else self.threshold
        return self.probability(text, rule_hit) >= threshold

    def telling_sentence(self, text: str, rule_hit: bool) -> str:
        """The sentence of the text the model scores highest, for the evidence shown."""
        parts = sentences(text) or [text]
        return max(parts, key=lambda s: self.probability(s, rule_hit)).strip()


_chosen: Path | None = None  # None: the models shipped in data/models


def use_models(folder: Path | None) -> Path | None:
    """Mark with the models in ``folder`` (a course's own, every one of them: a criterion with no
    file there is marked by its patterns alone), or with the shipped ones when None; return the
    folder chosen before, to go back to."""
    global _chosen
    before, _chosen = _chosen, (Path(folder) if folder is not None else None)
    return before


def models_folder():
    """The folder the models are read from now (see :func:`use_models`)."""
    return _chosen if _chosen is not None else files("alongside").joinpath("data", "models")


def model(name: str) -> Model | None:
    """The model called ``name`` (e.g. "listening-response.acknowledges", "language"), or None."""
    return _load(str(models_folder()), name)


def forget() -> None:
    """Read every model file again when next asked for (after one is written or removed)."""
    _load.cache_clear()


@lru_cache(maxsize=None)
def _load(folder: str, name: str) -> Model | None:
    path = Path(folder) / f"{name}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Model(
        name=name,
        vocabulary={t: i for i, t in enumerate(data["vocabulary"])},
        idf=tuple(float(x) for x in data["idf"]),
        weights=tuple(float(x) for x in data["weights"]),
        rule_weight=float(data["rule_weight"]),
        intercept=float(data["intercept"]),
        threshold=float(data["threshold"]),
    )
