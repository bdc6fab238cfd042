"""A trainee's saved answers and progress, kept on disk so nothing is lost.

Everything lives in one folder: ``$ALONGSIDE_HOME`` if set, else ``.alongside/`` in the
nearest folder above the working directory that holds the course (a ``course/`` folder),
else ``~/.alongside``.

Every widget of every kernel saves into the same few files, so a save is a read-modify-write
under a lock on ``NAME.json.lock`` (``filelock``): two widgets saving at once both keep their
words. Files are written whole, flushed to disk and then swapped in, so a crash or a closed tab
never leaves half a file. A file that is not readable JSON is set aside under a name of its own
(``NAME.json.unreadable-STAMP``, ``-2``, ``-3``... when two break in the same second), never
overwritten. A file the trainee may not read or write is a :class:`PermissionError` that says
which folder; the file itself is left exactly as it is.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from filelock import FileLock

LOCK_TIMEOUT = 30  # seconds a save waits for another widget's save before giving up (an OSError)


def home() -> Path:
    """The folder where this trainee's answers and progress are kept."""
    if os.environ.get("ALONGSIDE_HOME"):
        return Path(os.environ["ALONGSIDE_HOME"]).expanduser()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "course").is_dir():
            return folder / ".alongside"
    return Path.home() / ".alongside"


class _Unreadable(Exception):
    """The file is there but is not a JSON object's text."""


def _denied(path: Path, doing: str) -> PermissionError:
    return PermissionError(f"no permission to {doing} {path.name} in {path.parent}: make that folder yours "
                           "(readable and writable), or set ALONGSIDE_HOME to a folder you own")


def _parse(path: Path) -> dict:
    """The JSON object in a file ({} when there is no file); _Unreadable when it is not JSON text."""
    try:
        with path.open("rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return {}
    except PermissionError:
        raise _denied(path, "read") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError too
        raise _Unreadable from None
    return data if isinstance(data, dict) else {}


def _set_aside(path: Path) -> None:
    """Move an unreadable file to a name no other set-aside copy has (call it under the file's lock)."""
    stamp = f"{path.name}.unreadable-{int(time.time())}"
    target, n = path.with_name(stamp), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{stamp}-{n}")
    path.replace(target)


def _locked(path: Path, work):
    """Run work() under the file's lock; a lock file that cannot be made is a PermissionError that says so."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path.with_name(path.name + ".lock"), timeout=LOCK_TIMEOUT)
        lock.acquire()
    except PermissionError:
        raise _denied(path, "write") from None
    try:
        return work()
    finally:
        lock.release()


def _read_locked(path: Path) -> dict:
    try:
        return _parse(path)
    except _Unreadable:
        _set_aside(path)
        return {}


def read_json(path: Path) -> dict:
    """Read a JSON object from a file; an unreadable file is set aside under its own name and {} returned."""
    try:
        return _parse(path)  # files are only ever swapped in whole, so no lock is needed to read one
    except _Unreadable:
        return _locked(path, lambda: _read_locked(path))  # read again under the lock: a save may have just mended it


def _write_unlocked(path: Path, data: dict) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except PermissionError:
        raise _denied(path, "write") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: dict) -> None:
    """Write a JSON object atomically, under the file's lock: a temporary file, flushed, then a rename over the old one."""
    _locked(path, lambda: _write_unlocked(path, data))


class Store:
    """One JSON file of named values in the trainee's folder (answers.json, progress.json)."""

    def __init__(self, name: str, root: Path | None = None):
        self.path = (root or home()) / f"{name}.json"

    def get(self, key: str, default=None):
        """The saved value for a key, or the default."""
        return read_json(self.path).get(key, default)

    def set(self, key: str, value) -> None:
        """Save a value under a key, keeping every other key as it was (and every other writer's keys)."""

        def read_change_write() -> None:
            data = _read_locked(self.path)
            data[key] = value
            _write_unlocked(self.path, data)

        _locked(self.path, read_change_write)

    def all(self) -> dict:
        """Every saved key and value."""
        return read_json(self.path)


def answers() -> Store:
    """The store of typed answers (reflection boxes, plans)."""
    return Store("answers")


def progress() -> Store:
    """The store of module progress (done, self-check scores)."""
    return Store("progress")
