"""Answer cells: plain text under a first line such as ``%%answer 03-listening summary``.

An answer cell names the exercise and the item on its first line; everything under it is the
trainee's answer, exactly as typed (quotes, apostrophes, braces and backslashes included), so
nothing a trainee types can be a syntax error. :func:`parse_answer` turns the text into the
answer :func:`alongside.grading.evaluate` marks; it is pure (no kernel, no files but the course's
data) and never raises, so nbgrader or the cohort tools can call it on a cell's source alone.

What the text becomes depends on the item's kind (``data/exercises/<id>.yaml``):

- free text (a rubric with no fields, a reflection, a letter): the text;
- a plan (a rubric whose file lists ``fields``, or an item with its own ``fields``): labelled lines,
  ``{field id: text}`` (:mod:`alongside.labelled`);
- statements to sort (``classification``): labelled lines, one per statement, ``{statement id:
  [label, ...]}``, each label in everyday words (the statement set's ``aliases``, small typing slips);
- rewrites: labelled lines, one per statement, ``{statement id: text}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from alongside import grading
from alongside import rubric as rubric_engine
from alongside.cells import cell_source
from alongside.data import DataError, load_yaml
from alongside.labelled import Field, Labelled, labelled_lines, read_labelled
from alongside.text import cap, normalise, without_stub, words

MAGIC = "answer"
_FIRST_LINE = re.compile(rf"^\s*%%{MAGIC}[ \t]+(\S+)[ \t]+(\S+)[ \t]*$")
_MARKERS = re.compile(r"(?m)^[ \t]*#+[ \t]*(BEGIN|END) SOLUTION[ \t]*$")
# How alike a typed answer must be to one of the statement set's words to count as it.
SIMILAR_LABEL = 88
PREVIEW = 60


def first_line(exercise_id: str, item_id: str) -> str:
    """The first line of the answer cell for one item, e.g. ``%%answer 03-listening summary``."""
    return f"%%{MAGIC} {exercise_id} {item_id}"


def cell_item(source: str) -> tuple[str, str] | None:
    """(exercise id, item id) when a cell's first line is an answer line, else None."""
    lines = str(source).lstrip("\n").split("\n", 1)
    found = _FIRST_LINE.match(lines[0]) if lines else None
    return (found.group(1), found.group(2)) if found else None


def cell_body(source: str) -> str:
    """The answer under an answer cell's first line (the whole text if there is no such line)."""
    text = str(source).lstrip("\n")
    if not cell_item(text):
        return text
    return text.split("\n", 1)[1] if "\n" in text else ""


def digest(body: str) -> str:
    """A short fingerprint of an answer (FNV-1a, 32 bits), the same one the self-check's page script
    computes, so the page can tell whether the cell still holds what was run. Spaces at the ends
    of lines and blank lines at either end do not count."""
    lines = str(body).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(line.rstrip() for line in lines).strip("\n")
    value = 0x811C9DC5
    for byte in text.encode("utf-8", "surrogatepass"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def notebook_answers(nb) -> dict[tuple[str, str], str]:
    """Every answer cell in a notebook: (exercise id, item id) -> its text. The last cell wins, as
    when the notebook runs from top to bottom."""
    found = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        item = cell_item(source)
        if item:
            found[item] = cell_body(source)
    return found


# --- what each item's answer looks like -------------------------------------------------------


def plan_fields(rubric_id: str) -> list[dict]:
    """The fields a plan has (id, label, hint), from the rubric's ``fields`` list.

    Raises DataError if the rubric lists no fields, or if a criterion reads a field not listed.
    """
    data = load_yaml("rubrics", f"{rubric_id}.yaml")
    fields = data.get("fields") or []
    where = f"rubrics/{rubric_id}.yaml"
    if not fields or not all(isinstance(f, dict) and f.get("id") and f.get("label") for f in fields):
        raise DataError(f"{where}: needs a 'fields' list, each with an id and a label")
    ids = {f["id"] for f in fields}
    unknown = {c.field for c in rubric_engine.load_rubric(rubric_id).criteria if c.field and c.field not in ids}
    if unknown:
        raise DataError(f"{where}: criteria read fields not in 'fields': {', '.join(sorted(unknown))}")
    return [{"id": str(f["id"]), "label": str(f["label"]), "hint": str(f.get("hint", ""))} for f in fields]


def _statements(spec: dict) -> list[dict]:
    wanted = spec.get("items")
    return [s for s in grading.statement_set(spec["statements"])["statements"] if not wanted or s["id"] in wanted]


def item_fields(spec: dict) -> list[Field] | None:
    """The labelled parts an item's answer has, or None when the answer is free text."""
    if spec.get("fields"):
        return [Field(str(f["id"]), str(f.get("label", f["id"]))) for f in spec["fields"]]
    if spec["kind"] == "rubric":
        if load_yaml("rubrics", f"{spec['rubric']}.yaml").get("fields"):
            return [Field(f["id"], f["label"]) for f in plan_fields(spec["rubric"])]
        return None
    if spec["kind"] == "classification":
        return [Field(s["id"], s["id"], _number(s["id"])) for s in _statements(spec)]
    if spec["kind"] == "rewrites":
        return [Field(str(sid), str(sid)) for sid in spec["items"]]
    return None


def _number(statement_id: str) -> tuple[str, ...]:
    found = re.fullmatch(r"[A-Za-z]+0*(\d+)", statement_id)
    return (found.group(1),) if found else ()


def vocabulary(set_name: str) -> dict[str, str]:
    """Every word a statement set accepts as an answer, keyed the way answers are compared,
    with the answer each one stands for: the labels its answers may use (its ``parts``), the
    choices and the aliases. It needs no answer key."""
    data = grading.statement_set(set_name)
    aliases = grading.canonical_aliases(data)
    known = {label: label for part in grading.answer_parts(data) for label in part["labels"]}
    for choice in (data.get("choices") or {}).values():
        for value, shown in (choice.get("options") or {}).items():
            canonical = aliases.get(grading.label_key(value), grading.label_key(value))
            known[grading.label_key(value)] = canonical
            known[grading.label_key(shown)] = canonical
    known.update(aliases)
    return known


def _one_label(piece: str, known: dict[str, str]) -> str | None:
    piece = grading.label_key(piece.strip(" \t\"'`[](){}.!"))
    for text in (piece, re.sub(r"^(the|a|an) ", "", piece)):
        if text in known:
            return known[text]
    if len(piece) >= 5:
        scored = sorted(((fuzz.ratio(piece, k), v) for k, v in known.items() if len(k) >= 5), reverse=True)
        if scored and scored[0][0] >= SIMILAR_LABEL and (len(scored) == 1 or scored[1][1] == scored[0][1]
                                                          or scored[0][0] - scored[1][0] >= 3):
            return scored[0][1]
    return None


def _segments(piece: str, known: dict[str, str]) -> list[str] | None:
    """'harmful pity' -> ['harmful', 'pity']: the piece as a run of known answers, longest first."""
    tokens, out, i = grading.label_key(piece).split(), [], 0
    longest = max((len(k.split()) for k in known), default=0)  # no answer is longer, so none is tried
    while i < len(tokens):
        for j in range(min(len(tokens), i + longest), i, -1):
            if " ".join(tokens[i:j]) in known:
                out.append(known[" ".join(tokens[i:j])])
                i = j
                break
        else:
            return None
    return out or None


def read_labels(text: str, known: dict[str, str]) -> list[tuple[str, bool]]:
    """The answers in one statement's text, each with whether the statement set knows it
    (an answer it does not know is kept as typed, and is marked wrong)."""
    found = []
    for piece in re.split(r"[,;:/|\n]+", text):
        piece = piece.strip(" \t\"'`[](){}.!")
        if not piece:
            continue
        one = _one_label(piece, known)
        several = [one] if one else _segments(piece, known)
        found.extend((label, True) for label in several) if several else found.append((grading.label_key(piece), False))
    return found


# --- reading an answer ------------------------------------------------------------------------


@dataclass
class Reading:
    """One answer as read: the value to mark, and what to tell the trainee about how it was read."""

    value: object
    words: int
    fields: list[Field] = field(default_factory=list)
    shown: dict[str, str] = field(default_factory=dict)
    named: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    problem: str = ""

    def understood(self) -> list[str]:
        """How the answer was read, line by line: each part with what it holds, then anything left over."""
        if self.problem:
            return [self.problem]
        if not self.fields:
            return []
        lines = [f"{f.label}: {self.shown.get(f.id) or '(empty)'}" for f in self.fields]
        labels = {f.id: f.label for f in self.fields}
        if self.words and not self.named:
            lines.append(f"I found none of the labels. Start each part on a new line with its label and a colon, "
                         f"such as \"{self.fields[0].short}: ...\".")
        if self.unplaced:
            quoted = "; ".join(f'"{_preview(line)}"' for line in self.unplaced)
            lines.append(f"Lines I could not place (they come before the first label): {quoted}")
        for fid in self.repeated:
            lines.append(f'"{labels[fid]}" is there more than once: I put the parts together.')
        return lines


def _preview(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= PREVIEW else text[: PREVIEW - 3].rstrip() + "..."


def clean(text: str) -> str:
    """An answer's text without nbgrader's marks (the stub, the solution lines) or blank edges."""
    text = _MARKERS.sub("", normalise(str(text)))
    return without_stub(text, " \t").strip()


def read_answer(exercise_id: str, item_id: str, text: str) -> Reading:
    """Read an answer cell's text (its first line may be included) for one item. Never raises.

    An answer longer than ``MAX_CHARS`` characters is not read into parts: the reading's problem
    says so, and its value is the text as typed (for an answer in parts, all of it in the first
    part; nothing for statements to sort), which the marking refuses with the same message.
    """
    try:
        body = cell_body(text) if cell_item(str(text)) else str(text)
    except Exception:  # not text at all: nothing to read
        return Reading("", 0)
    try:
        spec = grading.item_spec(exercise_id, item_id)
        fields = item_fields(spec)
    except Exception:
        spec, fields = None, None
    too_long = cap(body)[1]
    if too_long:
        value: object = body
        if fields:
            value = {} if spec["kind"] == "classification" else {fields[0].id: body}
        return Reading(value, len(body.split()), fields or [], problem=too_long)
    body = clean(body)
    if spec is None:
        return Reading(body, len(words(body)), problem=f"I do not know the item {exercise_id} {item_id}.")
    count = len(words(body))
    if not fields:
        return Reading(body, count)
    try:
        found = read_labelled(body, fields)
    except Exception:
        found = Labelled({f.id: "" for f in fields})
    if spec["kind"] == "classification":
        return _classification(spec, fields, found, count)
    shown = {fid: _preview(text) for fid, text in found.values.items() if text}
    return Reading(found.values, count, fields, shown, found.named, found.unplaced, found.repeated)


def _classification(spec: dict, fields: list[Field], found: Labelled, count: int) -> Reading:
    known = vocabulary(spec["statements"])
    value, shown = {}, {}
    for fid, text in found.values.items():
        if not text:
            continue
        labels = read_labels(text, known)
        value[fid] = [label for label, _known in labels]
        shown[fid] = ", ".join(label if ok else f'"{_preview(label)}" (I do not know this answer)' for label, ok in labels)
    return Reading(value, count, fields, shown, found.named, found.unplaced, found.repeated)


def write_answer(exercise_id: str, item_id: str, value: object) -> str:
    """An answer as the text a trainee would type for it: the reverse of :func:`parse_answer`."""
    fields = item_fields(grading.item_spec(exercise_id, item_id))
    return labelled_lines(fields, value if isinstance(value, dict) else {}) if fields else str(value or "").strip()


def parse_answer(exercise_id: str, item_id: str, text: str) -> object:
    """The answer :func:`alongside.grading.evaluate` takes, from an answer cell's text. Never raises."""
    return read_answer(exercise_id, item_id, text).value
