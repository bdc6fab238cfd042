"""Practising a hard conversation in threes, and the facilitator's guide to a session: read and checked.

Two folders of plain YAML hold them, one file per module (the course writers keep them; the code
only reads them):

- ``data/practice/<module-id>.yaml`` (modules 01 to 10): a hard conversation for a triad, with a
  parent, a practitioner and an observer. It names the hard part (``anger``, ``tears``, ...), the
  setting all three read, a card for each role, the parent's first words, the observation sheet's
  rows (each row an ``id`` and what to ``look_for``; a row without ``look_for`` takes the
  ``looks_for`` of the rubric criterion with that id), the debrief questions and the prompt for a
  trainee alone, who writes the practitioner's first turn.
- ``data/facilitator/<module-id>.yaml`` (modules 01 to 11): the session's length, what to do
  before it, its timings (which add up to the session's length), prompts, safety, what to do if
  someone is upset, and notes for groups of parents and staff together.

:func:`load_practice` and :func:`load_facilitator` read and check one file and raise
:class:`~alongside.data.DataError` naming the file and the field that is wrong; a file that is
not there raises :class:`NotWritten`, so a caller can say it is missing rather than broken.
:func:`check_practice` and :func:`check_facilitator` check data already read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from alongside.data import DataError, data_path
from alongside.rubric import load_rubric, rubric_ids

PRACTICE = "practice"
FACILITATOR = "facilitator"

# What makes the conversation hard: each value a file may give, and how the course says it.
HARD_PARTS = {
    "anger": "the parent is angry",
    "tears": "the parent is in tears",
    "concern_not_shared": "a concern the parent does not share",
    "referral": "talking about a referral",
    "saying_no": "saying no",
    "worry": "the parent is worried",
    "listening_not_enough": "when listening is not enough",
}
# The three people of a triad, in the order the cards are shown, and how the course names each.
ROLES = {"parent": "the parent", "practitioner": "the practitioner", "observer": "the observer"}
# The rubric a trainee alone is scored with when the file names none (turn.rubric): their turn is a
# listening reply. A conversation where listening is not enough names its own rubric.
TURN_RUBRIC = "listening-response"
# The facilitator's guide: its lists of points, in the order a guide shows them, with their headings.
GUIDE_LISTS = {
    "before": "Before the session",
    "prompts": "Prompts",
    "safety": "Safety",
    "if_upset": "If someone is upset",
    "mixed_groups": "Mixed groups of parents and staff",
}


class NotWritten(DataError):
    """A module has no practice file or no facilitator's guide (yet)."""


def _file(kind: str, module_id: str, folder: str | Path | None):
    """The file for one module, and how an error message names it."""
    name = f"{module_id}.yaml"
    if folder is None:
        return data_path(kind, name), f"{kind}/{name}"
    path = Path(folder) / name
    return path, str(path)


def _read(kind: str, module_id: str, folder: str | Path | None) -> tuple[Any, str]:
    path, where = _file(kind, module_id, folder)
    if not path.is_file():
        raise NotWritten(f"no file {where}")
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle), where
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise DataError(f"{where}: not readable YAML ({str(err).splitlines()[0]})") from None


def has_file(kind: str, module_id: str, folder: str | Path | None = None) -> bool:
    """Whether a module has a file of this kind (``"practice"`` or ``"facilitator"``)."""
    return _file(kind, module_id, folder)[0].is_file()


def load_practice(module_id: str, folder: str | Path | None = None) -> dict:
    """A module's practice, read from ``data/practice/<module_id>.yaml`` (or from ``folder``) and
    checked by :func:`check_practice`. Raises NotWritten if there is no file, DataError if it is wrong."""
    data, where = _read(PRACTICE, module_id, folder)
    return check_practice(data, where, module_id)


def load_facilitator(module_id: str, folder: str | Path | None = None) -> dict:
    """A module's facilitator's guide, read from ``data/facilitator/<module_id>.yaml`` (or from
    ``folder``) and checked by :func:`check_facilitator`. Raises NotWritten if there is no file,
    DataError if it is wrong."""
    data, where = _read(FACILITATOR, module_id, folder)
    return check_facilitator(data, where, module_id)


# --- Checks ------------------------------------------------------------------------------------


def _text(data: dict, field: str, where: str, name: str | None = None) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}: {name or field} needs some text")
    return value.strip()


def _texts(data: dict, field: str, where: str) -> list[str]:
    value = data.get(field)
    if not isinstance(value, list) or not value:
        raise DataError(f"{where}: {field} needs a list with at least one entry")
    for number, item in enumerate(value, 1):
        if not isinstance(item, str) or not item.strip():
            raise DataError(f"{where}: {field}, entry {number}, needs some text")
    return [item.strip() for item in value]


def _minutes(value: object, where: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise DataError(f"{where}: {field} needs a whole number of minutes above 0, not {value!r}")
    return value


def _module(data: dict, where: str, module_id: str | None) -> str:
    module = data.get("module")
    if not isinstance(module, str) or not module.strip():
        raise DataError(f"{where}: module needs the module's id, for example 02-words")
    if module_id is not None and module != module_id:
        raise DataError(f"{where}: module is {module!r}, but the file is for {module_id!r}")
    return module


def _criteria(rubric_id: str) -> dict[str, str]:
    """A rubric's criteria: id -> what it looks for."""
    return {c.id: c.looks_for for c in load_rubric(rubric_id).criteria}


def _observe(rows: object, rubric_id: str, where: str) -> list[dict]:
    """The observation sheet's rows, each with the text to look for (its own, or its criterion's)."""
    if not isinstance(rows, list) or not rows:
        raise DataError(f"{where}: observe needs a list of rows, each {{id: ..., look_for: ...}}")
    own = _criteria(rubric_id)
    found, seen = [], set()
    for number, row in enumerate(rows, 1):
        field = f"observe, row {number}"
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row["id"].strip():
            raise DataError(f"{where}: {field} needs an id")
        rid = row["id"].strip()
        if rid in seen:
            raise DataError(f"{where}: {field}: the id {rid!r} is used twice")
        seen.add(rid)
        look_for = row.get("look_for")
        if look_for is not None and (not isinstance(look_for, str) or not look_for.strip()):
            raise DataError(f"{where}: {field} ({rid}): look_for needs some text")
        if look_for is None:
            look_for = own.get(rid) or next(
                (_criteria(other)[rid] for other in rubric_ids() if rid in _criteria(other)), None)
        if look_for is None:
            raise DataError(
                f"{where}: {field}: {rid!r} is not a criterion of observe_rubric {rubric_id} (nor of any "
                f"rubric), and the row has no look_for; its criteria are {', '.join(own)}"
            )
        found.append({"id": rid, "look_for": look_for.strip(), "criterion": rid in own})
    return found


def check_practice(data: object, where: str = "practice file", module_id: str | None = None) -> dict:
    """A practice file's data, checked and tidied (texts stripped; every observation row with its
    ``look_for``). ``where`` names the file in messages; ``module_id``, if given, is the module the
    file must say it is for. Raises DataError naming the file and the field that is wrong."""
    if not isinstance(data, dict):
        raise DataError(f"{where}: needs fields such as module, title, hard_part and roles")
    module = _module(data, where, module_id)
    hard_part = data.get("hard_part")
    if hard_part not in HARD_PARTS:
        raise DataError(f"{where}: hard_part {hard_part!r} is not one of {', '.join(HARD_PARTS)}")
    feelings_high = data.get("feelings_high")
    if not isinstance(feelings_high, bool):
        raise DataError(f"{where}: feelings_high needs true or false, not {feelings_high!r}")
    roles = data.get("roles")
    if not isinstance(roles, dict):
        raise DataError(f"{where}: roles needs a card for each of {', '.join(ROLES)}")
    missing = [r for r in ROLES if not isinstance(roles.get(r), dict)]
    if missing:
        raise DataError(f"{where}: roles is missing the role {', '.join(missing)} (a triad needs {', '.join(ROLES)})")
    unknown = [str(r) for r in roles if r not in ROLES]
    if unknown:
        raise DataError(f"{where}: roles has {', '.join(unknown)}, which is not one of {', '.join(ROLES)}")
    checked_roles = {}
    for role in ROLES:
        entry = roles[role]
        card = _text(entry, "card", where, f"roles.{role}.card")
        name = entry.get("name")
        if role != "observer" or name is not None:
            name = _text(entry, "name", where, f"roles.{role}.name")
        checked_roles[role] = {"name": name, "card": card}
    rubric_id = data.get("observe_rubric")
    if rubric_id not in rubric_ids():
        raise DataError(f"{where}: observe_rubric {rubric_id!r} is not a rubric; the rubrics are {', '.join(rubric_ids())}")
    turn = data.get("turn")
    if not isinstance(turn, dict):
        raise DataError(f"{where}: turn needs a prompt, as turn: {{prompt: ...}}")
    return {
        "module": module,
        "title": _text(data, "title", where),
        "hard_part": hard_part,
        "feelings_high": feelings_high,
        "minutes": _minutes(data.get("minutes"), where, "minutes"),
        "setting": _text(data, "setting", where),
        "roles": checked_roles,
        "opening": _text(data, "opening", where),
        "observe_rubric": rubric_id,
        "observe": _observe(data.get("observe"), rubric_id, where),
        "debrief": _texts(data, "debrief", where),
        "turn": {"prompt": _text(turn, "prompt", where, "turn.prompt"), "rubric": _turn_rubric(turn, where)},
    }


def _turn_rubric(turn: dict, where: str) -> str:
    rubric_id = turn.get("rubric", TURN_RUBRIC)
    if rubric_id not in rubric_ids():
        raise DataError(f"{where}: turn.rubric {rubric_id!r} is not a rubric; the rubrics are {', '.join(rubric_ids())}")
    return rubric_id


def check_facilitator(data: object, where: str = "facilitator file", module_id: str | None = None) -> dict:
    """A facilitator's guide's data, checked and tidied. ``where`` names the file in messages;
    ``module_id``, if given, is the module the file must say it is for. Raises DataError naming
    the file and the field that is wrong, for example timings that do not add up to the session."""
    if not isinstance(data, dict):
        raise DataError(f"{where}: needs fields such as module, session_minutes and timings")
    module = _module(data, where, module_id)
    session = _minutes(data.get("session_minutes"), where, "session_minutes")
    rows = data.get("timings")
    if not isinstance(rows, list) or not rows:
        raise DataError(f"{where}: timings needs a list of rows, each {{minutes: ..., activity: ..., notes: ...}}")
    timings = []
    for number, row in enumerate(rows, 1):
        field = f"timings, row {number}"
        if not isinstance(row, dict):
            raise DataError(f"{where}: {field} needs minutes and an activity")
        notes = row.get("notes")
        if notes is not None and not isinstance(notes, str):
            raise DataError(f"{where}: {field}: notes needs text")
        timings.append({
            "minutes": _minutes(row.get("minutes"), where, f"{field}: minutes"),
            "activity": _text(row, "activity", where, f"{field}: activity"),
            "notes": (notes or "").strip(),
        })
    total = sum(t["minutes"] for t in timings)
    if total != session:
        raise DataError(f"{where}: timings add up to {total} minutes, but session_minutes is {session}")
    guide = {"module": module, "session_minutes": session, "timings": timings}
    guide.update({field: _texts(data, field, where) for field in GUIDE_LISTS})
    return guide
