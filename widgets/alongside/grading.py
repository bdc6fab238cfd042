"""Mark exercise answers: the same marks and words for a trainee's self-check and for nbgrader.

Each exercise is described in ``data/exercises/<id>.yaml``: its items, their titles, how each
is marked and its points. A trainee writes each answer as plain text in an answer cell
(:mod:`alongside.answer_text` reads it into the shapes below). Kinds of item:

- ``rubric``: free text (or a plan of labelled parts) scored by a rubric (:mod:`alongside.rubric`);
- ``classification``: statement id -> label(s), marked against a statement set
  (``data/statements/<name>.yaml``), with the reason for each one missed;
- ``rewrites``: statement id -> rewritten text, each scored by a rubric and
  required to differ from the original;
- ``reflection_parts``: a reflection, a point share for each part of What? So what? Now what?
  it has (:mod:`alongside.reflection`);
- ``letter``: a letter to a family, a point share for each check of the letter checker
  (:mod:`alongside.letter`: the seven "no surprises" items, reading level, jargon, blame).

Every free-text answer also gets the privacy check (:mod:`alongside.privacy`): a "Privacy check:"
line when it seems to identify a real family (the exercise's own invented people do not count, and
in a letter the sender's own details do not), before the trainee saves or submits it.

:func:`evaluate` marks one answer; :func:`mark` is for nbgrader's test cells (it marks the answer
cell's latest run, prints the feedback with every reason and returns the points). The trainee's
self-check (:func:`alongside.self_check.check`) gives the same points, but for statements to sort
it says how many are right, not which answer is right. Nothing here ever raises: a missing or
wrong-shaped answer earns 0 with a message saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alongside import rubric as rubric_engine
from alongside.data import load_yaml
from alongside.text import MAX_CHARS, normalise, strip_stub


@dataclass
class ItemResult:
    """The mark for one exercise item, with the feedback lines that explain it."""

    exercise: str
    item: str
    points: float
    max: float
    lines: list[str] = field(default_factory=list)

    def report(self) -> str:
        """The feedback as plain text: one line per point, then the total."""
        body = "\n".join(f"- {line}" for line in self.lines)
        return f"{body}\nPoints: {self.points:g} of {self.max:g}"

    @property
    def title(self) -> str:
        """The item's title from its exercise's spec (its id if it has none)."""
        try:
            return str(item_spec(self.exercise, self.item).get("title", self.item))
        except Exception:
            return self.item


def exercise(exercise_id: str) -> dict:
    """The spec of one exercise, from data/exercises/<id>.yaml."""
    return load_yaml("exercises", f"{exercise_id}.yaml")


def item_spec(exercise_id: str, item_id: str) -> dict:
    """The spec of one item of an exercise; KeyError if there is none."""
    for item in exercise(exercise_id)["items"]:
        if item["id"] == item_id:
            return item
    raise KeyError(f"{exercise_id} has no item {item_id!r}")


def statement_set(name: str) -> dict:
    """A set of statements with their answers and reasons, from data/statements/<name>.yaml."""
    return load_yaml("statements", f"{name}.yaml")


def label_key(value: object) -> str:
    """An answer label the way labels are compared: lower case, single spaces for spaces, _ and -."""
    return re.sub(r"[\s_-]+", " ", normalise(str(value)).strip().lower())


def _label(value: object, aliases: dict) -> str:
    text = label_key(value)
    return aliases.get(text, text)


def canonical_aliases(data: dict) -> dict:
    """The statement set's aliases, keyed the way answers are compared (lower case, single spaces)."""
    return {label_key(k): label_key(v) for k, v in (data.get("aliases") or {}).items()}


def _round(value: float) -> float:
    return round(value * 4) / 4 if value else 0.0


def classification_results(set_name: str, answer: object, wanted: list | None = None) -> list[dict]:
    """Mark a dict of statement id -> label(s) against a statement set, one result per statement.

    Each result is ``{"id", "text", "given", "fraction", "right", "why"}``: ``right`` is None when
    no answer was given, else True or False; ``fraction`` is the share of positions right;
    ``why`` is the reason to show. A place answered twice earns nothing: in "parent, practitioner,
    both" the extra labels are other answers for the first place, so hedging cannot score (a
    label that only ever fills a later place, such as a kind of harm after "helpful", is not).
    Raises TypeError when ``answer`` is not a dict.
    """
    data = statement_set(set_name)
    aliases = canonical_aliases(data)
    places: dict[int, set] = {}  # place -> every label that answers it somewhere in the set
    for s in data["statements"]:
        for i, v in enumerate(_as_list(s["answer"])):
            places.setdefault(i, set()).add(_label(v, aliases))
    statements = [s for s in data["statements"] if not wanted or s["id"] in wanted]
    if not isinstance(answer, dict):
        raise TypeError(f"I could not read this answer. Write one line for each statement, such as "
                        f"\"{statements[0]['id']}: ...\".")
    results = []
    for statement in statements:
        key = [_label(v, aliases) for v in _as_list(statement["answer"])]
        given = answer.get(statement["id"])
        result = {"id": statement["id"], "text": statement["text"], "given": given, "fraction": 0.0}
        if given is None or given == "" or given == () or given == []:
            results.append({**result, "right": None, "why": "No answer yet."})
            continue
        labels = [_label(v, aliases) for v in _as_list(given)]
        extra = set(labels[len(key):])
        right = sum(1 for i, k in enumerate(key)
                    if i < len(labels) and labels[i] == k and not extra & places.get(i, set()))
        done = right == len(key)
        why = statement.get("why_right", "") if done else statement["why"]
        results.append({**result, "fraction": right / len(key), "right": done, "why": str(why).strip()})
    return results


def _classification(spec: dict, answer: object, reasons: bool) -> tuple[float, list[str]]:
    try:
        results = classification_results(spec["statements"], answer, spec.get("items"))
    except TypeError as err:
        return 0.0, [str(err)]
    fraction = sum(r["fraction"] for r in results) / len(results)
    if not reasons:
        return fraction, _counts(spec, results)
    lines = []
    for r in results:
        short = r["text"] if len(r["text"]) < 70 else r["text"][:67] + "..."
        if r["right"] is None:
            lines.append(f"{r['id']} (\"{short}\"): no answer yet.")
        elif r["right"]:
            lines.append(f"{r['id']}: Right. {r['why']}".strip())
        else:
            lines.append(f"{r['id']} (\"{short}\"): Not yet. {r['why']}")
    return fraction, lines


def _counts(spec: dict, results: list[dict]) -> list[str]:
    """How many are right, which have no answer, and what the answers mean: never which answer is right."""
    right = sum(1 for r in results if r["right"])
    partly = sum(1 for r in results if r["right"] is False and r["fraction"] > 0)
    empty = [r["id"] for r in results if r["right"] is None]
    lines = [f"Right: {right} of {len(results)}."]
    if partly:
        lines.append(f"Partly right: {partly} (some of the answer is right, not all of it).")
    if empty:
        lines.append(f"No answer yet: {', '.join(empty)}.")
    if right < len(results):
        hint = " ".join(str(statement_set(spec["statements"]).get("hint", "")).split())
        lines.append(f"Look again at the ones that are not right yet. {hint}".strip())
        lines.append("After grading, your feedback gives the reason for each one.")
    return lines


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _criteria_lines(result: rubric_engine.Score) -> list[str]:
    return [f"{'Met' if r.met else 'Not yet'} ({r.points:g} of {r.max:g}): {r.feedback}" for r in result.criteria.values()]


def _rubric(spec: dict, answer: object, _reasons: bool) -> tuple[float, list[str]]:
    result = rubric_engine.score(spec["rubric"], answer)
    return result.score / result.max, _criteria_lines(result)


def _rewrites(spec: dict, answer: object, _reasons: bool) -> tuple[float, list[str]]:
    data = statement_set(spec["statements"])
    originals = {s["id"]: s["text"] for s in data["statements"] if s["id"] in spec["items"]}
    if not isinstance(answer, dict):
        return 0.0, [f"I could not read this answer. Write each rewrite on a line that starts with its label, "
                     f"such as \"{spec['items'][0]}: ...\"."]
    total, lines = 0.0, []
    for sid in spec["items"]:
        text = answer.get(sid)
        if isinstance(text, str) and _same_words(text, originals[sid]):
            lines.append(f"{sid}: this is the same as the original. Rewrite it in your own words.")
            continue
        result = rubric_engine.score(spec["rubric"], text)
        total += result.score / result.max
        lines.append(f"{sid}: {result.score:g} of {result.max:g}.")
        lines.extend(f"  {line}" for line in _criteria_lines(result))
    return total / len(spec["items"]), lines


def _same_words(a: str, b: str) -> bool:
    squash = lambda s: re.sub(r"\W+", " ", normalise(strip_stub(s)).lower()).strip()  # noqa: E731
    return len(a) <= MAX_CHARS and squash(a) == squash(b)  # a longer text is refused by the rubric


def _reflection_parts(spec: dict, answer: object, _reasons: bool) -> tuple[float, list[str]]:
    from alongside.reflection import PARTS, ReflectionError, reflection_parts, settings

    text = strip_stub(answer) if isinstance(answer, str) else answer
    try:
        found = reflection_parts(text)
    except ReflectionError as err:
        return 0.0, [str(err)]
    names = settings()["parts"]
    lines = [f"{'Met' if p not in found['missing'] else 'Not yet'}: {names[p]['name']}" for p in PARTS]
    lines.append(found["feedback"])
    return (len(PARTS) - len(found["missing"])) / len(PARTS), lines


def _letter(spec: dict, answer: object, _reasons: bool) -> tuple[float, list[str]]:
    from alongside.letter import LetterError, check_letter, rules

    text = strip_stub(answer) if isinstance(answer, str) else answer
    try:
        found = check_letter(text)
    except LetterError as err:
        return 0.0, [str(err)]
    limits = rules()
    checks = [(item.label, found["no_surprises"][item.id], item.missing) for item in limits.items]
    checks += [
        (f"Reading level {found['grade']:g} (aim for {limits.max_grade:g} or below)", found["grade"] <= limits.max_grade,
         "Use shorter sentences and everyday words."),
        ("No unexplained jargon", not found["jargon"],
         "Explain or replace: " + "; ".join(f"{j['term']} ({j['plain']})" for j in found["jargon"])),
        ("No blaming or threatening words", not found["blame"],
         "Rewrite: " + "; ".join(f"\"{b['phrase']}\" ({b['suggestion']})" for b in found["blame"])),
    ]
    lines = [f"{'Met' if ok else 'Not yet'}: {label}." + ("" if ok else f" {fix}") for label, ok, fix in checks]
    lines.append("The letter passes the letter checker." if found["passes"] else "The letter does not pass yet.")
    return sum(ok for _label, ok, _fix in checks) / len(checks), lines


def privacy_note(exercise_id: str, spec: dict, answer: object) -> str:
    """The privacy warning for an answer to one item ("" if none): letters read as letters, and the
    exercise's own invented people left out (none at all under a rubric that checks anonymity)."""
    from alongside.privacy import module_for, warning

    if spec.get("kind") == "classification":
        return ""
    text = "\n\n".join(answer_texts(answer))
    kind = "letter" if spec.get("kind") == "letter" else "reflection"
    return warning(strip_stub(text), kind=kind, module=module_for(exercise_id, spec.get("rubric")))


def answer_texts(value: object) -> list[str]:
    """The text in an answer, in order: the answer itself, or the strings in its dict values and lists."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in answer_texts(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in answer_texts(v)]
    return []


_KINDS = {"rubric": _rubric, "classification": _classification, "rewrites": _rewrites,
          "reflection_parts": _reflection_parts, "letter": _letter}


def evaluate(exercise_id: str, item_id: str, answer: object, reasons: bool = True, points=None) -> ItemResult:
    """Mark one answer to one item. Never raises: a problem becomes 0 points and a message.

    With ``reasons=False`` (the trainee's self-check) an item of statements to sort says how many
    are right and what the answers mean, not which answer each statement has; the points are the same.
    """
    try:
        spec = item_spec(exercise_id, item_id)
        points = float(spec["points"]) if points is None else float(points)
    except Exception as err:  # a broken spec must not stop a cohort's grading
        return ItemResult(exercise_id, item_id, 0.0, 0.0, [f"This item could not be marked ({err})."])
    try:
        fraction, lines = _KINDS[spec["kind"]](spec, answer, reasons)
        note = privacy_note(exercise_id, spec, answer)
    except Exception as err:
        return ItemResult(exercise_id, item_id, 0.0, points, [f"This answer could not be marked ({type(err).__name__}: {err})."])
    if note:
        lines = [*lines, f"Privacy check: {note}"]
    return ItemResult(exercise_id, item_id, _round(fraction * points), points, lines)


def not_run(exercise_id: str, item_id: str) -> ItemResult:
    """The result when the item's answer cell has not been run since the kernel started: 0 points, and why."""
    from alongside.answer_text import first_line  # answer_text reads the specs this module loads

    try:
        points = float(item_spec(exercise_id, item_id)["points"])
    except Exception as err:
        return ItemResult(exercise_id, item_id, 0.0, 0.0, [f"This item could not be marked ({err})."])
    return ItemResult(exercise_id, item_id, 0.0, points, [
        "I could not find your answer: its answer cell has not been run since the notebook's kernel started. "
        f"Run the answer cell (the one whose first line is {first_line(exercise_id, item_id)}), then check again."
    ])


def mark(exercise_id: str, item_id: str) -> float:
    """For nbgrader test cells: mark the answer cell's latest run, print the feedback with every
    reason, and return the points as a plain float (nbgrader's partial credit)."""
    from alongside.runs import latest

    run = latest(exercise_id, item_id)
    result = evaluate(exercise_id, item_id, run.reading.value) if run else not_run(exercise_id, item_id)
    print(result.report())
    return float(result.points)
