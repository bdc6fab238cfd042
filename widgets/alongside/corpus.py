"""The labelled corpus the marking is trained and measured on, split by author.

The corpus lives beside the tests (``tests/data/corpus/``): one folder per author, one YAML file
per checker in it, and ``splits.yaml`` saying which authors are train, validation and test.
``tests/data/<rubric>.examples.yaml`` and ``tests/data/language.examples.yaml`` (written by the
course team) count as train, and so do a course's moderated answers (``extra`` files such as
``DIR/moderation/labelled.yaml``: one YAML document per checker, each shaped like an author's
file). This module only reads; :mod:`alongside.train_marking` fits the
models and ``benchmarks/agreement.py`` prints the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class Item:
    """One labelled answer: the answer (text or a dict of fields), its labels and its author."""

    answer: object
    labels: dict
    author: str
    junk: bool = False


def splits(root: Path) -> dict[str, list[str]]:
    """The authors in each split, from ``root/splits.yaml``."""
    data = yaml.safe_load((root / "splits.yaml").read_text(encoding="utf-8"))
    return {name: [str(a) for a in data.get(name) or []] for name in SPLITS}


def _team_file(root: Path, checker: str) -> Path:
    """The course team's own labelled examples for a checker, beside the corpus (part of train)."""
    return root.parent / ("language.examples.yaml" if checker == "language" else f"{checker}.examples.yaml")


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def extra_documents(path: Path, checker: str) -> list[dict]:
    """The documents of an extra labelled file (one per checker, each shaped like an author's file) for a checker."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if isinstance(doc, dict) and doc.get("checker") == checker]


def items(root: Path, checker: str, split: str, extra: tuple[Path, ...] = ()) -> list[Item]:
    """Every labelled item for a checker ("language", "letter" or a rubric id) in one split; the
    ``extra`` labelled files count as train."""
    out = []
    for author in splits(root)[split]:
        path = root / author / f"{checker}.yaml"
        if path.is_file():
            out.extend(_items(_load(path), checker, author))
    if split == "train":
        team = _team_file(root, checker)
        if team.is_file():
            out.extend(_items(_load(team), checker, "team"))
        for path in extra:
            for doc in extra_documents(path, checker):
                out.extend(_items(doc, checker, str(doc.get("author") or path.stem)))
    return out


def _items(data: dict, checker: str, author: str) -> list[Item]:
    found = []
    for entry in data.get("statements") or data.get("letters") or data.get("answers") or data.get("examples") or []:
        if checker == "language":
            labels = {"harmful": bool(entry.get("harmful")),
                      "kinds": list(entry.get("kinds") or entry.get("categories") or [])}
            answer = entry.get("text") or ""
        else:
            labels = dict(entry.get("labels") or {})
            answer = entry["fields"] if "fields" in entry else entry.get("answer", entry.get("text", ""))
        if isinstance(answer, dict):
            answer = {str(k): ("" if v is None else str(v)) for k, v in answer.items()}
        elif answer is None:
            answer = ""
        found.append(Item(answer, labels, author, bool(entry.get("junk"))))
    return found


def files_for(root: Path, checker: str, split: str, extra: tuple[Path, ...] = ()) -> list[Path]:
    """The files an item list of :func:`items` was read from (for a model's record of its data)."""
    paths = [root / a / f"{checker}.yaml" for a in splits(root)[split]]
    if split == "train":
        paths.append(_team_file(root, checker))
        paths.extend(p for p in extra if p.is_file() and extra_documents(p, checker))
    return [p for p in paths if p.is_file()]
