"""A trainee's saved answers and progress, kept on disk so nothing is lost.

Everything lives in one folder: ``$ALONGSIDE_HOME`` if set, else ``.alongside/`` in the
nearest folder above the working directory that holds the course (a ``course/`` folder),
else ``~/.alongside``. Files are written whole and then swapped in, so a crash or a closed
tab never leaves half a file; a file that cannot be read is kept aside, never overwritten.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path


def home() -> Path:
    """The folder where this trainee's answers and progress are kept."""
    if os.environ.get("ALONGSIDE_HOME"):
        return Path(os.environ["ALONGSIDE_HOME"]).expanduser()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "course").is_dir():
            return folder / ".alongside"
    return Path.home() / ".alongside"


def read_json(path: Path) -> dict:
    """Read a JSON object from a file; an unreadable file is moved aside and {} returned."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        path.replace(path.with_name(f"{path.name}.unreadable-{int(time.time())}"))
        return {}


def write_json(path: Path, data: dict) -> None:
    """Write a JSON object atomically: a temporary file, then a rename over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Store:
    """One JSON file of named values in the trainee's folder (answers.json, progress.json)."""

    def __init__(self, name: str, root: Path | None = None):
        self.path = (root or home()) / f"{name}.json"

    def get(self, key: str, default=None):
        """The saved value for a key, or the default."""
        return read_json(self.path).get(key, default)

    def set(self, key: str, value) -> None:
        """Save a value under a key, keeping every other key as it was."""
        data = read_json(self.path)
        data[key] = value
        write_json(self.path, data)

    def all(self) -> dict:
        """Every saved key and value."""
        return read_json(self.path)


def answers() -> Store:
    """The store of typed answers (reflection boxes, plans)."""
    return Store("answers")


def progress() -> Store:
    """The store of module progress (done, self-check scores)."""
    return Store("progress")
