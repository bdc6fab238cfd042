"""A synthetic cohort for trying out cohort grading: ``alongside cohort demo --trainees N --out DIR``.

DIR becomes a standard nbgrader course folder: its own nbgrader_config.py, the course's exercises
(copied from solutions/, with the trainer's answer-keys.yaml beside them, and released by nbgrader's own generate_assignment, which also fills the
gradebook), a due date per exercise, the trainees in the gradebook, and
``submitted/<trainee>/<exercise>/`` with a realistic mix of work. Stock nbgrader commands work there.

Each trainee has a usual standard (strong, good, patchy, weak or blank); on top of that some
submissions are late, missing, have broken code (an answer cell whose first line was deleted, so
it would run as Python in a kernel; the grader still reads its text), have a cell deleted or
duplicated, are not a readable notebook at all, or hold a reflection with harmful wording, with
what looks like a real family's details, or with markup. Every trainee but a blank one signs an exercise's "read and understood"
item with their own name (as in the gradebook) and the due date, as a real trainee would.
``DIR/demo-manifest.csv`` lists what each submission was made to be.
The first trainees cover every case, so even a small cohort has one of each.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import random
import re
import shutil
from pathlib import Path

import nbformat

from alongside import grading
from alongside.answer_text import cell_item, first_line, parse_answer, write_answer
from alongside.cohort.course import Cohort, CohortError, gradebook, open_cohort, serialise_gradebook, use_environment_tools
from alongside.cohort.record import CONFIRM_ITEM
from alongside.keys import FILE_NAME
from alongside.text import sentences, strip_stub


FIRST = ["Amara", "Bilal", "Carys", "Dmitri", "Eilidh", "Farah", "Gethin", "Halle", "Ifeoma", "Jonah",
         "Kasia", "Lowri", "Mehmet", "Niamh", "Oluwaseun", "Parveen", "Quentin", "Rhiannon", "Sunil", "Tamsin"]
LAST = ["Adeyemi", "Barker", "Chaudhry", "Doherty", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones",
        "Kowal", "Lindqvist", "Mensah", "Nowak", "Ossian", "Pryce", "Quinn", "Rahman", "Sato", "Thorne"]

# What a trainee's usual work looks like, with how common it is.
STANDARDS = {"strong": 0.3, "good": 0.25, "patchy": 0.2, "weak": 0.17, "blank": 0.08}
# Things that happen to single submissions, with how often.
MISHAPS = {"late": 0.08, "missing": 0.06, "broken_code": 0.03, "cell_deleted": 0.02, "cell_duplicated": 0.02,
           "unreadable": 0.01, "harmful": 0.03, "personal": 0.02, "markup": 0.02}
# The first trainees show every case: (standard, {exercise position: mishap}).
SHOWCASE = [
    ("strong", {}),
    ("blank", {}),
    ("weak", {0: "late", 1: "missing"}),
    ("good", {0: "broken_code", 1: "cell_deleted", 2: "cell_duplicated"}),
    ("strong", {0: "harmful", 1: "markup"}),
    ("patchy", {0: "personal", 1: "unreadable", 2: "late"}),
]

HARMFUL = ("Honestly I think the mum is in denial. I told her not to worry and that he will grow out of it, "
           "but they are a hard to reach family.")
PERSONAL = ("I met Mrs Kowalczyk about her son, born 03/04/2019. She lives at 14 Rowan Close and her number "
            "is 07700 900123, so I wrote it all down.")
MARKUP = "<script>alert(1)</script> <b>Bold claim</b> "

DUE = dt.datetime(2026, 1, 12, 17, 0, tzinfo=dt.timezone.utc)


def course_root() -> Path:
    """The Alongside project folder this package comes from (it holds solutions/)."""
    return Path(__file__).resolve().parents[3]


def course_exercises(course: Path) -> list[str]:
    """Exercises in a course's solutions/ folder (named like 02-words) that have a spec to mark them."""
    folder = course / "solutions"
    found = sorted(p.name for p in folder.iterdir() if p.is_dir() and re.match(r"\d\d-", p.name)) if folder.is_dir() else []
    return [ex for ex in found if _has_spec(ex)]


def _has_spec(exercise_id: str) -> bool:
    try:
        grading.exercise(exercise_id)
        return True
    except Exception:
        return False


def make_demo(out: str | Path, trainees: int, seed: int = 0, course: Path | None = None,
              exercises: list[str] | None = None) -> Cohort:
    """Make a demo cohort of ``trainees`` in folder ``out`` (new or empty); return it."""
    if trainees < 1:
        raise CohortError("a demo cohort needs at least one trainee (--trainees 1 or more)")
    out = Path(out).expanduser().resolve()
    if out.exists() and any(out.iterdir()):
        raise CohortError(f"{out} is not empty; pick a new folder for the demo cohort")
    course = course or course_root()
    chosen = exercises or course_exercises(course)
    if not chosen:
        raise CohortError(f"no exercises found in {course / 'solutions'}")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(course / "nbgrader_config.py", out / "nbgrader_config.py")
    cohort = open_cohort(out)
    for ex in chosen:
        shutil.copytree(course / "solutions" / ex, cohort.source / ex,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if (course / FILE_NAME).is_file():  # the trainer's answer key goes with the solutions
        shutil.copy(course / FILE_NAME, out / FILE_NAME)
    _release(cohort, chosen)
    rng = random.Random(seed)
    people = _names(trainees, rng)
    manifest = []
    with gradebook(cohort) as gb:
        for i, ex in enumerate(chosen):
            gb.update_or_create_assignment(ex, duedate=(DUE + dt.timedelta(weeks=i)).replace(tzinfo=None))
        for trainee, first, last in people:
            gb.update_or_create_student(trainee, first_name=first, last_name=last)
    for n, (trainee, first, last) in enumerate(people):
        standard, mishaps = _plan(n, chosen, rng)
        for i, ex in enumerate(chosen):
            mishap = mishaps.get(ex)
            if mishap != "missing":
                _submit(cohort, trainee, f"{first} {last}", ex, i, standard, mishap, rng)
            manifest.append({"trainee": trainee, "exercise": ex, "standard": standard, "mishap": mishap or ""})
    with (out / "demo-manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["trainee", "exercise", "standard", "mishap"])
        writer.writeheader()
        writer.writerows(manifest)
    return cohort


def _release(cohort: Cohort, exercises: list[str]) -> None:
    """nbgrader's generate_assignment for each exercise: the release folder and the gradebook."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from alongside.cohort.course import nbgrader_config

    use_environment_tools()
    serialise_gradebook(cohort)
    config = nbgrader_config(cohort.root)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for ex in exercises:
        result = api.generate_assignment(ex)
        if not result["success"]:
            raise CohortError(f"nbgrader could not release {ex}: {result.get('error', '')[-500:]}")


def _names(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    pairs = [(first, last) for first in FIRST for last in LAST]
    rng.shuffle(pairs)
    people = []
    for k in range(count):
        first, last = pairs[k % len(pairs)]
        suffix = f"-{k // len(pairs) + 1}" if k >= len(pairs) else ""
        people.append((f"{first}-{last}{suffix}".lower(), first, last))
    return people


def _plan(n: int, exercises: list[str], rng: random.Random) -> tuple[str, dict[str, str]]:
    if n < len(SHOWCASE):
        standard, by_position = SHOWCASE[n]
        return standard, {exercises[p]: m for p, m in by_position.items() if p < len(exercises)}
    standard = rng.choices(list(STANDARDS), weights=list(STANDARDS.values()))[0]
    mishaps = {}
    for ex in exercises:
        roll, edge = rng.random(), 0.0
        for mishap, share in MISHAPS.items():
            edge += share
            if roll < edge:
                mishaps[ex] = mishap
                break
    return standard, mishaps


def _answer_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def _solution_source(source: str) -> str:
    return re.sub(r"(?m)^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", "", source)


def _submit(cohort: Cohort, trainee: str, name: str, ex: str, position: int, standard: str, mishap: str | None,
            rng: random.Random) -> None:
    release = nbformat.read(cohort.release / ex / f"{ex}.ipynb", as_version=4)
    solution = nbformat.read(cohort.source / ex / f"{ex}.ipynb", as_version=4)
    solved = {c.metadata.nbgrader["grade_id"]: c.source for c in _answer_cells(solution)}
    nb = copy.deepcopy(release)
    cells = _answer_cells(nb)
    for k, cell in enumerate(cells):
        answer = solved[cell.metadata.nbgrader["grade_id"]]
        if standard == "strong" or (standard == "good" and k != len(cells) - 1):
            cell.source = _solution_source(answer)
        elif standard == "patchy" and rng.random() < 0.5:
            cell.source = _solution_source(answer)
        elif standard in ("weak", "good"):
            cell.source = _weaken(answer, rng)
    due = DUE + dt.timedelta(weeks=position)
    if standard != "blank":
        _sign(cells, ex, name, due)
    if mishap in ("harmful", "personal", "markup"):
        _write_into_reflection(nb, solved, ex, mishap)
    elif mishap == "broken_code":  # the answer cell's first line deleted: in a kernel the rest would run as Python
        cells[0].source = cells[0].source.partition("\n")[2] or "checking my answer ("
    elif mishap == "cell_deleted":
        nb.cells.remove(cells[-1])
    elif mishap == "cell_duplicated":
        twin = copy.deepcopy(cells[0])
        if "id" in twin:
            twin["id"] = f"{rng.getrandbits(32):08x}"  # Jupyter gives a pasted cell a new id, keeping its metadata
        nb.cells.insert(nb.cells.index(cells[0]) + 1, twin)
    folder = cohort.submission(trainee, ex)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ex}.ipynb"
    if mishap == "unreadable":
        text = json.dumps(nb)
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    else:
        nbformat.write(nb, path)
    hours = rng.uniform(2, 96) if mishap == "late" else -rng.uniform(1, 120)
    stamp = due + dt.timedelta(hours=hours)
    (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")


def _sign(cells: list, ex: str, name: str, due: dt.datetime) -> None:
    """Sign the exercise's "read and understood" item, if it has one, with the trainee's name and the due date."""
    for cell in cells:
        if cell_item(cell.source) == (ex, CONFIRM_ITEM):
            value = {"name": name, "date": f"{due.day} {due:%B %Y}"}
            cell.source = f"{first_line(ex, CONFIRM_ITEM)}\n{write_answer(ex, CONFIRM_ITEM, value)}"


def _weaken(solution_source: str, rng: random.Random) -> str:
    """A weak attempt: the model answer's labels often wrong and its texts cut to a first sentence."""
    exercise, item = cell_item(solution_source)
    value = parse_answer(exercise, item, solution_source)
    labels = sorted({v for v in _leaves(value) if isinstance(v, str) and 0 < len(v.split()) <= 3})
    return f"{first_line(exercise, item)}\n{write_answer(exercise, item, _weak_value(value, labels, rng))}"


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _weak_value(value, labels: list[str], rng: random.Random):
    if isinstance(value, dict):
        return {k: _weak_value(v, labels, rng) for k, v in value.items()}
    if isinstance(value, list):
        return [_weak_value(v, labels, rng) for v in value]
    if isinstance(value, str):
        text = strip_stub(value)
        if len(text.split()) <= 3:
            return rng.choice(labels) if labels and rng.random() < 0.6 else text
        first = sentences(text)
        return first[0] if first else text
    return value


def _write_into_reflection(nb, solved: dict, ex: str, mishap: str) -> None:
    """Put harmful wording, a real-looking family's details or markup into the first written answer."""
    rubric_items = [i["id"] for i in grading.exercise(ex)["items"] if i["kind"] == "rubric"]
    extra = {"harmful": HARMFUL, "personal": PERSONAL, "markup": MARKUP}[mishap]
    for item in rubric_items:
        for cell in _answer_cells(nb):
            model = _solution_source(solved[cell.metadata.nbgrader["grade_id"]])
            if cell_item(model) != (ex, item):
                continue
            value = parse_answer(ex, item, model)
            if isinstance(value, str):
                value = f"{extra}\n{value}"
            else:
                key = next(iter(value))
                value = {**value, key: f"{extra} {value[key]}"}
            cell.source = f"{first_line(ex, item)}\n{write_answer(ex, item, value)}"
            return
