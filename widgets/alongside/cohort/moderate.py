"""``alongside cohort moderate DIR``: a trainer checks a sample of the automatic marks, and the marking learns from them.

``--sample N`` picks up to N graded answers per rubric and writes a moderation sheet twice, as
``DIR/moderation/sheet-<date>.ipynb`` (one answer at a time: its text, each criterion's automatic
mark and evidence, and a plain-text box to type ``agree``, ``met`` or ``not met`` in; no code
cells, nothing to run) and as ``sheet-<date>.csv`` for a spreadsheet (one row per answer and
criterion, the trainer's mark in the ``trainer`` column). The sample is stratified, so that each
criterion has answers marked met and not met where the cohort has both, and weighted towards the
answers the marking was least sure of: for a criterion with a learned model, how near its
probability was to its threshold (:func:`doubt`); patterns alone count as sure. Answers the rubric
could not mark (blank, far too long) and answers whose saved marks the rubric would not give again
(a rewrite copied from the original) are left out, and answers that read the same on the sheet are offered once. The
same seed gives the same sample. Trainees appear under the reports' pseudonyms
(:func:`alongside.cohort.report.pseudonym`), and any trainee's id, name or e-mail in an answer is
shown as ``[name]``; the key from a sheet's answers back to trainees stays in
``DIR/.alongside/moderation/``.

``--read SHEET`` (either file) checks every row first and refuses the sheet, naming the row, when
one is wrong; then it prints per criterion the share of answers the trainer agreed with, Cohen's
kappa with its 95 % interval (:func:`agreement`) and the answers where they differed. Where the
trainer's marks change an answer's points, they go into nbgrader's gradebook as a manual score
with a comment saying the trainer moderated it, and that trainee's feedback is made again; a later
``alongside cohort grade`` keeps them for as long as the answer is unchanged (:func:`keep_overrides`).
The moderated answers, pseudonymised and with the trainer's labels, go into
``DIR/moderation/labelled.yaml`` (one YAML document per rubric, each shaped like a corpus author's
file), which ``alongside train --course DIR`` learns from beside the shipped corpus; the summary
for the report is ``DIR/.alongside/moderation.json`` (read by :func:`alongside.cohort.moderated.read_moderation`). Reading the
same sheet again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
import yaml

from alongside import grading
from alongside import rubric as rubric_engine
from alongside.cohort import ledger, moderated
from alongside.cohort.course import (Cohort, CohortError, gradebook, gradebook_lock, open_cohort, serialise_gradebook,
                                     use_environment_tools)
from alongside.learned import model
from alongside.store import read_json, write_json

MET, NOT_MET, AGREE = "met", "not met", "agree"
COLUMNS = ["answer", "pseudonym", "exercise", "item", "rubric", "criterion", "looks_for", "automatic", "evidence",
           "trainer", "text"]
NEEDED = ("answer", "criterion", "automatic", "trainer")  # the columns --read needs
SURE = 0.2  # the weight of an answer the marking was sure of, beside 1 + doubt for one it was not
Z95 = 1.959964
MARKER = "Moderated by your trainer."  # how a gradebook comment written here begins


class SheetError(CohortError):
    """A moderation sheet that cannot be read: one line naming the row."""


# ---- Cohen's kappa ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Agreement:
    """How far a trainer agreed with the automatic marks on one criterion."""

    n: int
    agree: float
    kappa: float | None  # None when it means nothing (see ``why``)
    low: float | None
    high: float | None
    why: str = ""

    def line(self) -> str:
        """The agreement as one line for the trainer."""
        text = f"agreed on {round(self.agree * self.n)} of {self.n} ({self.agree:.0%})"
        if self.kappa is None:
            return f"{text}; kappa: not enough answers ({self.why})"
        return f"{text}; kappa {self.kappa:.2f} (95% interval {self.low:.2f} to {self.high:.2f})"


def agreement(pairs: list[tuple[bool, bool]]) -> Agreement:
    """Cohen's kappa between two raters' met / not met marks, (automatic, trainer) pairs, with a 95 % interval.

    kappa = (po - pe) / (1 - pe), po the share agreeing and pe the share expected by chance from each
    rater's share of "met". The interval is the Wilson score interval of po carried through the
    same formula (pe as observed): unlike the large-sample standard error, it does not shrink to
    nothing when every pair agrees in a small sample. When either rater gave one mark to every
    answer, kappa is 0 or undefined whatever the agreement, so none is given.
    """
    n = len(pairs)
    if n == 0:
        return Agreement(0, 0.0, None, None, None, "no answers marked")
    po = sum(a == b for a, b in pairs) / n
    first, second = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    for share, who in ((first, "automatic mark"), (second, "trainer's mark")):
        if share in (0.0, 1.0):
            return Agreement(n, po, None, None, None, f"every {who} was {MET if share else NOT_MET}")
    pe = first * second + (1 - first) * (1 - second)
    centre = (po + Z95 ** 2 / (2 * n)) / (1 + Z95 ** 2 / n)
    half = Z95 * math.sqrt(po * (1 - po) / n + Z95 ** 2 / (4 * n * n)) / (1 + Z95 ** 2 / n)

    def kappa(p: float) -> float:
        return max(-1.0, min(1.0, (p - pe) / (1 - pe)))

    return Agreement(n, po, kappa(po), kappa(centre - half), kappa(centre + half))


# ---- the answers a sheet offers ---------------------------------------------------------------

@dataclass
class Answer:
    """One graded answer to a rubric: a rubric item's answer, or one rewrite of a rewrites item."""

    trainee: str
    exercise: str
    notebook: str
    item: str
    part: str  # the rewrite's id, "" for a rubric item
    rubric: str
    value: object  # as marked: text, or a plan's fields
    digest: str
    marks: dict[str, bool]  # criterion id -> the automatic mark
    evidence: dict[str, str] = field(default_factory=dict)
    doubt: float = 0.0

    @property
    def where(self) -> str:
        """The item, and the rewrite when there is one ("rewrites/r1")."""
        return f"{self.item}/{self.part}" if self.part else self.item


def doubt(criterion: rubric_engine.Criterion, text: str) -> float:
    """How unsure the marking was of one criterion on a text, 0 (sure) to 1 (at its threshold):
    from the learned model's probability where the criterion has one; patterns alone are sure."""
    learned = model(criterion.model_name or f"{criterion.rubric}.{criterion.id}") if criterion.rule in ("any", "none") else None
    if learned is None:
        return 0.0
    hit = criterion._rules(text)[2]
    threshold = min(learned.threshold, 0.5) if hit else learned.threshold
    distance = abs(learned.probability(text, hit) - threshold) / max(threshold, 1 - threshold)
    return max(0.0, 1.0 - distance)


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


_ANSWER_CELLS: dict[tuple[str, str, str], dict] = {}


def answer_bodies(cohort: Cohort, trainee: str, exercise: str, notebook: str) -> dict[str, str]:
    """Item -> the text of its answer cell in a graded notebook, found as the grader finds it (by
    the released cell's id in the gradebook); {} when the notebook cannot be read."""
    from alongside.answer_text import cell_body
    from alongside.cells import cell_source, nbgrader_metadata

    try:
        nb = nbformat.read(cohort.graded(trainee, exercise) / f"{notebook}.ipynb", as_version=4)
    except Exception:  # gone or damaged since it was graded: nothing to moderate in it
        return {}
    by_id = {nbgrader_metadata(c).get("grade_id"): c for c in nb.cells if nbgrader_metadata(c).get("solution")}
    return {item: cell_body(cell_source(by_id[grade_id]))
            for (ex, item), grade_id in _answer_cells(cohort, exercise, notebook).items()
            if ex == exercise and grade_id in by_id}


def _answer_cells(cohort: Cohort, exercise: str, notebook: str) -> dict:
    """(exercise, item) -> its answer cell's grade id in a released notebook (read once per run)."""
    from alongside.trusted import answer_cells

    if (cohort.db_url, exercise, notebook) not in _ANSWER_CELLS:
        _ANSWER_CELLS[(cohort.db_url, exercise, notebook)] = answer_cells(cohort.db_url, exercise, notebook)
    return _ANSWER_CELLS[(cohort.db_url, exercise, notebook)]


def _saved(cohort: Cohort, trainee: str, exercise: str) -> dict[str, tuple[str, dict]]:
    """Item -> (notebook, the item's result as the grader saved it)."""
    from alongside.trusted import MARKS_DIR

    found = {}
    for path in sorted((cohort.root / MARKS_DIR / trainee / exercise).glob("*.json")):
        try:
            items = json.loads(path.read_text(encoding="utf-8")).get("items", [])
        except (OSError, ValueError, AttributeError):
            continue
        found.update({i["item"]: (path.stem, i) for i in items if isinstance(i, dict) and "item" in i})
    return found


def _parts(spec: dict, value: object) -> list[tuple[str, object]]:
    if spec["kind"] == "rubric":
        return [("", value)]
    return [(sid, value.get(sid) if isinstance(value, dict) else None) for sid in spec["items"]]


def _saved_criteria(result: dict, part: str) -> dict[str, dict]:
    """The saved criteria of one answer (one rewrite's, for a part), by rubric criterion id."""
    found = {}
    for c in result.get("criteria", []):
        cid = str(c.get("id", ""))
        if part and cid.startswith(f"{part}/"):
            found[cid.split("/", 1)[1]] = c
        elif not part and "/" not in cid:
            found[cid] = c
    return found


def submission_answers(cohort: Cohort, trainee: str, exercise: str) -> list[Answer]:
    """The answers of one graded submission a trainer can moderate, with their automatic marks."""
    try:
        specs = {s["id"]: s for s in grading.exercise(exercise)["items"] if s.get("kind") in ("rubric", "rewrites")}
    except Exception:  # an exercise with no spec has nothing to moderate
        return []
    saved = _saved(cohort, trainee, exercise)
    bodies: dict[str, dict[str, str]] = {}
    out = []
    for item, spec in specs.items():
        if item not in saved:
            continue
        notebook, result = saved[item]
        if notebook not in bodies:
            bodies[notebook] = answer_bodies(cohort, trainee, exercise, notebook)
        if item not in bodies[notebook]:
            continue
        from alongside.answer_text import parse_answer

        rubric = rubric_engine.load_rubric(spec["rubric"])
        for part, value in _parts(spec, parse_answer(exercise, item, bodies[notebook][item])):
            out.extend(_answer(rubric, trainee, exercise, notebook, item, part, value, _saved_criteria(result, part)))
    return out


def _answer(rubric, trainee, exercise, notebook, item, part, value, saved) -> list[Answer]:
    scored = rubric_engine.score(rubric, value)
    ids = [c.id for c in rubric.criteria]
    if scored.message or set(saved) != set(ids):
        return []
    marks = {cid: bool(saved[cid].get("met")) for cid in ids}
    if any(marks[cid] != scored.criteria[cid].met for cid in ids):
        return []  # not what the rubric gives it now: a copied rewrite, or marked with other models
    fields, text = rubric_engine.answer_text(rubric, value)
    worry = max((doubt(c, fields.get(c.field, "") if c.field else text) for c in rubric.criteria), default=0.0)
    return [Answer(trainee, exercise, notebook, item, part, rubric.id, value, _digest(value), marks,
                   {cid: scored.criteria[cid].evidence for cid in ids}, worry)]


def graded_answers(cohort: Cohort) -> list[Answer]:
    """Every answer to a rubric in the cohort's graded submissions that a trainer can moderate."""
    from alongside.trusted import use_course_models

    use_course_models(cohort.root)
    serialise_gradebook(cohort)
    out = []
    for (trainee, exercise), entry in sorted(ledger.status(cohort).items()):
        if entry.get("status") == "graded" and cohort.graded(trainee, exercise).is_dir():
            out.extend(submission_answers(cohort, trainee, exercise))
    return out


def choose(answers: list[Answer], n: int, seed: int = 0) -> list[Answer]:
    """Up to ``n`` answers per rubric: first, for each criterion, one marked met and one marked not
    met where there are such answers; then the rest, weighted towards the answers the marking was
    least sure of (weighted sampling without replacement, Efraimidis and Spirakis). Identical
    answers to a rubric are offered once. Deterministic for a seed."""
    rng = random.Random(seed)
    keyed = sorted(answers, key=lambda a: (a.rubric, a.trainee, a.exercise, a.where))
    keys = {id(a): rng.random() ** (1.0 / (SURE + a.doubt)) for a in keyed}
    chosen: list[Answer] = []
    for rubric_id in sorted({a.rubric for a in keyed}):
        ranked, seen = [], set()
        for a in sorted((a for a in keyed if a.rubric == rubric_id), key=lambda a: -keys[id(a)]):
            text = json.dumps(a.value, sort_keys=True, default=str)
            if text not in seen:
                seen.add(text)
                ranked.append(a)
        picked: list[Answer] = []
        for cid in ranked[0].marks if ranked else []:
            for wanted in (True, False):
                if len(picked) < n and not any(a.marks[cid] == wanted for a in picked):
                    found = next((a for a in ranked if a.marks[cid] == wanted and a not in picked), None)
                    if found is not None:
                        picked.append(found)
        picked += [a for a in ranked if a not in picked][: max(0, n - len(picked))]
        chosen += sorted(picked, key=lambda a: -keys[id(a)])
    return chosen


# ---- names kept off the sheet -----------------------------------------------------------------

def _people(cohort: Cohort) -> list[dict]:
    with gradebook(cohort) as gb:
        return [{"id": s.id, "first": s.first_name or "", "last": s.last_name or "", "email": s.email or ""}
                for s in gb.students]


def name_finder(cohort: Cohort) -> re.Pattern | None:
    """A pattern that finds any trainee's id, name or e-mail (whole words, any case), or None when there are none."""
    terms = set()
    for p in _people(cohort):
        terms |= {p["id"], p["first"], p["last"], f"{p['first']} {p['last']}".strip(), p["email"]}
    terms = sorted((t for t in terms if len(t) >= 2), key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, terms)) + r")(?!\w)", re.IGNORECASE)


def without_names(value: object, finder: re.Pattern | None) -> object:
    """An answer (text, or a dict or list of texts) with every trainee's id, name and e-mail shown as
    [name], one for each word (so a trainer can still see that a name of two words was given)."""
    if finder is None:
        return value
    if isinstance(value, str):
        return finder.sub(lambda found: " ".join("[name]" for _word in found.group(0).split()), value)
    if isinstance(value, dict):
        return {k: without_names(v, finder) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [without_names(v, finder) for v in value]
    return value


# ---- writing a sheet --------------------------------------------------------------------------

def _folder(cohort: Cohort) -> Path:
    return cohort.root / "moderation"


def _keys(cohort: Cohort) -> Path:
    return cohort.state / "moderation"


def _as_text(value: object) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


def _mark(met: bool) -> str:
    return MET if met else NOT_MET


@dataclass
class Sheet:
    """A moderation sheet just written."""

    notebook: Path
    csv: Path
    answers: int
    rubrics: int

    def summary(self, course: Path) -> str:
        """What was written and what to do next."""
        return (f"Moderation sheet: {self.answers} answers to {self.rubrics} rubrics, in {self.notebook} "
                f"(a notebook) and {self.csv} (a spreadsheet); fill in either one. For each criterion type agree, "
                f"met or not met; leave a line blank to skip it. Then: alongside cohort moderate {course} --read "
                f"{self.csv}")


def sample(path, n: int, seed: int = 0, today: dt.date | None = None) -> Sheet:
    """Pick up to ``n`` graded answers per rubric and write the moderation sheet (notebook and CSV)."""
    if n < 1:
        raise CohortError("--sample needs a number of answers per rubric, 1 or more")
    cohort = open_cohort(path)
    use_environment_tools()
    finder = name_finder(cohort)
    shown_as = [replace(a, value=without_names(a.value, finder), evidence=without_names(a.evidence, finder))
                for a in graded_answers(cohort)]  # answers the same but for a name are offered once
    answers = choose(shown_as, n, seed)
    if not answers:
        raise CohortError(f"no graded answers to moderate in {cohort.root}: grade it first with "
                          f"alongside cohort grade {cohort.root}")
    from alongside.cohort.report import pseudonym

    _folder(cohort).mkdir(parents=True, exist_ok=True)
    _keys(cohort).mkdir(parents=True, exist_ok=True)
    name = _new_name(cohort, today or dt.date.today())
    key, rows, shown = {}, [], []
    for number, a in enumerate(answers, 1):
        aid = f"A{number:02d}"
        alias = pseudonym(cohort, a.trainee)
        key[aid] = {"trainee": a.trainee, "exercise": a.exercise, "notebook": a.notebook, "item": a.item,
                    "part": a.part, "rubric": a.rubric, "digest": a.digest, "marks": a.marks, "pseudonym": alias,
                    "value": a.value}
        evidence = a.evidence
        shown.append((aid, alias, a, a.value, evidence))
        rubric = rubric_engine.load_rubric(a.rubric)
        for c in rubric.criteria:
            rows.append({"answer": aid, "pseudonym": alias, "exercise": a.exercise, "item": a.where,
                         "rubric": a.rubric, "criterion": c.id, "looks_for": c.looks_for,
                         "automatic": _mark(a.marks[c.id]), "evidence": evidence[c.id],
                         "trainer": "", "text": _as_text(key[aid]["value"])})
    write_json(_keys(cohort) / f"{name}.json", {"sheet": name, "seed": seed, "answers": key,
                                                "made_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    from alongside.cohort.report import safe_cell

    sheet_csv = _folder(cohort) / f"{name}.csv"
    with sheet_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    sheet_nb = _folder(cohort) / f"{name}.ipynb"
    nbformat.write(_notebook(name, shown), sheet_nb)
    return Sheet(sheet_nb, sheet_csv, len(answers), len({a.rubric for a in answers}))


def _new_name(cohort: Cohort, day: dt.date) -> str:
    """sheet-<date>, or sheet-<date>-2 and on when that day already has one: a sheet is never overwritten."""
    base, n = f"sheet-{day.isoformat()}", 1
    name = base
    while any(p.exists() for p in (_folder(cohort) / f"{name}.csv", _folder(cohort) / f"{name}.ipynb",
                                   _keys(cohort) / f"{name}.json")):
        n += 1
        name = f"{base}-{n}"
    return name


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_text(text: str) -> str:
    """Text shown as itself in Markdown: every ASCII punctuation mark escaped, so no markup, link or HTML in it works."""
    return _PUNCTUATION.sub(r"\\\1", str(text))


def _notebook(name: str, shown: list) -> nbformat.NotebookNode:
    from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell

    nb = new_notebook()
    nb.metadata["alongside"] = {"moderation_sheet": name}
    nb.cells.append(new_markdown_cell(
        f"# Moderation sheet {name}\n\n"
        "Each answer below is a trainee's, under a pseudonym, with what the automatic marking decided for each "
        "criterion and the words that decided it. In the plain-text box under each answer, type after each "
        "criterion's colon:\n\n- **agree** when the automatic mark is right;\n- **met** or **not met** when it is "
        "not, to give your own mark.\n\nLeave a line blank to skip it. Nothing in this notebook runs. Save it, then "
        "read it back with `alongside cohort moderate <course folder> --read` and this file's path."))
    for aid, alias, a, value, evidence in shown:
        rubric = rubric_engine.load_rubric(a.rubric)
        if isinstance(value, dict):
            body = "\n>\n".join(f"> **{markdown_text(k)}:** " + markdown_text(v).replace("\n", "<br>")
                                 for k, v in value.items())
        else:
            body = "\n".join(f"> {markdown_text(line)}" for line in _as_text(value).splitlines()) or "> "
        table = ["| criterion | looks for | automatic mark | evidence |", "| --- | --- | --- | --- |"]
        for c in rubric.criteria:
            cells = [c.id, c.looks_for, _mark(a.marks[c.id]), evidence[c.id]]
            table.append("| " + " | ".join(markdown_text(" ".join(str(x).split())) for x in cells) + " |")
        nb.cells.append(new_markdown_cell(
            f"## Answer {aid}\n\n{markdown_text(a.exercise)}, {markdown_text(a.where)} (rubric "
            f"{markdown_text(a.rubric)}), by {markdown_text(alias)}\n\n{body}\n\n" + "\n".join(table)))
        nb.cells.append(new_raw_cell("\n".join(f"{c.id}: " for c in rubric.criteria),
                                     metadata={"alongside": {"answer": aid}}))
    return nb


# ---- reading a sheet --------------------------------------------------------------------------

_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*:\s*(.*?)\s*$")


def _trainer_mark(text: str, automatic: bool, where: str) -> bool | None:
    said = " ".join(str(text).strip().lstrip("'").lower().split())
    if not said:
        return None
    if said in (AGREE, "agreed"):
        return automatic
    if said in (MET, NOT_MET):
        return said == MET
    raise SheetError(f"{where}: {text.strip()[:40]!r} is not a mark; write agree, met or not met (or leave it blank)")


def _check(key: dict, aid: str, cid: str, where: str) -> dict:
    if aid not in key["answers"]:
        raise SheetError(f"{where}: answer {aid[:20]!r} is not on sheet {key['sheet']}")
    entry = key["answers"][aid]
    ids = [c.id for c in rubric_engine.load_rubric(entry["rubric"]).criteria]
    if cid not in ids:
        raise SheetError(f"{where}: answer {aid} has no criterion {cid[:40]!r} (its rubric {entry['rubric']} has "
                         f"{', '.join(ids)})")
    return entry


def _read_csv(path: Path, key: dict) -> dict[tuple[str, str], bool]:
    marks: dict[tuple[str, str], bool] = {}
    seen: dict[tuple[str, str], int] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in NEEDED if c not in header]
            if missing:
                raise SheetError(f"{path.name}, row 1 (the header): no {', '.join(repr(m) for m in missing)} column; "
                                 f"the sheet needs {', '.join(NEEDED)}")
            reader.fieldnames = header
            for number, row in enumerate(reader, 2):
                where = f"{path.name}, row {number}"
                if None in row or any(row.get(c) is None for c in NEEDED):
                    raise SheetError(f"{where}: it has {'more' if None in row else 'fewer'} cells than the header")
                aid, cid = row["answer"].strip().lstrip("'"), row["criterion"].strip().lstrip("'")
                if not aid and not cid and not any((v or "").strip() for v in row.values()):
                    continue  # a blank line
                entry = _check(key, aid, cid, where)
                if (aid, cid) in seen:
                    raise SheetError(f"{where}: answer {aid}, criterion {cid} is on row {seen[(aid, cid)]} too")
                seen[(aid, cid)] = number
                automatic = entry["marks"][cid]
                if " ".join(row["automatic"].lower().split()) != _mark(automatic):
                    raise SheetError(f"{where}: the automatic column says {row['automatic'].strip()[:20]!r}, but the "
                                     f"grader's mark was {_mark(automatic)!r}; write your own mark in the trainer column")
                said = _trainer_mark(row["trainer"], automatic, where)
                if said is not None:
                    marks[(aid, cid)] = said
    except UnicodeDecodeError:
        raise SheetError(f"{path.name} is not readable text (UTF-8): save it from the spreadsheet as CSV UTF-8") from None
    except csv.Error as err:
        raise SheetError(f"{path.name} is not a readable CSV file ({err})") from None
    return marks


def _read_notebook(path: Path, key: dict) -> dict[tuple[str, str], bool]:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:
        raise SheetError(f"{path.name} is not a readable notebook ({type(err).__name__})") from None
    marks: dict[tuple[str, str], bool] = {}
    seen: set[str] = set()
    for cell in nb.cells:
        aid = (cell.get("metadata", {}).get("alongside") or {}).get("answer")
        if aid is None:
            continue
        aid = str(aid)
        if aid in seen:
            raise SheetError(f"{path.name}, answer {aid[:20]}: its box is in the notebook twice")
        seen.add(aid)
        done: set[str] = set()
        for number, line in enumerate(str(cell.get("source", "")).splitlines(), 1):
            where = f"{path.name}, answer {aid[:20]}, line {number}"
            if not line.strip():
                continue
            found = _LINE.match(line)
            if not found:
                raise SheetError(f"{where}: write each line as 'criterion: agree' (or met, or not met)")
            cid, said = found.groups()
            entry = _check(key, aid, cid, where)
            if cid in done:
                raise SheetError(f"{where}: criterion {cid} is given twice")
            done.add(cid)
            mark = _trainer_mark(said, entry["marks"][cid], where)
            if mark is not None:
                marks[(aid, cid)] = mark
    return marks


@dataclass
class Reading:
    """What reading one sheet found and did."""

    sheet: str
    agreement: dict[tuple[str, str], Agreement]
    disagreements: list[str]
    overrides: int  # answers whose points the trainer's marks changed
    feedback: int  # submissions whose feedback was made again
    labelled: int  # answers in the labelled-examples file from this sheet
    stale: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Agreement per criterion, the answers that differed, and what was written."""
        if not self.agreement:
            return (f"Moderation sheet {self.sheet}: nothing is marked on it yet. Type agree, met or not met after "
                    "each criterion, save it, and read it again.")
        lines = [f"Moderation sheet {self.sheet}: {len(self.agreement)} criteria marked."]
        for (rubric_id, cid), found in sorted(self.agreement.items()):
            lines.append(f"  {rubric_id} {cid}: {found.line()}")
        if self.disagreements:
            lines.append("Where you and the automatic marking differed:")
            lines += [f"  {line}" for line in self.disagreements]
        lines += [f"  {line}" for line in self.stale]
        lines.append(f"{self.overrides} answer(s) now carry your marks in the gradebook; feedback made again for "
                     f"{self.feedback} submission(s). {self.labelled} moderated answer(s) are in the labelled examples "
                     "for the next `alongside train --course`.")
        return "\n".join(lines)


def read(path, sheet) -> Reading:
    """Read a trainer's moderation sheet (its CSV or its notebook) and act on it (see the module's docstring)."""
    cohort = open_cohort(path)
    sheet = Path(sheet).expanduser()
    if not sheet.is_file():
        raise CohortError(f"{sheet} is not a file: give the moderation sheet's .csv or .ipynb")
    if sheet.suffix.lower() not in (".csv", ".ipynb"):
        raise CohortError(f"{sheet.name} is not a moderation sheet: give its .csv or its .ipynb")
    key = read_json(_keys(cohort) / f"{sheet.stem}.json")
    if not key.get("answers"):
        raise CohortError(f"{cohort.root} has no record of a sheet called {sheet.stem} (its key is kept in "
                          f"{_keys(cohort)}); keep the name `alongside cohort moderate --sample` gave it")
    marks = (_read_csv if sheet.suffix.lower() == ".csv" else _read_notebook)(sheet, key)
    use_environment_tools()
    serialise_gradebook(cohort)
    from alongside.trusted import use_course_models

    use_course_models(cohort.root)
    pairs: dict[tuple[str, str], list[tuple[bool, bool]]] = {}
    disagreements, labels = [], {}
    for (aid, cid), said in sorted(marks.items()):
        entry = key["answers"][aid]
        automatic = entry["marks"][cid]
        pairs.setdefault((entry["rubric"], cid), []).append((automatic, said))
        labels.setdefault(aid, {})[cid] = said
        if said != automatic:
            disagreements.append(f"{aid} ({entry['exercise']} {entry['item']}{'/' + entry['part'] if entry['part'] else ''}, "
                                 f"{entry['pseudonym']}) {cid}: the marking said {_mark(automatic)}, you said {_mark(said)}")
    found = {k: agreement(v) for k, v in pairs.items()}
    stale, overrides, fed = _record_overrides(cohort, key, labels)
    labelled = _write_labelled(cohort, key, labels)
    _write_summary(cohort, key["sheet"], sheet.name, found)
    return Reading(key["sheet"], found, disagreements, overrides, fed, labelled, stale)


# ---- overrides in the gradebook ---------------------------------------------------------------

def _overrides_path(cohort: Cohort) -> Path:
    return _keys(cohort) / "overrides.json"


def _record_overrides(cohort: Cohort, key: dict, labels: dict) -> tuple[list[str], int, int]:
    """Keep the trainer's labels per answer, then put them into the gradebook; return (lines about
    answers changed since the sheet was made, answers with the trainer's points, submissions re-fed)."""
    stale, touched, differ = [], set(), 0
    with gradebook_lock(cohort):
        stored = read_json(_overrides_path(cohort))
        before = json.dumps(stored, sort_keys=True)
        for aid, given in labels.items():
            entry = key["answers"][aid]
            now = {a.part: a for a in _current(cohort, entry["trainee"], entry["exercise"], entry["item"])}
            if entry["part"] not in now or now[entry["part"]].digest != entry["digest"]:
                stale.append(f"{aid}: the answer has changed or is no longer graded since the sheet was made, "
                             "so your marks were not put into the gradebook")
                continue
            sub = stored.setdefault(ledger.key(entry["trainee"], entry["exercise"]), {})
            part = sub.setdefault(entry["item"], {}).setdefault(entry["part"], {"digest": entry["digest"], "labels": {}})
            if part["digest"] != entry["digest"]:
                part.update(digest=entry["digest"], labels={})
            part["labels"].update(given)
            part["sheet"] = key["sheet"]
            touched.add((entry["trainee"], entry["exercise"]))
            differ += any(v != entry["marks"][cid] for cid, v in given.items())
        if json.dumps(stored, sort_keys=True) != before:
            write_json(_overrides_path(cohort), stored)
    changed = [k for k in sorted(touched) if _apply(cohort, *k, stored.get(ledger.key(*k), {}))]
    if changed:
        from alongside.cohort.grade import nbgrader_api

        api = nbgrader_api(cohort)
        for trainee, exercise in changed:
            api.generate_feedback(exercise, trainee, force=True)
    return stale, differ, len(changed)


def _current(cohort: Cohort, trainee: str, exercise: str, item: str) -> list[Answer]:
    return [a for a in submission_answers(cohort, trainee, exercise) if a.item == item]


def keep_overrides(cohort: Cohort, trainee: str, exercise: str) -> bool:
    """After a submission is graded again: the trainer's marks stay on each answer whose text is
    unchanged and are dropped from one the trainee changed (nbgrader itself keeps a manual score,
    but flags it for review). True when the gradebook changed."""
    key = ledger.key(trainee, exercise)
    with gradebook_lock(cohort):
        stored = read_json(_overrides_path(cohort))
        if key not in stored:
            return False
        from alongside.trusted import use_course_models

        use_course_models(cohort.root)
        now = {(a.item, a.part): a.digest for a in submission_answers(cohort, trainee, exercise)}
        kept = {item: {part: v for part, v in parts.items() if now.get((item, part)) == v["digest"]}
                for item, parts in stored[key].items()}
        if kept != stored[key]:
            stored[key] = kept
            write_json(_overrides_path(cohort), stored)
        return _apply(cohort, trainee, exercise, stored[key])


def _apply(cohort: Cohort, trainee: str, exercise: str, items: dict) -> bool:
    """Make the gradebook carry the trainer's labels for one submission's items: a manual score and
    a comment where they change the points, none where they do not. True when anything changed."""
    from alongside.trusted import marked_item

    saved = {item: found for item, found in _saved(cohort, trainee, exercise).items() if item in items}
    answers = {nb: _answer_cells(cohort, exercise, nb) for nb in {nb for nb, _result in saved.values()}}
    changed = False
    with gradebook(cohort) as gb:
        for item, (notebook, result) in saved.items():
            parts = items[item]
            tests = {marked_item(c.source or ""): c.name for c in gb.find_notebook(notebook, exercise).source_cells}
            test, answer = tests.get((exercise, item)), answers[notebook].get((exercise, item))
            if test is None or answer is None:
                continue
            points, lines = moderated_points(result, parts)
            grade = gb.find_grade(test, notebook, exercise, trainee)
            comment = gb.find_comment(answer, notebook, exercise, trainee)
            ours = (comment.manual_comment or "").startswith(MARKER)
            if lines:
                text = f"{MARKER} " + " ".join(lines) + f" Points for this answer: {points:g} of {result['max']:g}."
                wanted = (points, text, False)
            elif ours:
                wanted = (None, None, False)
            else:
                continue
            if (grade.manual_score, comment.manual_comment, grade.needs_manual_grade) != wanted:
                grade.manual_score, comment.manual_comment, grade.needs_manual_grade = wanted
                changed = True
        if changed:
            gb.db.commit()
    return changed


def moderated_points(result: dict, parts: dict) -> tuple[float, list[str]]:
    """An item's points with the trainer's labels in place of the automatic marks (to the nearest
    quarter, as the marking rounds), and one line for the trainee per criterion the trainer changed."""
    total, lines = 0.0, []
    for c in result.get("criteria", []):
        part, _, cid = str(c["id"]).rpartition("/")
        label = parts.get(part, {}).get("labels", {}).get(cid)
        if label is None or label == bool(c["met"]):
            total += float(c["points"])
            continue
        total += float(c["max"]) if label else 0.0
        which = f"{part}, " if part else ""
        lines.append(f"{which}{c['looks_for'].rstrip('.')}: {_mark(label)} (the automatic marking said "
                     f"{'met' if c['met'] else 'not yet'}).")
    return round(total * 4) / 4, lines


# ---- labelled examples and the agreement summary ----------------------------------------------

def labelled_path(cohort: Cohort) -> Path:
    """The course's labelled examples from moderation, which ``alongside train --course`` learns from."""
    return _folder(cohort) / "labelled.yaml"


def _write_labelled(cohort: Cohort, key: dict, labels: dict) -> int:
    """Add the moderated answers (pseudonymised, with the trainer's labels) to the labelled examples; return how many."""
    if not labels:
        return 0
    path = labelled_path(cohort)
    docs = {}
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            docs = {d["checker"]: d for d in yaml.safe_load_all(handle) if isinstance(d, dict) and d.get("checker")}
    for aid, given in labels.items():
        entry = key["answers"][aid]
        doc = docs.setdefault(entry["rubric"], {"author": f"moderation ({cohort.course_id})", "checker": entry["rubric"],
                                                "answers": []})
        eid = "m-" + hashlib.sha256("\0".join((entry["pseudonym"], entry["exercise"], entry["item"],
                                               entry["part"])).encode()).hexdigest()[:10]
        answers = {a["id"]: a for a in doc["answers"]}
        shape = "fields" if isinstance(entry["value"], dict) else "text"
        old = answers.get(eid, {})
        merged = {**old.get("labels", {}), **given} if old.get(shape) == entry["value"] else dict(given)
        answers[eid] = {"id": eid, "from": f"{entry['exercise']} {entry['item']}" + (f" {entry['part']}" if entry["part"] else ""),
                        "sheet": key["sheet"], shape: entry["value"], "labels": dict(sorted(merged.items()))}
        doc["answers"] = [answers[k] for k in sorted(answers)]
    text = yaml.safe_dump_all([docs[k] for k in sorted(docs)], sort_keys=False, allow_unicode=True, width=100)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(labels)


def _summary_path(cohort: Cohort) -> Path:
    return cohort.state / moderated.FILE_NAME


def _write_summary(cohort: Cohort, sheet_name: str, file_name: str, found: dict) -> None:
    path = _summary_path(cohort)
    with gradebook_lock(cohort):
        data = read_json(path)
        rubrics = data.setdefault("rubrics", {})
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        for (rubric_id, cid), a in found.items():
            figures = {"agree": round(a.agree, 3), "kappa": _round(a.kappa), "kappa_low": _round(a.low),
                       "kappa_high": _round(a.high), "n": a.n, "sheet": file_name}
            old = rubrics.get(rubric_id, {}).get(cid, {})
            if {k: v for k, v in old.items() if k != "read_at"} != figures:
                rubrics.setdefault(rubric_id, {})[cid] = {**figures, "read_at": at}
        if read_json(path) != data:
            write_json(path, data)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


__all__ = ["Agreement", "agreement", "choose", "graded_answers", "keep_overrides",
           "moderated_points", "read", "sample"]
