"""How often the rubric engine and the language checker agree with labelled examples.

Labelled examples live beside the tests (``tests/data/<rubric id>.examples.yaml`` and
``tests/data/language.examples.yaml``); each was labelled by hand from the criteria's
definitions. The same figures serve the tests (thresholds) and ``benchmarks/agreement.py``
(a printed table for the closing notes), so they are computed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from alongside import rubric as rubric_engine
from alongside.language import categories, check_language


@dataclass
class Agreement:
    """Agreement for one criterion (or one category): matches out of examples, all and held out."""

    name: str
    agree: int = 0
    total: int = 0
    held_agree: int = 0
    held_total: int = 0

    def add(self, ok: bool, heldout: bool) -> None:
        """Count one example."""
        self.agree += ok
        self.total += 1
        if heldout:
            self.held_agree += ok
            self.held_total += 1

    @property
    def rate(self) -> float:
        """Share of all examples that agree."""
        return self.agree / self.total if self.total else 1.0

    @property
    def held_rate(self) -> float:
        """Share of held-out examples that agree (1.0 when there are none)."""
        return self.held_agree / self.held_total if self.held_total else 1.0


def load_examples(path: Path) -> dict:
    """A labelled examples file: ``{"rubric" or "checker": ..., "examples": [...]}``."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def rubric_agreement(path: Path) -> dict[str, Agreement]:
    """Per-criterion agreement of the rubric engine with one rubric's labelled examples."""
    data = load_examples(path)
    rubric = rubric_engine.load_rubric(data["rubric"])
    table = {c.id: Agreement(c.id) for c in rubric.criteria}
    for example in data["examples"]:
        answer = example["answer"] if "answer" in example else example["text"]
        result = rubric_engine.score(rubric, answer)
        for cid, label in example["labels"].items():
            table[cid].add(result.criteria[cid].met == label, bool(example.get("heldout")))
    return table


def language_agreement(path: Path) -> dict[str, Agreement]:
    """The checker against labelled statements.

    Keys: ``harmful`` (harmful or clean agrees), ``clean_flagged`` (clean statements wrongly
    flagged: agree counts those NOT flagged), and one key per category id (recall: labelled
    statements of that kind that the checker flags with it).
    """
    table = {"harmful": Agreement("harmful"), "clean_flagged": Agreement("clean_flagged")}
    table.update({c.id: Agreement(c.id) for c in categories()})
    for example in load_examples(path)["examples"]:
        held = bool(example.get("heldout"))
        result = check_language(example["text"])
        found = {f["id"] for f in result["flags"]}
        table["harmful"].add(result["harmful"] == example["harmful"], held)
        if not example["harmful"]:
            table["clean_flagged"].add(not result["harmful"], held)
        for category in example["categories"]:
            table[category].add(category in found, held)
    return table


def corpus_agreement(root: Path, checker: str, split: str) -> dict[str, Agreement]:
    """Per-criterion agreement on one split of the labelled corpus (:mod:`alongside.corpus`).

    For the language checker the keys are ``found`` (harmful statements flagged) and
    ``clean_kept`` (clean statements left clean); for the letter checker, one per item plus
    ``jargon_free``, ``blame_free`` (not counted for junk, which the authors label false throughout)
    and ``every_item`` (all of them at once, as a letter passes, the reading age aside); for a
    rubric, one per criterion.
    """
    from alongside import corpus
    from alongside.letter import LetterError, check_letter

    found = corpus.items(root, checker, split)
    if checker == "language":
        table = {"found": Agreement("found"), "clean_kept": Agreement("clean_kept")}
        for item in found:
            if item.junk:
                continue
            harmful = check_language(str(item.answer))["harmful"]
            key = "found" if item.labels["harmful"] else "clean_kept"
            table[key].add(harmful == item.labels["harmful"], False)
        return table
    if checker == "letter":
        table: dict[str, Agreement] = {}
        for item in found:
            try:
                result = check_letter(str(item.answer))
                got = {**result["no_surprises"], "jargon_free": not result["jargon"], "blame_free": not result["blame"]}
            except LetterError:
                got = {}
            for key, label in item.labels.items():
                if item.junk and key in ("jargon_free", "blame_free"):
                    continue  # junk is labelled false throughout by convention; it has no words to judge
                table.setdefault(key, Agreement(key)).add(bool(got.get(key, False)) == bool(label), False)
            # the letter passes on every label, the reading age aside (the authors did not label it)
            table.setdefault("every_item", Agreement("every_item")).add(
                (bool(got) and all(got.get(k, False) for k in item.labels)) == all(bool(v) for v in item.labels.values()),
                False)
        return table
    rubric = rubric_engine.load_rubric(checker)
    table = {c.id: Agreement(c.id) for c in rubric.criteria}
    for item in found:
        result = rubric_engine.score(rubric, item.answer)
        for cid, label in item.labels.items():
            if cid in table:
                table[cid].add(result.criteria[cid].met == bool(label), False)
    return table


def corpus_qwk(root: Path, rubric_id: str, split: str) -> float:
    """Quadratic weighted kappa between labelled and given total scores on a corpus split."""
    from sklearn.metrics import cohen_kappa_score

    from alongside import corpus

    rubric = rubric_engine.load_rubric(rubric_id)
    wanted, given = [], []
    for item in corpus.items(root, rubric_id, split):
        wanted.append(round(sum(c.points for c in rubric.criteria if item.labels.get(c.id))))
        given.append(round(rubric_engine.score(rubric, item.answer).score))
    return float(cohen_kappa_score(wanted, given, weights="quadratic")) if len(set(wanted + given)) > 1 else 1.0
