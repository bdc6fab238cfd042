"""A learning platform's zip of submissions into a cohort, and the grades back out.

Moodle's "Download all submissions" gives a zip with one folder per trainee, named
``Full Name_12345_assignsubmission_file_`` (12345 is the trainee's participant number), and its
"Download grading worksheet" gives a CSV with ``Identifier``, ``Full name``, ``Email address``,
``Grade``, ``Maximum Grade`` and ``Feedback comments`` columns.

:func:`collect` imports the zip through nbgrader's own ``zip_collect`` (``ZipCollectApp``) with a
file-name collector that reads Moodle's folder names and a roster that maps platform names,
emails or participant numbers to trainee ids. Every file in the zip gets an outcome, so nothing
is dropped without a word; the zip itself is only read. :func:`export` fills in the worksheet's
Grade and Feedback comments from nbgrader's gradebook and leaves everything else as it was.

A roster is a CSV with a ``trainee`` column (the id nbgrader uses) and any of ``name``,
``email`` and ``participant``.
"""

from __future__ import annotations

import csv
import datetime
import html
import json
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from traitlets import Dict

from alongside.cohort.course import Cohort, CohortError, gradebook, nbgrader_config, open_cohort, use_environment_tools

MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<participant>\d+)_assign(submission|feedback)_(?P<kind>[a-z]+)_$")
FEEDBACK_LIMIT = 1000  # characters: Moodle's feedback comments are meant to be short

IMPORTED = "imported"
ALREADY = "already imported (same file), nothing new"
OLDER = "older copy; the newer copy in the zip was kept"
NOT_NOTEBOOK = "not a notebook"
NOT_JSON = "not valid JSON"
NOT_IN_ROSTER = "name not in the roster"
NOT_MOODLE = "not in a Moodle submission folder"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


@dataclass
class Roster:
    """Who is who: platform names, emails and participant numbers mapped to trainee ids."""

    by_name: dict[str, str] = field(default_factory=dict)
    by_email: dict[str, str] = field(default_factory=dict)
    by_participant: dict[str, str] = field(default_factory=dict)

    def match(self, name: str = "", email: str = "", participant: str = "") -> str | None:
        """The trainee id for a participant number, an email or a full name, tried in that order."""
        participant = re.sub(r"\D", "", participant or "")
        for key, table in ((participant, self.by_participant), (_squash(email), self.by_email), (_squash(name), self.by_name)):
            if key and key in table:
                return table[key]
        return None


def load_roster(path: str | Path) -> Roster:
    """Read a roster CSV (columns: trainee, and any of name, email, participant)."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as err:
        raise CohortError(f"cannot read the roster {path}: {err}") from None
    if not rows or "trainee" not in rows[0]:
        raise CohortError(f"the roster {path} needs a 'trainee' column (and name, email or participant)")
    roster = Roster()
    for row in rows:
        trainee = (row.get("trainee") or "").strip()
        if not trainee:
            continue
        if not re.fullmatch(r"[A-Za-z0-9_.@-]+", trainee):
            raise CohortError(f"roster: trainee id {trainee!r} may use only letters, digits and _ . @ -")
        if row.get("name"):
            roster.by_name[_squash(row["name"])] = trainee
        if row.get("email"):
            roster.by_email[_squash(row["email"])] = trainee
        if row.get("participant"):
            roster.by_participant[re.sub(r"\D", "", row["participant"])] = trainee
    return roster


@dataclass
class Collected:
    """What happened to each file in the zip: ``outcomes`` is a list of (file, outcome, trainee)."""

    exercise: str
    outcomes: list[tuple[str, str, str]] = field(default_factory=list)

    def counts(self) -> Counter:
        """How many files had each outcome."""
        return Counter(outcome for _name, outcome, _trainee in self.outcomes)

    def summary(self) -> str:
        """A printable account of every file in the zip."""
        lines = [f"Exercise {self.exercise}: {len(self.outcomes)} files in the zip."]
        for outcome, count in sorted(self.counts().items()):
            lines.append(f"  {count:4d}  {outcome}")
        for name, outcome, trainee in self.outcomes:
            who = f" -> {trainee}" if trainee else ""
            lines.append(f"  {name}{who}: {outcome}")
        return "\n".join(lines)


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


def _plan(archive: zipfile.ZipFile, cohort: Cohort, roster: Roster, exercise: str) -> tuple[dict, list]:
    """Decide every file's fate before nbgrader sees the zip: (files to import, outcomes)."""
    outcomes, groups = [], {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        parts = PurePosixPath(info.filename).parts
        folder = MOODLE_FOLDER.match(parts[0]) if len(parts) > 1 else None
        if not folder:
            outcomes.append((info.filename, NOT_MOODLE, ""))
            continue
        if not info.filename.endswith(".ipynb"):
            outcomes.append((info.filename, NOT_NOTEBOOK, ""))
            continue
        try:
            json.loads(archive.read(info).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            outcomes.append((info.filename, NOT_JSON, ""))
            continue
        trainee = roster.match(name=folder["name"], participant=folder["participant"])
        if not trainee:
            outcomes.append((info.filename, NOT_IN_ROSTER, ""))
            continue
        groups.setdefault((trainee, PurePosixPath(info.filename).name), []).append(info)
    plan = {}
    for (trainee, notebook), infos in groups.items():
        infos.sort(key=lambda i: i.date_time)
        newest = infos[-1]
        outcomes.extend((older.filename, OLDER, trainee) for older in infos[:-1])
        target = cohort.submission(trainee, exercise) / notebook
        if target.is_file() and target.read_bytes() == archive.read(newest):
            outcomes.append((newest.filename, ALREADY, trainee))
            continue
        stamp = datetime.datetime(*newest.date_time).isoformat(" ")
        plan[newest.filename] = {"student_id": trainee, "file_id": notebook, "timestamp": stamp}
        outcomes.append((newest.filename, IMPORTED, trainee))
    return plan, outcomes


def _collector_class():
    from nbgrader.plugins import FileNameCollectorPlugin

    class MoodleCollector(FileNameCollectorPlugin):
        """nbgrader collector for a Moodle zip: files are matched to trainees by the plan made in
        :func:`collect` (member name -> trainee id, notebook and timestamp); others are skipped."""

        plan = Dict(help="zip member name -> {student_id, file_id, timestamp}").tag(config=True)

        def collect(self, submitted_file: str):
            extracted = Path(submitted_file)
            for member, info in self.plan.items():
                if extracted.as_posix().endswith("/" + member):
                    return dict(info)
            return None

    return MoodleCollector


def collect(zip_path: str | Path, cohort_dir: str | Path, roster_path: str | Path, exercise: str | None = None) -> Collected:
    """Import a Moodle zip of submissions into the cohort with nbgrader's zip_collect."""
    cohort = open_cohort(cohort_dir)
    roster = load_roster(roster_path)
    zip_path = Path(zip_path)
    if not zipfile.is_zipfile(zip_path):
        raise CohortError(f"{zip_path} is not a zip file")
    with zipfile.ZipFile(zip_path) as archive:
        exercise = _choose_exercise(cohort, [i.filename for i in archive.infolist()], exercise)
        plan, outcomes = _plan(archive, cohort, roster, exercise)
    result = Collected(exercise, sorted(outcomes))
    if plan:
        _run_zip_collect(cohort, zip_path, exercise, plan)
        missing = [m for m, info in plan.items()
                   if not (cohort.submission(info["student_id"], exercise) / info["file_id"]).is_file()]
        if missing:
            raise CohortError(f"nbgrader did not import {len(missing)} planned files: {', '.join(missing)}")
    return result


def _run_zip_collect(cohort: Cohort, zip_path: Path, exercise: str, plan: dict) -> None:
    from nbgrader.apps import ZipCollectApp

    use_environment_tools()
    downloaded = cohort.root / "downloaded" / exercise
    archive_dir = downloaded / "archive"
    if archive_dir.exists():
        shutil.rmtree(archive_dir)
    archive_dir.mkdir(parents=True)
    shutil.copy2(zip_path, archive_dir / zip_path.name)  # a copy: the trainer's zip is only read
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


@dataclass
class Exported:
    """What the export did: rows filled in, and rows it could not match (their identifiers)."""

    filled: int
    unmatched: list[str]
    no_grade: list[str]

    def summary(self) -> str:
        """A printable account of the export."""
        lines = [f"Filled in {self.filled} rows."]
        if self.no_grade:
            lines.append(f"Matched but not graded yet ({len(self.no_grade)}): {', '.join(self.no_grade)}")
        if self.unmatched:
            lines.append(f"Could not match ({len(self.unmatched)}): {', '.join(self.unmatched)}")
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


def export(cohort_dir: str | Path, worksheet: str | Path, out: str | Path, exercise: str | None = None,
           roster_path: str | Path | None = None) -> Exported:
    """Fill a Moodle grading worksheet's Grade and Feedback comments from the gradebook."""
    cohort = open_cohort(cohort_dir)
    roster = load_roster(roster_path) if roster_path else Roster()
    worksheet, out = Path(worksheet), Path(out)
    try:
        with worksheet.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            rows = list(reader)
    except (OSError, UnicodeDecodeError, StopIteration) as err:
        raise CohortError(f"cannot read the worksheet {worksheet}: {err or 'it is empty'}") from None
    column = {name.strip(): i for i, name in enumerate(header)}
    for needed in ("Identifier", "Grade", "Feedback comments"):
        if needed not in column:
            raise CohortError(f"the worksheet has no '{needed}' column; is it Moodle's grading worksheet?")
    with gradebook(cohort) as gb:
        exercises = sorted(a.name for a in gb.assignments)
        if exercise is None:
            if len(exercises) != 1:
                raise CohortError(f"say which exercise with --exercise (the gradebook has: {', '.join(exercises)})")
            exercise = exercises[0]
        elif exercise not in exercises:
            raise CohortError(f"the gradebook has no exercise {exercise!r}")
        known = {s.id for s in gb.students}
        filled, unmatched, no_grade = 0, [], []
        for row in rows:
            row += [""] * (len(header) - len(row))
            cell = lambda name: row[column[name]] if name in column else ""  # noqa: E731
            identifier = cell("Identifier")
            trainee = roster.match(name=cell("Full name"), email=cell("Email address"), participant=identifier)
            if trainee is None or trainee not in known:
                unmatched.append(identifier or cell("Full name") or "(blank row)")
                continue
            try:
                submission = gb.find_submission(exercise, trainee)
            except Exception:  # nbgrader raises MissingEntry when there is no graded submission
                no_grade.append(identifier)
                continue
            top = _number(cell("Maximum Grade")) or submission.max_score
            grade = submission.score / submission.max_score * top if submission.max_score else 0.0
            row[column["Grade"]] = f"{grade:.2f}"
            row[column["Feedback comments"]] = feedback_comment(
                submission.score, submission.max_score, _missed_criteria(gb, exercise, trainee)
            )
            filled += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return Exported(filled, unmatched, no_grade)


def _number(text: str) -> float:
    try:
        return float(str(text).replace(",", "."))
    except ValueError:
        return 0.0
