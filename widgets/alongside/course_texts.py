"""The course's own writing, gathered for checks that read all of it (the cast, the privacy warning's false alarms).

Texts come from the notebooks in ``course/`` and ``solutions/`` (markdown cells, and the strings
in code cells: model answers, examples, prompts), from the data files in ``alongside/data``
(stories, statements, rubrics, exercises, glossary, practice conversations, facilitator's guides)
and from the trainer's ``answer-keys.yaml`` (the reasons the grader's feedback gives), leaving out
the keys that hold patterns or settings rather than prose. Each text comes with where it was found, the module it belongs to
(by the number its file name starts with; :data:`alongside.cast.COURSE` for data every module
shares) and whether it is a letter (a line starting "Dear ...").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from typing import NamedTuple

import nbformat
import yaml

from alongside.answer_text import cell_body, cell_item
from alongside.cast import COURSE, module_id
from alongside.keys import FILE_NAME
from alongside.text import strip_stub

DATA = Path(__file__).resolve().parent / "data"
# Keys whose values are patterns, ids or settings, not prose a reader sees.
_NOT_PROSE = {"patterns", "unless", "phrases", "uses", "uses_unless", "english_words", "id", "rule", "variable", "field",
              "token_pattern", "pattern", "kind", "rubric", "statements", "answer", "aliases", "exercise", "items",
              "status", "everyday_acronyms", "notebook", "labels", "after", "module", "hard_part", "observe_rubric"}
_MARKUP = re.compile(r"<[^<>]+>|!?\[([^\]]*)\]\([^)]*\)|https?://\S+|`[^`\n]*`")
_QUOTE = re.compile(r"(?m)^>[ \t]?")
_LETTER = re.compile(r"(?im)^\s*dear\s+\S")
# The privacy check's own rules, the cast and the record of families (families.yaml): records about the
# course's text, not prose it shows (and families.yaml quotes the text, so reading it would count twice).
_FILES = {"privacy.yaml", "cast.yaml", "families.yaml"}


class CourseText(NamedTuple):
    """One piece of the course's writing: where it is, the text, its module and its kind ("letter" or "reflection")."""

    where: str
    text: str
    module: str | None
    kind: str


def notebook_texts(path: Path) -> list[tuple[str, str]]:
    """The prose of one notebook: each markdown cell, each answer cell's text, and each string in
    its other code cells."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for number, cell in enumerate(nb.cells, 1):
        where = f"{path.name} cell {number}"
        if cell.cell_type == "markdown":
            found.append((where, _QUOTE.sub("", _MARKUP.sub(lambda m: m.group(1) or " ", cell.source))))
        elif cell.cell_type == "code" and cell_item(cell.source):  # an answer cell: its text
            found.append((where, strip_stub(cell_body(cell.source))))
        elif cell.cell_type == "code":
            found.extend((where, strip_stub(text)) for text in _strings(cell.source))
    return found


def _strings(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value.strip()]


def data_texts(path: Path, base: Path = DATA) -> list[tuple[str, str]]:
    """The prose in one YAML data file (named from ``base``): its string values, leaving out patterns and settings."""
    found: list[tuple[str, str]] = []

    def walk(value: object, key: str | None) -> None:
        if key in _NOT_PROSE:
            return
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and value.strip():
            found.append((f"{path.relative_to(base)} {key}", value))

    walk(yaml.safe_load(path.read_text(encoding="utf-8")), None)
    return found


def course_texts(root: Path) -> list[CourseText]:
    """Every text the course shows: notebooks under ``root``'s course/ and solutions/, the data files,
    and the reasons in ``root``'s answer key."""
    notebooks = sorted((root / "course").rglob("*.ipynb")) + sorted((root / "solutions").rglob("*.ipynb"))
    texts = [_text(w, t, module_id(path.name)) for path in notebooks if ".ipynb_checkpoints" not in path.parts
             for w, t in notebook_texts(path)]
    for path in sorted(DATA.rglob("*.yaml")):
        if path.name not in _FILES:
            texts.extend(_text(w, t, module_id(path.name) or COURSE) for w, t in data_texts(path))
    keys = root / FILE_NAME
    if keys.is_file():  # each set's reasons belong to the module its name starts with
        texts.extend(_text(w, t, module_id(w.split()[1]) or COURSE) for w, t in _key_texts(keys, root))
    return texts


def _key_texts(path: Path, root: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [(f"{path.relative_to(root)} {name} {sid} {field}", str(entry[field]))
            for name, statements in data.items() for sid, entry in statements.items()
            for field in ("why", "why_right") if str(entry.get(field) or "").strip()]


def _text(where: str, text: str, module: str | None) -> CourseText:
    return CourseText(where, text, module, "letter" if _LETTER.search(text) else "reflection")
