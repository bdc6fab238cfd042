"""A learning platform's zip of submissions into a cohort, and the grades back out.

Moodle's "Download all submissions" gives a zip with one folder per trainee, named
``Full Name_12345_assignsubmission_file_`` (12345 is the trainee's participant number), and its
"Download grading worksheet" gives a CSV with ``Identifier``, ``Full name``, ``Email address``,
``Grade``, ``Maximum Grade`` and ``Feedback comments`` columns.

:func:`collect` imports the zip through nbgrader's own ``zip_collect`` (``ZipCollectApp``) and
accounts for every file, each summary row saying where that file is on disk, if anywhere:

- a file counts only for the trainee whose Moodle folder it is in. An archive there (.zip, .tar,
  .tar.gz) is unpacked in memory into that trainee's submission only, whatever folder names it
  holds; one that cannot be opened is one "could not open" line, and the rest is still imported;
- two copies of a notebook for one trainee (two files, or one name twice in the zip) are both
  kept: the newer is imported, the other kept aside in ``downloaded/EXERCISE/kept/``; so is an
  earlier submission that a new one replaces. Nothing is overwritten;
- the limits of :mod:`alongside.cohort.unpack` (size, file count, nesting depth) give one line
  each; an archive over a limit is left out whole, never half unpacked;
- two Moodle folders that the roster gives the same trainee are both left out, with a line,
  rather than one being taken for the other.

A roster is a CSV with a ``trainee`` column (the id nbgrader uses, see
:data:`alongside.cohort.course.TRAINEE_ID_RULE`) and any of ``name``, ``email`` and
``participant``. A roster that names a trainee, participant number or email twice is refused
with a line naming both rows; so is a name given twice, unless both rows have a participant
number (which then tells them apart). The zip itself is only read.

:func:`export` fills in the worksheet's Grade and Feedback comments from nbgrader's gradebook and
leaves every other cell as it was, except that a cell a spreadsheet would run as a formula gets a
leading quote (:func:`alongside.cohort.report.safe_cell`). A missing or non-numeric grade is left
empty and reported, and so are two worksheet rows that match one trainee. With ``pseudonymise`` it
writes a copy to share rather than to upload: each matched trainee under their pseudonym (the one
the reports use), only the columns in :data:`SHAREABLE`, and no row that matched no one; its
summary names rows by number and trainees by pseudonym.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import html
import io
import json
import math
import os
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from traitlets import Dict

from alongside.cohort.course import (TRAINEE_ID_RULE, Cohort, CohortError, gradebook, gradebook_lock, is_trainee_id,
                                     nbgrader_config, open_cohort, use_environment_tools)
from alongside.cohort.report import _write, pseudonym, safe_cell
from alongside.cohort.unpack import (MAX_DEPTH, TOO_DEEP, Budget, CannotOpen, Member, OverLimit,
                                     is_archive, open_archive, zip_members)

MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<participant>\d+)_assign(submission|feedback)_(?P<kind>[a-z]+)_$")
# The worksheet columns a pseudonymised export keeps: none names a trainee or holds their writing.
SHAREABLE = ("Status", "Grade", "Maximum Grade", "Grade can be changed", "Last modified (submission)",
             "Last modified (grade)", "Feedback comments")
FEEDBACK_LIMIT = 1000  # characters: Moodle's feedback comments are meant to be short
KEPT = "kept"  # downloaded/EXERCISE/kept/TRAINEE/...: copies not imported, and replaced submissions

IMPORTED = "imported"
ALREADY = "already imported (same file), nothing new"
OLDER = "older copy: the newer one was imported, this one is kept aside"
SAME_TIME = "a copy with the same time: the later one in the zip was imported, this one is kept aside"
EARLIER = "earlier submission, replaced by the new one: kept aside"
UNPACKED = "archive: unpacked, its files are listed under its name"
CANNOT_OPEN = "could not open"
NOT_NOTEBOOK = "not a notebook"
NOT_EXERCISE = "a notebook, but not one of this exercise's"
NOT_JSON = "not valid JSON"
NOT_IN_ROSTER = "name not in the roster"
SAME_TRAINEE = "two Moodle folders match this trainee in the roster: neither is imported"
NOT_MOODLE = "not in a Moodle submission folder"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


@dataclass
class Roster:
    """Who is who: platform names, emails and participant numbers mapped to trainee ids."""

    by_name: dict[str, str] = field(default_factory=dict)
    by_email: dict[str, str] = field(default_factory=dict)
    by_participant: dict[str, str] = field(default_factory=dict)

    def match(self, name: str = "", email: str = "", participant: str = "") -> str | None:
        """The trainee id for a participant number, an email or a full name, tried in that order."""
        for key, table in ((_digits(participant), self.by_participant), (_squash(email), self.by_email),
                           (_squash(name), self.by_name)):
            if key and key in table:
                return table[key]
        return None


def _read_csv(path: Path, what: str) -> list[list[str]]:
    """Every row of a CSV file; CohortError with one line when it cannot be read."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise CohortError(f"cannot read the {what} {path}: {err}") from None


def load_roster(path: str | Path) -> Roster:
    """Read a roster CSV (columns: trainee, and any of name, email, participant); refuse ids and duplicates
    that would put one trainee's work under another's name, with a line naming the rows."""
    path = Path(path)
    rows = _read_csv(path, "roster")
    header = [cell.strip() for cell in rows[0]] if rows else []
    if "trainee" not in header:
        raise CohortError(f"the roster {path} needs a 'trainee' column (and name, email or participant)")
    roster, seen, names = Roster(), {}, {}
    for line, cells in enumerate(rows[1:], start=2):
        row = {column: cell.strip() for column, cell in zip(header, cells)}
        trainee = row.get("trainee", "")
        if not trainee:
            continue
        if not is_trainee_id(trainee):
            raise CohortError(f"roster row {line}: trainee id {trainee!r} is not allowed; use {TRAINEE_ID_RULE}")
        keys = {"trainee id": trainee.casefold(), "participant number": _digits(row.get("participant", "")),
                "email": _squash(row.get("email", ""))}
        for what, key in keys.items():
            if key and (what, key) in seen:
                first, other = seen[what, key]
                raise CohortError(f"roster rows {first} and {line} ({other}, {trainee}) have the same {what} "
                                  f"{key!r}: give each trainee one row of their own")
            seen[what, key] = (line, trainee)
        if keys["participant number"]:
            roster.by_participant[keys["participant number"]] = trainee
        if keys["email"]:
            roster.by_email[keys["email"]] = trainee
        name = _squash(row.get("name", ""))
        if name:
            names.setdefault(name, []).append((line, trainee, bool(keys["participant number"])))
    for name, entries in names.items():
        if len(entries) == 1:
            roster.by_name[name] = entries[0][1]
        elif not all(numbered for _line, _trainee, numbered in entries):
            (first, one, _), (line, other, _) = entries[:2]
            raise CohortError(f"roster rows {first} and {line} ({one}, {other}) have the same name {name!r}: "
                              "give both their participant numbers, so their work is never mixed up")
    return roster


class Row(NamedTuple):
    """One file's outcome: the file (in the zip, or an earlier submission's), the trainee, and where it
    is on disk now (``path``, relative to the cohort folder; empty when collect wrote nothing for it)."""

    file: str
    outcome: str
    trainee: str = ""
    path: str = ""
    note: str = ""


@dataclass
class Collected:
    """What happened to each file in the zip (and to each earlier submission's file it replaced)."""

    exercise: str
    outcomes: list[Row] = field(default_factory=list)

    def counts(self) -> Counter:
        """How many files had each outcome."""
        return Counter(row.outcome for row in self.outcomes)

    def summary(self) -> str:
        """A printable account of every file in the zip, and where each one is now."""
        earlier = self.counts()[EARLIER]
        head = f"Exercise {self.exercise}: {len(self.outcomes) - earlier} files in the zip."
        if earlier:
            head += f" {earlier} files of earlier submissions kept aside."
        lines = [head]
        for outcome, count in sorted(self.counts().items()):
            lines.append(f"  {count:4d}  {outcome}")
        for row in self.outcomes:
            who = f" -> {row.trainee}" if row.trainee else ""
            note = f" ({_printable(row.note)})" if row.note else ""
            where = f" [{row.path}]" if row.path else ""
            lines.append(f"  {_printable(row.file)}{who}: {row.outcome}{note}{where}")
        return "\n".join(lines)


def _printable(text: str) -> str:
    """A name from the zip on one line: a newline or other control character in it is shown escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _released_notebooks(cohort: Cohort) -> dict[str, str]:
    """Released notebook file name -> exercise id."""
    found = {}
    if cohort.release.is_dir():
        for notebook in sorted(cohort.release.glob("*/*.ipynb")):
            found[notebook.name] = notebook.parent.name
    return found


def _choose_exercise(cohort: Cohort, names: list[str], exercise: str | None) -> str:
    released = _released_notebooks(cohort)
    if exercise:
        if exercise not in set(released.values()):
            raise CohortError(f"no released exercise {exercise!r} in {cohort.release}")
        return exercise
    seen = {released[PurePosixPath(n).name] for n in names if PurePosixPath(n).name in released}
    if len(seen) != 1:
        which = ", ".join(sorted(seen)) or "none"
        raise CohortError(f"cannot tell which exercise the zip is for (found: {which}); say it with --exercise")
    return seen.pop()


@dataclass
class _Found:
    """A readable notebook of the exercise, found for a trainee."""

    label: str
    trainee: str
    notebook: str
    data: bytes
    when: datetime.datetime | None
    order: int


@dataclass
class _Walk:
    """One pass over a download: the rows so far, the notebooks found, and what is left of the limits."""

    notebooks: set[str]
    rows: list[Row] = field(default_factory=list)
    found: list[_Found] = field(default_factory=list)
    budget: Budget = field(default_factory=Budget)

    def visit(self, member: Member, label: str, trainee: str, depth: int) -> None:
        """Give one of a trainee's files its outcome; an archive's files follow it."""
        if member.read is None or not (member.base.endswith(".ipynb") or is_archive(member.base)):
            self.rows.append(Row(label, NOT_NOTEBOOK, trainee))
        elif member.base.endswith(".ipynb") and member.base not in self.notebooks:
            self.rows.append(Row(label, NOT_EXERCISE, trainee, note="expected " + ", ".join(sorted(self.notebooks))))
        elif member.base.endswith(".ipynb"):
            self._notebook(member, label, trainee)
        elif depth >= MAX_DEPTH:
            self.rows.append(Row(label, TOO_DEEP, trainee, note=f"more than {MAX_DEPTH} levels (MAX_DEPTH)"))
        elif depth > 1:
            self._unpack(member, label, trainee, depth)
        else:  # an archive in the trainee's own folder: all of it, or one line
            checkpoint, rows, found = self.budget.checkpoint(), len(self.rows), len(self.found)
            try:
                self._unpack(member, label, trainee, depth)
            except OverLimit as over:
                self.budget.restore(checkpoint)
                del self.rows[rows:], self.found[found:]
                self.rows.append(Row(label, over.outcome, trainee, note=over.note))

    def _notebook(self, member: Member, label: str, trainee: str) -> None:
        self.budget.take(member.size)
        try:
            data = member.read()
            json.loads(data.decode("utf-8"))
        except CannotOpen as err:
            self.rows.append(Row(label, CANNOT_OPEN, trainee, note=str(err)))
        except ValueError:
            self.rows.append(Row(label, NOT_JSON, trainee))
        else:
            self.found.append(_Found(label, trainee, member.base, data, member.when, len(self.found)))

    def _unpack(self, member: Member, label: str, trainee: str, depth: int) -> None:
        self.budget.take(member.size)
        try:
            members = open_archive(member.base, member.read(), self.budget)
        except CannotOpen as err:
            self.rows.append(Row(label, CANNOT_OPEN, trainee, note=str(err)))
            return
        self.rows.append(Row(label, UNPACKED, trainee))
        for inner in members:
            self.visit(inner, f"{label}!/{inner.label}", trainee, depth + 1)


def _folder_of(name: str):
    parts = PurePosixPath(name).parts
    return MOODLE_FOLDER.match(parts[0]) if len(parts) > 1 else None


def _walk(members: list[Member], roster: Roster, notebooks: set[str]) -> _Walk:
    """Every file of the download with its outcome, and the readable notebooks found for each trainee."""
    walk = _Walk(notebooks)
    try:
        walk.budget.take(nfiles=len(members))
    except OverLimit as over:
        raise CohortError(f"the zip holds {len(members)} files: {over.note}; download the submissions in smaller groups") from None
    owners, folders = {}, {}
    for member in members:
        folder = _folder_of(member.name)
        if folder:
            owners[member.label] = trainee = roster.match(name=folder["name"], participant=folder["participant"])
            folders.setdefault(trainee, set()).add((_squash(folder["name"]), folder["participant"]))
    for member in members:
        trainee = owners.get(member.label, "")
        if not _folder_of(member.name):
            walk.rows.append(Row(member.label, NOT_MOODLE))
        elif trainee is None:
            walk.rows.append(Row(member.label, NOT_IN_ROSTER))
        elif len(folders[trainee]) > 1:
            numbers = ", ".join(sorted(number for _name, number in folders[trainee]))
            walk.rows.append(Row(member.label, SAME_TRAINEE, trainee,
                                 note=f"participants {numbers}; give the roster their participant numbers"))
        else:
            try:
                walk.visit(member, member.label, trainee, 1)
            except OverLimit as over:
                walk.rows.append(Row(member.label, over.outcome, trainee, note=over.note))
    return walk


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def _decide(cohort: Cohort, exercise: str, walk: _Walk) -> tuple[dict, list[tuple[Row, bytes]]]:
    """What to import, (trainee, notebook) -> _Found, and every row that names a file on disk, with its bytes."""
    kept = Path("downloaded") / exercise / KEPT
    groups: dict[tuple[str, str], list[_Found]] = {}
    for found in walk.found:
        groups.setdefault((found.trainee, found.notebook), []).append(found)
    chosen, placed = {}, []
    for key, copies in groups.items():
        copies.sort(key=lambda f: (f.when or datetime.datetime.min, f.order))
        newest = chosen[key] = copies[-1]
        for other in copies[:-1]:
            where = kept / other.trainee / _digest(other.data) / other.notebook
            placed.append((Row(other.label, OLDER if other.when != newest.when else SAME_TIME, other.trainee,
                               where.as_posix()), other.data))
    imports = {}
    for trainee in sorted({t for t, _n in chosen}):
        mine = {notebook: f for (t, notebook), f in chosen.items() if t == trainee}
        folder = cohort.submission(trainee, exercise)
        same = all(_bytes(folder / n) == f.data for n, f in mine.items())
        shown = Path(os.path.relpath(folder, cohort.root))  # as the summary shows it, from the cohort folder
        placed += [(Row(f.label, ALREADY if same else IMPORTED, trainee, (shown / n).as_posix()), f.data)
                   for n, f in mine.items()]
        if same:
            continue
        imports.update({(trainee, n): f for n, f in mine.items()})
        earlier = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} \
            if folder.is_dir() else {}
        stamp = _digest(*(name.encode() + b"\0" + data for name, data in earlier.items()))
        placed += [(Row((shown / name).as_posix(), EARLIER, trainee, (kept / trainee / f"earlier-{stamp}" / name).as_posix()),
                    data) for name, data in earlier.items()]
    return imports, placed


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _keep(path: Path, data: bytes) -> None:
    """Write a copy kept aside; its folder is named by its content, so one already there is the same file."""
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def collect(zip_path: str | Path, cohort_dir: str | Path, roster_path: str | Path, exercise: str | None = None) -> Collected:
    """Import a Moodle zip of submissions into the cohort with nbgrader's zip_collect, accounting for every file."""
    cohort = open_cohort(cohort_dir)
    roster = load_roster(roster_path)
    zip_path = Path(zip_path)
    if not zipfile.is_zipfile(zip_path):
        raise CohortError(f"{zip_path} is not a zip file")
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = zip_members(archive)
            exercise = _choose_exercise(cohort, [m.name for m in members], exercise)
            notebooks = {name for name, ex in _released_notebooks(cohort).items() if ex == exercise}
            walk = _walk(members, roster, notebooks)
    except (zipfile.BadZipFile, OSError) as err:
        raise CohortError(f"cannot read the zip {zip_path}: {err}") from None
    with gradebook_lock(cohort):  # one collect or grade at a time writes into the cohort
        imports, placed = _decide(cohort, exercise, walk)
        for row, data in placed:
            if row.outcome in (OLDER, SAME_TIME, EARLIER):
                _keep(cohort.root / row.path, data)
        if imports:
            _run_zip_collect(cohort, exercise, imports)
        wrong = [row.path for row, data in placed if _bytes(cohort.root / row.path) != data]
    if wrong:
        raise CohortError(f"{len(wrong)} files are not on disk as the summary says: {', '.join(wrong)}")
    return Collected(exercise, sorted(walk.rows + [row for row, _data in placed]))


def _collector_class():
    from nbgrader.plugins import FileNameCollectorPlugin

    class MoodleCollector(FileNameCollectorPlugin):
        """nbgrader collector for the notebooks :func:`collect` chose: each is staged as TRAINEE/NOTEBOOK,
        and the plan gives its student_id, file_id and timestamp; nothing else is collected."""

        plan = Dict(help="TRAINEE/NOTEBOOK -> {student_id, file_id, timestamp}").tag(config=True)

        def collect(self, submitted_file: str):
            info = self.plan.get("/".join(Path(submitted_file).parts[-2:]))
            return dict(info) if info else None

    return MoodleCollector


def _run_zip_collect(cohort: Cohort, exercise: str, imports: dict) -> None:
    """Stage the chosen notebooks as plain files in nbgrader's archive folder and run its zip_collect."""
    from nbgrader.apps import ZipCollectApp

    use_environment_tools()
    downloaded = cohort.root / "downloaded" / exercise
    staged = {"archive": downloaded / "archive", "extracted": downloaded / "extracted"}
    for folder in staged.values():
        if folder.exists():
            shutil.rmtree(folder)
    plan = {}
    for (trainee, notebook), found in imports.items():
        target = staged["archive"] / trainee / notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(found.data)
        plan[f"{trainee}/{notebook}"] = {"student_id": trainee, "file_id": notebook,
                                         **({"timestamp": found.when.isoformat(" ")} if found.when else {})}
    config = nbgrader_config(cohort.root)
    config.CourseDirectory.assignment_id = exercise
    config.ZipCollectApp.collector_plugin = _collector_class()
    config.ZipCollectApp.force = True
    config.ZipCollectApp.strict = True
    config.MoodleCollector.plan = plan
    config.ZipCollectApp.log_level = "WARN"  # the summary says what happened to each file
    app = ZipCollectApp(config=config)
    try:
        app.initialize([])
        app.start()
    except SystemExit as stop:
        raise CohortError(f"nbgrader zip_collect stopped (exit {stop.code}); see its messages above") from None
    finally:
        for folder in staged.values():  # working copies: the summary names where every file is
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Exported:
    """What the export did: rows filled in; rows it could not match, not graded yet, or left empty (and why)."""

    filled: int
    unmatched: list[str]
    no_grade: list[str]
    left_empty: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A printable account of the export."""
        lines = [f"Filled in {self.filled} rows."]
        if self.no_grade:
            lines.append(f"Matched but not graded yet ({len(self.no_grade)}): {', '.join(self.no_grade)}")
        if self.unmatched:
            lines.append(f"Could not match ({len(self.unmatched)}): {', '.join(self.unmatched)}")
        if self.left_empty:
            lines.append(f"Left empty ({len(self.left_empty)}): {'; '.join(self.left_empty)}")
        return "\n".join(lines)


def feedback_comment(score: float, max_score: float, missed: list[str]) -> str:
    """A short, plain, escaped comment for the platform: the score and what to revisit."""
    text = f"Autograded score: {score:g} of {max_score:g}."
    if missed:
        text += " To revisit: " + "; ".join(missed) + "."
    text += " Full feedback is in your feedback notebook."
    text = html.escape(re.sub(r"\s+", " ", text))
    return text if len(text) <= FEEDBACK_LIMIT else text[: FEEDBACK_LIMIT - 3] + "..."


def _missed_criteria(gb, exercise: str, trainee: str) -> list[str]:
    """Graded cells where the trainee earned less than full marks, by their grade id."""
    missed = []
    for notebook in gb.find_submission(exercise, trainee).notebooks:
        for grade in notebook.grades:
            if grade.max_score and (grade.score or 0) < grade.max_score and grade.auto_score is not None:
                missed.append(grade.name.replace("test_", "").replace("_", " "))
    return missed


def _positive(text) -> float | None:
    """A positive, finite number from a cell or the gradebook ("1,5" too); None for anything else ("nan", "-")."""
    try:
        number = float(str(text).strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


def export(cohort_dir: str | Path, worksheet: str | Path, out: str | Path, exercise: str | None = None,
           roster_path: str | Path | None = None, pseudonymise: bool = False) -> Exported:
    """Fill a Moodle grading worksheet's Grade and Feedback comments from the gradebook; every cell that
    would run as a spreadsheet formula gets a leading quote, and no grade is ever written as "nan".

    With ``pseudonymise`` the file written names no one (see the module's notes)."""
    cohort = open_cohort(cohort_dir)
    roster = load_roster(roster_path) if roster_path else Roster()
    worksheet, out = Path(worksheet), Path(out)
    table = _read_csv(worksheet, "worksheet")
    if not table:
        raise CohortError(f"cannot read the worksheet {worksheet}: it is empty")
    header, rows = table[0], table[1:]
    column = {name.strip(): i for i, name in enumerate(header)}
    for needed in ("Identifier", "Grade", "Feedback comments"):
        if needed not in column:
            raise CohortError(f"the worksheet has no '{needed}' column; is it Moodle's grading worksheet?")
    for row in rows:
        row += [""] * (len(header) - len(row))

    def cell(row: list[str], name: str) -> str:
        return row[column[name]] if name in column else ""

    def shown(line: int, row: list[str]) -> str:
        """How the summary names a worksheet row (``line`` is its line in the file)."""
        if pseudonymise:
            return f"row {line}"
        return cell(row, "Identifier") or cell(row, "Full name") or "(blank row)"

    def who(trainee: str) -> str:
        return pseudonym(cohort, trainee) if pseudonymise else trainee

    with gradebook(cohort) as gb:
        exercises = sorted(a.name for a in gb.assignments)
        if exercise is None:
            if len(exercises) != 1:
                raise CohortError(f"say which exercise with --exercise (the gradebook has: {', '.join(exercises)})")
            exercise = exercises[0]
        elif exercise not in exercises:
            raise CohortError(f"the gradebook has no exercise {exercise!r}")
        known = {s.id for s in gb.students}
        matched = [roster.match(name=cell(r, "Full name"), email=cell(r, "Email address"), participant=cell(r, "Identifier"))
                   for r in rows]
        rows_of = Counter(matched)
        filled, unmatched, no_grade, left_empty, written = 0, [], [], [], []
        for line, (row, trainee) in enumerate(zip(rows, matched), start=2):
            if trainee is None or trainee not in known:
                unmatched.append(shown(line, row))
                continue
            if rows_of[trainee] > 1:
                others = ", ".join(shown(n, r) for n, (r, t) in enumerate(zip(rows, matched), start=2) if t == trainee)
                left_empty.append(f"{shown(line, row)}: {rows_of[trainee]} rows ({others}) match trainee {who(trainee)}")
                continue
            written.append((who(trainee), row))
            try:
                submission = gb.find_submission(exercise, trainee)
            except Exception:  # nbgrader raises MissingEntry when there is no graded submission
                no_grade.append(shown(line, row))
                continue
            score, most = submission.score, _positive(submission.max_score)
            top = _positive(cell(row, "Maximum Grade")) if cell(row, "Maximum Grade").strip() else most
            if most is None or score is None or not math.isfinite(score):
                left_empty.append(f"{shown(line, row)}: the gradebook has no score for {who(trainee)} yet")
            elif top is None:
                left_empty.append(f"{shown(line, row)}: Maximum Grade {cell(row, 'Maximum Grade')!r} is not a positive number")
            else:
                row[column["Grade"]] = f"{score / most * top:.2f}"
                row[column["Feedback comments"]] = feedback_comment(score, most, _missed_criteria(gb, exercise, trainee))
                filled += 1
    if pseudonymise:
        kept = [column[name] for name in SHAREABLE if name in column]
        header = ["Pseudonym", *(header[i] for i in kept)]
        rows = [[shown_as, *(row[i] for i in kept)] for shown_as, row in sorted(written)]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write(out, text.getvalue())
    return Exported(filled, unmatched, no_grade, left_empty)
