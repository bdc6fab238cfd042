"""The course's own cast (data/cast.yaml): the people, places and settings it invents, by module.

A trainee who writes about a module's story names its people ("What might Joy be feeling?").
Those names are not a real family's, so the privacy warning leaves them alone, but only in the
module whose story they belong to: "Jayden" is a boy in module 07's story and a real-looking name
anywhere else. Each module also lists the authors, publishers' towns and bodies its sources cite
(real and public, never a family), so that a trainee may quote them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from alongside.data import load_yaml

COURSE = "course"  # every module's cast at once: for texts that belong to no one module
SECTIONS = ("people", "places", "settings", "cited")
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_TITLES = {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"}


@lru_cache(maxsize=1)
def cast() -> dict[str, dict[str, list[str]]]:
    """The cast by module id: ``{"04-story": {"people": [...], "places": [...], ...}}``."""
    data = load_yaml("cast.yaml") or {}
    return {str(module): {s: [str(n) for n in (entry or {}).get(s) or []] for s in SECTIONS}
            for module, entry in data.items()}


def module_id(name: object) -> str | None:
    """The module a name belongs to by its number ("04-story:open-questions", "08-letter" -> its module), or None."""
    found = re.match(r"\s*(\d{2})(?!\d)", str(name)) if name is not None else None
    if not found:
        return None
    return next((m for m in _modules() if m.startswith(found.group(1))), None)


@lru_cache(maxsize=1)
def _modules() -> tuple[str, ...]:
    return tuple(str(m["id"]) for m in load_yaml("modules.yaml")["modules"])


@lru_cache(maxsize=None)
def cast_words(module: str | None) -> frozenset[str]:
    """The words of every name in a module's cast; all modules' for ``COURSE``; none for None or an unknown module."""
    if module == COURSE:
        entries = [cast()[m] for m in cast()]
    else:
        found = module_id(module)
        entries = [cast()[found]] if found in cast() else []
    return frozenset(w for entry in entries for s in SECTIONS for name in entry[s]
                     for w in _WORD.findall(name) if w[0].isupper() and w not in _TITLES)
