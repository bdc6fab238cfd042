"""What each module's notebook asks a trainee to do, and which of those they have answered.

A module's activities are listed in ``data/modules.yaml``, one for each widget in its teaching
notebook, by kind and name::

    activities:
      - reflection: 02-words:reply-to-yusuf   # a ReflectionBox (its key): answered when it has words
      - sorter: 02-practice                   # a StatementSorter: when every statement has a choice
      - plan: agreement-plan                  # an AgreementBuilder: when every box has words
      - letter: 08-letter                     # a LetterChecker: when it holds a letter
      - story: 04-story                       # a StagedStory: when every part has been shown

A module is done when every one of its activities is answered. The answers are read from the
trainee's store (:mod:`alongside.store`), where the widgets save them as they are used.
"""

from __future__ import annotations

from alongside.data import DataError
from alongside.grading import statement_set
from alongside.widgets.story import load_story, progress_key

# Each kind: how a trainee would name one, and how to say several.
KINDS = {
    "reflection": ("a reflection box", "reflection boxes"),
    "sorter": ("a statement sorter", "statement sorters"),
    "plan": ("a plan", "plans"),
    "letter": ("a letter", "letters"),
    "story": ("a story to read to the end", "stories to read to the end"),
}


def activities(module: dict) -> list[tuple[str, str]]:
    """A module's activities as (kind, name) pairs, in the order the notebook shows them."""
    found = []
    for entry in module.get("activities") or []:
        if not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in KINDS:
            raise DataError(f"modules.yaml, {module.get('id')}: {entry!r} should be one of {', '.join(KINDS)}: <name>")
        kind, name = next(iter(entry.items()))
        found.append((kind, str(name)))
    return found


def _has_words(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def is_answered(kind: str, name: str, answers: dict, progress: dict) -> bool:
    """Whether one activity has an answer, given the trainee's saved answers and progress."""
    if kind == "reflection":
        return _has_words(answers.get(name))
    if kind == "letter":
        return _has_words(answers.get(f"letter:{name}"))
    if kind == "plan":
        plan = answers.get(f"plan:{name}")
        return isinstance(plan, dict) and bool(plan) and all(_has_words(v) for v in plan.values())
    if kind == "sorter":
        chosen = answers.get(f"sorter:{name}")
        chosen = chosen if isinstance(chosen, dict) else {}
        return all(chosen.get(s["id"]) for s in statement_set(name)["statements"])
    if kind == "story":
        saved = progress.get(progress_key(name))
        shown = saved.get("shown") if isinstance(saved, dict) else None
        return isinstance(shown, int) and shown >= len(load_story(name)["parts"])
    raise DataError(f"no kind of activity called {kind!r}")


def unanswered(module: dict, answers: dict, progress: dict) -> list[tuple[str, str]]:
    """The module's activities that have no answer yet."""
    return [(kind, name) for kind, name in activities(module) if not is_answered(kind, name, answers, progress)]


def describe(missing: list[tuple[str, str]]) -> str:
    """Activities in words, by kind: "2 reflection boxes and a statement sorter"."""
    counts: dict[str, int] = {}
    for kind, _name in missing:
        counts[kind] = counts.get(kind, 0) + 1
    parts = [KINDS[kind][0] if n == 1 else f"{n} {KINDS[kind][1]}" for kind, n in counts.items()]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
