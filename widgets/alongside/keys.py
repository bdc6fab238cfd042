"""The answer keys of the graded statements, kept on the trainer's side.

The statements a trainee sorts in a graded exercise are in the package
(``data/statements/<set>.yaml``) without their answers. The answers, and the reason for each,
are in one file that only the trainer has: ``answer-keys.yaml`` at the top of the course folder,
beside ``solutions/``. It is never shipped to trainees.

Where the key file is: the path given to :func:`use` (the trusted grader calls
``keys.use(Path(course_root) / "answer-keys.yaml")``); otherwise the file named by the
environment variable ``ALONGSIDE_KEYS``; otherwise there is no key, and :func:`answer_key`
raises :class:`KeyMissing`. It never looks next to the package or in the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

ENVIRONMENT = "ALONGSIDE_KEYS"
FILE_NAME = "answer-keys.yaml"

_chosen: Path | None = None


class KeyMissing(LookupError):
    """There is no answer key on this computer (the answer key is only on the trainer's side)."""


def use(path: str | Path | None) -> None:
    """Read answer keys from this file from now on (None: back to the ``ALONGSIDE_KEYS`` variable)."""
    global _chosen
    _chosen = Path(path) if path is not None else None


def key_file() -> Path | None:
    """The key file in use: the one given to :func:`use`, else the one ``ALONGSIDE_KEYS`` names, else None."""
    if _chosen is not None:
        return _chosen
    named = os.environ.get(ENVIRONMENT, "").strip()
    return Path(named) if named else None


def answer_key(set_name: str) -> dict:
    """The answer key of one statement set: statement id -> {"answer": [...], "why": ..., "why_right": ...}.

    Raises KeyMissing when there is no key file, it cannot be read, or it has no key for the set.
    """
    path = key_file()
    if path is None:
        raise KeyMissing("The answer key is only on the trainer's side, and it is not on this computer.")
    try:
        keys = _read(path)
    except (OSError, yaml.YAMLError) as err:
        raise KeyMissing(f"The answer key is only on the trainer's side, and it could not be read here "
                         f"({path}: {type(err).__name__}).") from None
    found = keys.get(set_name) if isinstance(keys, dict) else None
    if not isinstance(found, dict):
        raise KeyMissing(f"The answer key file {path} has no key for the statements {set_name!r}.")
    return found


def _read(path: Path) -> object:
    stamp = path.stat().st_mtime_ns
    cached = _CACHE.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, yaml.safe_load(path.read_text(encoding="utf-8")))
        _CACHE[path] = cached
    return cached[1]


_CACHE: dict[Path, tuple[int, object]] = {}
