"""A cohort folder: a standard nbgrader course directory, as nbgrader itself sees it.

Everything is read through nbgrader's own configuration (``DIR/nbgrader_config.py``), so the
folder names a trainer chose there are the ones used here.

The gradebook is SQLite (``DIR/gradebook.db``) or PostgreSQL (:func:`gradebook_url`). Runs take
turns at the cohort folder's own files (the ledger, the reports) under one ``fcntl`` lock on
``DIR/.alongside-grade.lock``. With SQLite every nbgrader gradebook session in every process takes
that lock too (:func:`serialise_gradebook`), so SQLite never sees two writers at once. A
PostgreSQL server keeps its writers apart itself, whichever pod they run in, so there sessions run
side by side; :func:`prepare_gradebook` makes the rows that nbgrader would otherwise race to
create (a course, a new trainee) before the workers start.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = ".alongside-grade.lock"
STATE_DIR = ".alongside"
# A gradebook elsewhere than the course folder's nbgrader_config.py says (a PostgreSQL server,
# say): `alongside cohort ... --db URL` sets this, and every process of the run reads it.
GRADEBOOK_URL = "ALONGSIDE_GRADEBOOK_URL"
# The one pattern a trainee id must have: it names a folder in submitted/, autograded/ and feedback/.
TRAINEE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
TRAINEE_ID_RULE = "1 to 64 letters, digits and _ . -, starting with a letter or digit, without '..'"


class CohortError(Exception):
    """A problem with the cohort folder a trainer named: shown as one line."""


@dataclass(frozen=True)
class Cohort:
    """Paths of one cohort folder, as its nbgrader_config.py sets them."""

    root: Path
    course_id: str
    source: Path
    release: Path
    submitted: Path
    autograded: Path
    feedback: Path
    db_url: str

    @property
    def reports(self) -> Path:
        """Where grades.csv, cohort.html and the completion records go."""
        return self.root / "reports"

    @property
    def state(self) -> Path:
        """Alongside's own bookkeeping (the grading ledger, claims, the pseudonym key)."""
        return self.root / STATE_DIR

    @property
    def models(self) -> Path:
        """The course's own learned models (``alongside train --course DIR``), used for its grading when present."""
        return models_folder(self.root)

    def submission(self, trainee: str, exercise: str) -> Path:
        """The folder of one trainee's submission of one exercise."""
        return self.submitted / trainee / exercise

    def graded(self, trainee: str, exercise: str) -> Path:
        """The folder nbgrader writes one autograded submission to."""
        return self.autograded / trainee / exercise


def models_folder(root: Path) -> Path:
    """Where a course folder keeps its own learned models."""
    return root / STATE_DIR / "models"


def is_trainee_id(text: str) -> bool:
    """Whether a text is safe as a trainee id (TRAINEE_ID_RULE): no hidden folder, no way out of submitted/."""
    return bool(TRAINEE_ID.fullmatch(text)) and ".." not in text


def nbgrader_config(root: Path):
    """nbgrader's configuration for a cohort folder (its nbgrader_config.py), rooted at the folder."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (root / "nbgrader_config.py").is_file():
        config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    if environment_gradebook():
        config.CourseDirectory.db_url = environment_gradebook()
    if "db_url" in config.CourseDirectory:
        config.CourseDirectory.db_url = gradebook_url(config.CourseDirectory.db_url)
    return config


def environment_gradebook() -> str | None:
    """The gradebook URL this process was given in $ALONGSIDE_GRADEBOOK_URL (by --db, or by a trainer's pod
    from a Kubernetes secret), ready for SQLAlchemy; None when there is none."""
    url = os.environ.get(GRADEBOOK_URL)
    return gradebook_url(url) if url else None


def gradebook_url(url: str) -> str:
    """A gradebook URL as SQLAlchemy should open it: a plain postgresql:// (or postgres://) means psycopg 3,
    the driver the course installs; any other URL, postgresql+psycopg2:// included, is kept as it is."""
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def is_sqlite(url: str) -> bool:
    """Whether a gradebook URL is an SQLite file (one writer at a time) rather than a database server."""
    return url.startswith("sqlite")


def use_gradebook(url: str) -> None:
    """Use the gradebook at a database URL (sqlite:///path, postgresql://user@host/db) for this run."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(gradebook_url(url))
    except ArgumentError:
        raise CohortError(f"--db {url!r} is not a database URL; examples: sqlite:////srv/alongside/gradebook.db, "
                          "postgresql://grader@db.example.org/alongside") from None
    try:
        parsed.get_dialect()
    except Exception as err:  # sqlalchemy raises several kinds for an unknown or missing driver
        raise CohortError(f"--db {url!r}: no database driver for {parsed.drivername!r} here ({err}); "
                          "for PostgreSQL, install psycopg[binary] (requirements.txt) into the course environment") from None
    os.environ[GRADEBOOK_URL] = gradebook_url(url)


def open_cohort(path: str | os.PathLike) -> Cohort:
    """The cohort in a folder; CohortError when it is not an nbgrader course folder."""
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise CohortError(f"{root} is not a folder; make a demo cohort with: alongside cohort demo --out {path}")
    if not (root / "nbgrader_config.py").is_file():
        raise CohortError(f"{root} has no nbgrader_config.py, so it is not an nbgrader course folder")
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=nbgrader_config(root))

    def folder(name: str) -> Path:
        return root / name

    return Cohort(
        root=root,
        course_id=coursedir.course_id or "default_course",
        source=folder(coursedir.source_directory),
        release=folder(coursedir.release_directory),
        submitted=folder(coursedir.submitted_directory),
        autograded=folder(coursedir.autograded_directory),
        feedback=folder(coursedir.feedback_directory),
        db_url=coursedir.db_url,
    )


def use_environment_tools() -> None:
    """Put this Python's bin folder first on PATH: nbgrader runs ``alembic`` by name."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


class FileLock:
    """An exclusive lock on a file, shared by processes (fcntl) and re-entrant within one process."""

    def __init__(self, path: Path):
        self.path = path
        self._depth = 0
        self._fd: int | None = None
        self._mutex = threading.RLock()

    def acquire(self) -> None:
        """Wait for the lock."""
        self._mutex.acquire()
        if self._depth == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                self._mutex.release()
                raise
            self._fd = fd
        self._depth += 1

    def release(self) -> None:
        """Let the lock go (the file lock itself when the outermost holder lets go)."""
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._mutex.release()

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


_LOCKS: dict[Path, FileLock] = {}


def gradebook_lock(cohort: Cohort) -> FileLock:
    """The lock on the cohort folder's own files, and with SQLite on every gradebook session (one object per process)."""
    path = cohort.root / LOCK_NAME
    return _LOCKS.setdefault(path, FileLock(path))


def serialise_gradebook(cohort: Cohort) -> None:
    """Make every nbgrader Gradebook session in this process hold the cohort's gradebook lock.

    nbgrader opens short gradebook sessions in many places (its converters and preprocessors).
    Wrapping ``Gradebook.__init__`` and ``Gradebook.close`` makes each of them wait for the lock,
    so parallel workers and a second trainer's run take turns at the database. Idempotent. A server
    gradebook (PostgreSQL) is left alone: it keeps concurrent writers apart itself.
    """
    from nbgrader.api import Gradebook

    if not is_sqlite(cohort.db_url):
        return
    lock = gradebook_lock(cohort)
    if getattr(Gradebook, "_alongside_lock", None) is lock:
        return
    plain_init = getattr(Gradebook, "_alongside_plain_init", Gradebook.__init__)
    plain_close = getattr(Gradebook, "_alongside_plain_close", Gradebook.close)

    def __init__(self, *args, **kwargs):
        lock.acquire()
        self._alongside_locked = True
        try:
            plain_init(self, *args, **kwargs)
        except BaseException:
            self._alongside_locked = False
            lock.release()
            raise

    def close(self):
        try:
            plain_close(self)
        finally:
            if getattr(self, "_alongside_locked", False):
                self._alongside_locked = False
                lock.release()

    Gradebook._alongside_plain_init = plain_init
    Gradebook._alongside_plain_close = plain_close
    Gradebook.__init__ = __init__
    Gradebook.close = close
    Gradebook._alongside_lock = lock


@contextlib.contextmanager
def gradebook(cohort: Cohort):
    """An nbgrader Gradebook for the cohort, held under the gradebook lock while open."""
    from nbgrader.api import Gradebook

    serialise_gradebook(cohort)
    with Gradebook(cohort.db_url, cohort.course_id) as gb:
        yield gb


def prepare_gradebook(cohort: Cohort, trainees: set[str]) -> None:
    """Make the rows nbgrader creates on first use, before parallel workers race to: the course rows
    (nbgrader's default course and the cohort's) and a student for every trainee not yet in the gradebook.

    A row another run made at the same moment is no error (its unique key is taken: the work is done)."""
    from nbgrader.api import Gradebook, InvalidEntry

    serialise_gradebook(cohort)
    for course in ("default_course", cohort.course_id):
        try:
            Gradebook(cohort.db_url, course).close()
        except InvalidEntry:  # another run made the course row between nbgrader's look and its insert
            Gradebook(cohort.db_url, course).close()
    with gradebook(cohort) as gb:
        for trainee in sorted(trainees - {s.id for s in gb.students}):
            try:
                gb.add_student(trainee)
            except InvalidEntry:  # another run added them just now (nbgrader has rolled back)
                pass


def exercise_ids(cohort: Cohort) -> list[str]:
    """The exercises nbgrader knows for this cohort (assignments in the gradebook), in order."""
    with gradebook(cohort) as gb:
        return sorted(a.name for a in gb.assignments)


def trainee_ids(cohort: Cohort) -> list[str]:
    """Every trainee: those in the gradebook and those with a folder in submitted/."""
    with gradebook(cohort) as gb:
        known = {s.id for s in gb.students}
    if cohort.submitted.is_dir():
        known |= {p.name for p in cohort.submitted.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(known)
