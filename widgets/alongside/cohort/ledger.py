"""The grading ledger: what was graded, from which files and which version of the exercise, and how it went.

``DIR/.alongside/ledger.json`` holds one entry per (trainee, exercise). A submission is graded
again when it has no entry, its files changed, its autograded copy is gone, or its exercise
changed: a new release (nbgrader's copy of the released cells in the gradebook) or a new spec
(the exercise's items, the rubrics and statements it names, their answer key, or the marking data
every exercise shares, the course's own learned models among it). A broken submission is recorded with its reason and not retried until
something it depends on changes; a grading worker that stopped is retried next run.

Just before grading a submission a run claims it (:class:`Claim`, a non-blocking file lock in
``DIR/.alongside/claims``), looks at the ledger again, and lets the claim go only once the outcome
is in the ledger, so runs started at once (one per trainer pod) share the work and never grade the
same submission twice. The kernel drops a claim whose process died, even by SIGKILL, so the next
run takes that submission up.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from pathlib import Path

from alongside.cohort.course import Cohort, gradebook, gradebook_lock
from alongside.store import read_json, write_json


def fingerprint(folder: Path) -> str:
    """A hash of every file in a submission folder (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _data_files(exercise_id: str) -> list[Path]:
    """The package's data files that mark one exercise: its spec, what it names, and the shared marking data."""
    from alongside import grading
    from alongside.data import data_path

    data = Path(str(data_path()))
    spec = grading.exercise(exercise_id)
    files = [data / "exercises" / f"{exercise_id}.yaml"]
    for item in spec.get("items", []):
        if item.get("rubric"):
            files.append(data / "rubrics" / f"{item['rubric']}.yaml")
        if item.get("statements"):
            files.append(data / "statements" / f"{item['statements']}.yaml")
    own = {"exercises", "rubrics", "statements"}
    files += sorted(p for p in data.rglob("*") if p.is_file() and p.relative_to(data).parts[0] not in own)
    return files


def exercise_digest(cohort: Cohort, exercise_id: str) -> str:
    """A hash of everything an exercise's marks depend on besides the submission: its release and its spec."""
    from alongside.keys import FILE_NAME

    digest = hashlib.sha256()
    with gradebook(cohort) as gb:
        for notebook in gb.find_assignment(exercise_id).notebooks:
            for cell in sorted(notebook.source_cells, key=lambda c: c.name):
                digest.update(f"{notebook.name}\0{cell.name}\0{cell.checksum or ''}\0{cell.source or ''}\0".encode())
            for cell in sorted(notebook.grade_cells, key=lambda c: c.name):
                digest.update(f"{cell.name}\0{cell.max_score}\0".encode())
    try:
        files = _data_files(exercise_id)
    except Exception:  # an exercise with no spec: its release alone decides
        files = []
    if cohort.models.is_dir():  # the course's own models replace the shipped ones (alongside.trusted.use_course_models)
        digest.update(b"course models\0")
        files += sorted(p for p in cohort.models.glob("*.json"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    digest.update(_key_entries(cohort.root / FILE_NAME, exercise_id))
    return digest.hexdigest()


def _key_entries(path: Path, exercise_id: str) -> bytes:
    """The part of the course's answer key an exercise uses, as bytes (empty when there is none)."""
    import yaml

    from alongside import grading

    try:
        names = {item["statements"] for item in grading.exercise(exercise_id)["items"] if item.get("statements")}
        keys = yaml.safe_load(path.read_text(encoding="utf-8")) if names and path.is_file() else {}
    except Exception:
        return b""
    return json.dumps({name: keys.get(name) for name in sorted(names)}, sort_keys=True, default=str).encode()


def ledger_path(cohort: Cohort) -> Path:
    """Where the ledger is kept."""
    return cohort.state / "ledger.json"


def read_ledger(cohort: Cohort) -> dict:
    """The ledger as a dict keyed "trainee/exercise"."""
    return read_json(ledger_path(cohort))


class LedgerReader:
    """The ledger as another run may have just changed it, read from disk again only when the file changed."""

    def __init__(self, cohort: Cohort):
        self.path = ledger_path(cohort)
        self._seen: tuple | None = None
        self._entries: dict = {}

    def entries(self) -> dict:
        """The ledger now, as read_ledger gives it."""
        try:
            with self.path.open("rb") as handle:  # opening, not stat(): on NFS an open sees the newest file
                info = os.fstat(handle.fileno())
        except FileNotFoundError:
            return {}
        seen = (info.st_ino, info.st_size, info.st_mtime_ns)
        if seen != self._seen:
            self._seen, self._entries = seen, read_json(self.path)
        return self._entries


def key(trainee: str, exercise: str) -> str:
    """The ledger's key for one submission."""
    return f"{trainee}/{exercise}"


def is_new(cohort: Cohort, entry: dict | None, files: str, exercise: str) -> bool:
    """Whether a submission needs grading, given its ledger entry and its current fingerprints."""
    if not entry or entry.get("fingerprint") != files or entry.get("exercise") != exercise or entry.get("transient"):
        return True
    return entry.get("status") == "graded" and not cohort.graded(*entry["key"].split("/", 1)).is_dir()


def record_many(cohort: Cohort, outcomes: list[tuple[tuple[str, str], str, str, dict]]) -> None:
    """Write grading outcomes, each ((trainee, exercise), files' fingerprint, exercise's digest, outcome), into
    the ledger in one write (under the gradebook lock, so concurrent runs merge)."""
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with gradebook_lock(cohort):
        entries = read_ledger(cohort)
        for (trainee, exercise), files, exercise_print, outcome in outcomes:
            entries[key(trainee, exercise)] = {"key": key(trainee, exercise), "fingerprint": files,
                                               "exercise": exercise_print, "at": at, **outcome}
        write_json(ledger_path(cohort), entries)


def status(cohort: Cohort) -> dict[tuple[str, str], dict]:
    """The ledger keyed by (trainee, exercise): how each submission's grading went."""
    return {tuple(k.split("/", 1)): v for k, v in read_ledger(cohort).items()}


class Claim:
    """A non-blocking claim on one submission, held while it is graded (``held`` says whether it was got)."""

    def __init__(self, cohort: Cohort, trainee: str, exercise: str):
        folder = cohort.state / "claims"
        folder.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(folder / f"{trainee}__{exercise}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.held = True
        except BlockingIOError:
            os.close(self.fd)
            self.held = False

    def release(self) -> None:
        """Let another run have it."""
        if self.held:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.held = False
