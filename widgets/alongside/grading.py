"""Mark exercise answers: the same marks and words for a trainee's self-check and for nbgrader.

Each exercise is described in ``data/exercises/<id>.yaml``: its items, their titles, how each
is marked and its points. A trainee writes each answer as plain text in an answer cell
(:mod:`alongside.answer_text` reads it into the shapes below). Kinds of item:

- ``rubric``: free text (or a plan of labelled parts) scored by a rubric (:mod:`alongside.rubric`);
- ``classification``: statement id -> label(s), marked against a statement set
  (``data/statements/<name>.yaml``, which a trainee may see) and its answer key (the trainer's
  ``answer-keys.yaml``), with the reason for each one missed;
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
cell's latest run, prints the feedback with every reason and returns the points). Every kind
gives an :class:`ItemResult` whose ``criteria`` (one :class:`CriterionResult` each) are the one
marking: the points add up from them, the trainee's lines come from them, and the cohort report
reads them. The trainee's self-check (:func:`alongside.self_check.check`) gives the same points,
but statements to sort are only marked by the grader: their answers are in the trainer's answer
key (:mod:`alongside.keys`), which the self-check never reads. Nothing here ever raises: a missing
or wrong-shaped answer earns 0 with a message saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alongside import keys
from alongside import rubric as rubric_engine
from alongside.data import load_yaml
from alongside.text import MAX_CHARS, normalise, strip_stub

NOT_MARKED_HERE = ("Marked by your trainer's grader after you submit: your feedback then gives the points "
                   "and the reason for each one.")
NO_KEY = ("The answer key is not available on this computer, so this answer could not be marked here. "
          "Your trainer's grader marks it.")


@dataclass
class CriterionResult:
    """How one thing an item looks for went: a rubric criterion, a statement to sort, a part of a
    reflection, a check of a letter, or (id ``r1/<criterion>``) one criterion of one rewrite."""

    id: str
    looks_for: str
    met: bool | None  # None when it was not judged (the self-check has no answer key)
    points: float  # on the item's scale
    max: float
    feedback: str  # the line the trainee reads for it ("" when it adds nothing to the notes)


@dataclass
class ItemResult:
    """The mark for one exercise item: its criteria, and the notes that are not criteria."""

    exercise: str
    item: str
    points: float
    max: float
    criteria: list[CriterionResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """The feedback lines a trainee reads: each criterion's line, then the notes."""
        return [c.feedback for c in self.criteria if c.feedback] + list(self.notes)

    @property
    def marked(self) -> bool:
        """False when some criterion could not be judged here, so the points are not a mark yet."""
        return all(c.met is not None for c in self.criteria)

    @classmethod
    def from_dict(cls, data: dict) -> "ItemResult":
        """The result again from its ``dataclasses.asdict`` form (as the grader saves it)."""
        criteria = [CriterionResult(**c) for c in data.get("criteria", [])]
        return cls(**{**data, "criteria": criteria})

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
    """A set of statements as a trainee may see it, from data/statements/<name>.yaml: ids and
    texts, the hint, the choices, the aliases and the labels an answer may use (``parts``).
    A graded set has no answers here: they are in the trainer's key (:mod:`alongside.keys`)."""
    return load_yaml("statements", f"{name}.yaml")


def graded_sets() -> set[str]:
    """The statement sets a graded exercise uses: their answers are only in the trainer's key."""
    from alongside.data import list_names

    return {str(item["statements"]) for ex in list_names("exercises")
            for item in exercise(ex)["items"] if item.get("statements")}


def statement_key(name: str) -> dict[str, dict]:
    """Statement id -> its answer and reasons (``answer``, ``why``, ``why_right``). A graded set's
    come from the trainer's key file (KeyMissing when it is not on this computer); a practice set
    used in the course's notebooks keeps its own in its file."""
    if name in graded_sets():
        return keys.answer_key(name)
    return {s["id"]: s for s in statement_set(name)["statements"]}


def label_key(value: object) -> str:
    """An answer label the way labels are compared: lower case, single spaces for spaces, _ and -."""
    return re.sub(r"[\s_-]+", " ", normalise(str(value)).strip().lower())


def canonical_label(value: object, aliases: dict) -> str:
    """An answer label as the key has it: compared as :func:`label_key` does, an alias made its label."""
    text = label_key(value)
    return aliases.get(text, text)


def canonical_aliases(data: dict) -> dict:
    """The statement set's aliases, keyed the way answers are compared (lower case, single spaces)."""
    return {label_key(k): label_key(v) for k, v in (data.get("aliases") or {}).items()}


def answer_parts(data: dict) -> list[dict]:
    """The parts an answer has, in order, each ``{"labels": [...], "after": [...] or None, "name": ...}``
    with labels compared the way answers are. From the set's ``parts`` list, else from its ``choices``."""
    aliases = canonical_aliases(data)
    listed = data.get("parts")
    if not listed:
        choices = data.get("choices") or {}
        listed = [{"labels": list((choices[k].get("options") or {}))} for k in ("first", "second") if k in choices]
    return [{"labels": [canonical_label(v, aliases) for v in part.get("labels") or []],
             "after": [canonical_label(v, aliases) for v in part["after"]] if part.get("after") else None,
             "name": str(part.get("name", ""))} for part in listed]


def _round(value: float) -> float:
    return round(value * 4) / 4 if value else 0.0


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _empty(given: object) -> bool:
    return given is None or given == "" or given == () or given == []


def _statements(spec_or_set: dict | str, wanted: list | None = None) -> list[dict]:
    data = statement_set(spec_or_set) if isinstance(spec_or_set, str) else spec_or_set
    return [s for s in data["statements"] if not wanted or s["id"] in wanted]


def _not_a_dict(statements: list[dict]) -> str:
    return (f"I could not read this answer. Write one line for each statement, such as "
            f"\"{statements[0]['id']}: ...\".")


def classification_results(set_name: str, answer: object, wanted: list | None = None) -> list[dict]:
    """Mark a dict of statement id -> label(s) against a statement set's key, one result per statement.

    Each result is ``{"id", "text", "given", "fraction", "right", "why"}``: ``right`` is None when
    no answer was given, else True or False; ``fraction`` is the share of positions right;
    ``why`` is the reason to show. A place answered twice earns nothing: in "parent, practitioner,
    both" the extra labels are other answers for the first place, so hedging cannot score (a
    label that only ever fills a later place, such as a kind of harm after "helpful", is not).
    Raises TypeError when ``answer`` is not a dict, and KeyMissing when a graded set's key is not
    on this computer.
    """
    data = statement_set(set_name)
    statements = _statements(data, wanted)
    if not isinstance(answer, dict):
        raise TypeError(_not_a_dict(statements))
    key = statement_key(set_name)
    aliases = canonical_aliases(data)
    places = [set(part["labels"]) for part in answer_parts(data)]
    results = []
    for statement in statements:
        entry = key[statement["id"]]
        right_labels = [canonical_label(v, aliases) for v in _as_list(entry["answer"])]
        given = answer.get(statement["id"])
        result = {"id": statement["id"], "text": statement["text"], "given": given, "fraction": 0.0}
        if _empty(given):
            results.append({**result, "right": None, "why": "No answer yet."})
            continue
        labels = [canonical_label(v, aliases) for v in _as_list(given)]
        extra = set(labels[len(right_labels):])
        right = sum(1 for i, k in enumerate(right_labels)
                    if i < len(labels) and labels[i] == k and not extra & (places[i] if i < len(places) else set()))
        done = right == len(right_labels)
        why = entry.get("why_right", "") if done else entry["why"]
        results.append({**result, "fraction": right / len(right_labels), "right": done, "why": str(why).strip()})
    return results


def _classification(spec: dict, answer: object, reasons: bool, points: float) -> tuple[list, list[str]]:
    statements = _statements(spec["statements"], spec.get("items"))
    share = points / len(statements)
    if not isinstance(answer, dict):
        return _unmarked(statements, share, False), [_not_a_dict(statements)]
    if not reasons:
        return _classification_form(spec, answer, share)
    try:
        results = classification_results(spec["statements"], answer, spec.get("items"))
    except keys.KeyMissing:
        return _unmarked(statements, share, None), [NO_KEY]
    criteria = []
    for r in results:
        short = r["text"] if len(r["text"]) < 70 else r["text"][:67] + "..."
        if r["right"] is None:
            line = f"{r['id']} (\"{short}\"): no answer yet."
        elif r["right"]:
            line = f"{r['id']}: Right. {r['why']}".strip()
        else:
            line = f"{r['id']} (\"{short}\"): Not yet. {r['why']}"
        criteria.append(CriterionResult(r["id"], _short(r["text"]), bool(r["right"]), r["fraction"] * share, share, line))
    return criteria, []


def _unmarked(statements: list[dict], share: float, met: bool | None) -> list[CriterionResult]:
    """A criterion for each statement, none of them earning anything: ``met`` False (no answer to
    read) or None (not judged, for want of the key)."""
    return [CriterionResult(s["id"], _short(s["text"]), met, 0.0, share, "") for s in statements]


def _classification_form(spec: dict, answer: dict, share: float) -> tuple[list, list[str]]:
    """The self-check of statements to sort, with no answer key: is each answer there and in a form
    the grader can read? Never which answer is right, so nothing is marked met here."""
    data = statement_set(spec["statements"])
    parts = answer_parts(data)
    aliases = canonical_aliases(data)
    criteria, empty = [], []
    for statement in _statements(data, spec.get("items")):
        sid, given = statement["id"], answer.get(statement["id"])
        if _empty(given):
            empty.append(sid)
            criteria.append(CriterionResult(sid, _short(statement["text"]), False, 0.0, share, ""))
            continue
        labels = [canonical_label(v, aliases) for v in _as_list(given)]
        problems, fits = _form_problems(sid, labels, parts)
        criteria.append(CriterionResult(sid, _short(statement["text"]), None if fits else False, 0.0, share,
                                        " ".join(problems)))
    readable = sum(1 for c in criteria if c.met is None and not c.feedback)
    notes = [f"Ready for the grader: {readable} of {len(criteria)} statements have an answer it can read."]
    if empty:
        notes.append(f"No answer yet: {', '.join(empty)}.")
    hint = " ".join(str(data.get("hint", "")).split())
    if hint:
        notes.append(hint)
    notes.append(NOT_MARKED_HERE)
    return criteria, notes


def _form_problems(sid: str, labels: list[str], parts: list[dict]) -> tuple[list[str], bool]:
    """What is wrong with the form of one statement's answer (never whether it is right), and
    whether any of its labels could count."""
    if not parts:
        return [], True
    wanted = [parts[0]] + [p for p in parts[1:] if p["after"] is None or (labels and labels[0] in p["after"])]
    problems, fits = [], False
    for i, label in enumerate(labels[: len(wanted)]):
        part = wanted[i]
        if label in part["labels"]:
            fits = True
            continue
        where = f" for {part['name']}" if part["name"] else ""
        problems.append(f"{sid}: \"{label}\" is not one of the answers{where}. "
                        f"Use one of: {', '.join(part['labels'])}.")
    for part in wanted[len(labels):]:
        problems.append(f"{sid}: add {part['name'] or 'the next part'}.")
    extra = set(labels[len(wanted):])
    hedged = any(extra & set(part["labels"]) for part in wanted)  # another answer for a part already given
    if extra and not hedged and len(wanted) < len(parts):
        problems.append(f"{sid}: \"{labels[0]}\" needs nothing after it.")
    elif extra:
        problems.append(f"{sid}: give one answer for each part, not more ({len(wanted)} in all)."
                        if len(wanted) > 1 else f"{sid}: give one answer, not more.")
    return problems, fits


def _rubric_criteria(rubric_id: str, answer: object, points: float, prefix: str = "",
                     indent: str = "") -> tuple[list[CriterionResult], rubric_engine.Score]:
    """Score an answer by a rubric: one CriterionResult per rubric criterion (points on a scale
    where the whole rubric is worth ``points``), and the rubric's own verdict."""
    rubric = rubric_engine.load_rubric(rubric_id)
    scored = rubric_engine.score(rubric, answer)
    scale = points / scored.max if scored.max else 0.0
    criteria = [CriterionResult(f"{prefix}{c.id}", c.looks_for, scored.criteria[c.id].met,
                                scored.criteria[c.id].points * scale, c.points * scale,
                                f"{indent}{line}")
                for c, line in zip(rubric.criteria, _rubric_lines(scored))]
    return criteria, scored


def _rubric_lines(scored: rubric_engine.Score) -> list[str]:
    return [f"{'Met' if r.met else 'Not yet'} ({r.points:g} of {r.max:g}): {r.feedback}" for r in scored.criteria.values()]


def _rubric(spec: dict, answer: object, _reasons: bool, points: float) -> tuple[list, list[str]]:
    return _rubric_criteria(spec["rubric"], answer, points)[0], []


def _rewrites(spec: dict, answer: object, _reasons: bool, points: float) -> tuple[list, list[str]]:
    """Each rewrite: one criterion for itself (its score, or that it is the original), carrying no
    points of its own, then its rubric's criteria as ``<id>/<criterion>``."""
    originals = {s["id"]: s["text"] for s in _statements(spec["statements"], spec["items"])}
    share = points / len(spec["items"])
    if not isinstance(answer, dict):
        answer, notes = {}, [f"I could not read this answer. Write each rewrite on a line that starts with its label, "
                             f"such as \"{spec['items'][0]}: ...\"."]
    else:
        notes = []
    criteria = []
    for sid in spec["items"]:
        text = answer.get(sid)
        scored, verdict = _rubric_criteria(spec["rubric"], text, share, f"{sid}/", "  ")
        copied = isinstance(text, str) and _same_words(text, originals[sid])
        if copied or notes:  # a copy of the original earns nothing; so does an answer that could not be read
            line = f"{sid}: this is the same as the original. Rewrite it in your own words." if copied else ""
            scored = [CriterionResult(c.id, c.looks_for, False, 0.0, c.max, "") for c in scored]
        else:
            line = f"{sid}: {verdict.score:g} of {verdict.max:g}."
        criteria.append(CriterionResult(sid, f"{sid} is rewritten in new words, not copied",
                                        not (copied or notes) and verdict.score > 0, 0.0, 0.0, line))
        criteria.extend(scored)
    return criteria, notes


def _same_words(a: str, b: str) -> bool:
    squash = lambda s: re.sub(r"\W+", " ", normalise(strip_stub(s)).lower()).strip()  # noqa: E731
    return len(a) <= MAX_CHARS and squash(a) == squash(b)  # a longer text is refused by the rubric


def _reflection_parts(spec: dict, answer: object, _reasons: bool, points: float) -> tuple[list, list[str]]:
    from alongside.reflection import PARTS, ReflectionError, reflection_parts, settings

    names = settings()["parts"]
    share = points / len(PARTS)
    text = strip_stub(answer) if isinstance(answer, str) else answer
    try:
        found = reflection_parts(text)
    except ReflectionError as err:  # nothing to read: every part is missing, and the message says why
        return [CriterionResult(p, f"The reflection has a {names[p]['name']} part", False, 0.0, share, "")
                for p in PARTS], [str(err)]
    criteria = []
    for p in PARTS:
        met = p not in found["missing"]
        criteria.append(CriterionResult(p, f"The reflection has a {names[p]['name']} part", met, share if met else 0.0,
                                        share, f"{'Met' if met else 'Not yet'}: {names[p]['name']}"))
    return criteria, [found["feedback"]]


def _letter(spec: dict, answer: object, _reasons: bool, points: float) -> tuple[list, list[str]]:
    from alongside.letter import LetterError, check_letter, grade_words, readable, rules

    limits = rules()
    looks_for = [(item.id, item.label) for item in limits.items]
    looks_for += [("grade", f"A reading age of {limits.max_reading_age} or below (aim for {limits.aim_reading_age})"),
                  ("jargon", "No unexplained jargon"),
                  ("blame", "No blaming or threatening words")]
    share = points / len(looks_for)
    try:
        found = check_letter(strip_stub(answer) if isinstance(answer, str) else answer)
    except LetterError as err:  # not a letter: every check is not met, and the message says why
        return [CriterionResult(cid, what, False, 0.0, share, "") for cid, what in looks_for], [str(err)]
    checks = {item.id: (item.label, found["no_surprises"][item.id], item.missing) for item in limits.items}
    checks["grade"] = (f"{grade_words(found['grade'])[0].upper()}{grade_words(found['grade'])[1:]}, "
                       f"{limits.max_reading_age} or below passes (aim for {limits.aim_reading_age})",
                       readable(found["grade"]), "Use shorter sentences and everyday words.")
    checks["jargon"] = ("No unexplained jargon", not found["jargon"],
                        "Explain or replace: " + "; ".join(f"{j['term']} ({j['plain']})" for j in found["jargon"]))
    checks["blame"] = ("No blaming or threatening words", not found["blame"],
                       "Rewrite: " + "; ".join(f"\"{b['phrase']}\" ({b['suggestion']})" for b in found["blame"]))
    criteria = []
    for cid, what in looks_for:
        label, ok, fix = checks[cid]
        line = f"{'Met' if ok else 'Not yet'}: {label}." + ("" if ok else f" {fix}")
        criteria.append(CriterionResult(cid, what, bool(ok), share if ok else 0.0, share, line))
    return criteria, ["The letter passes the letter checker." if found["passes"] else "The letter does not pass yet."]


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


def evaluate(exercise_id: str, item_id: str, answer: object, reasons: bool = True,
             points: float | None = None) -> ItemResult:
    """Mark one answer to one item. Never raises: a problem becomes 0 points and a message.

    ``points`` is the item's maximum when given (the grader passes nbgrader's cell points), else
    the spec's. The points are the criteria's points added up, to the nearest quarter.
    With ``reasons=False`` (the trainee's self-check) statements to sort are not marked, and the
    answer key is never read: the result says whether each statement has an answer the grader can
    read, gives the set's hint, and 0 points, with a line saying the grader marks it.
    """
    try:
        spec = item_spec(exercise_id, item_id)
        points = float(spec["points"] if points is None else points)
    except Exception as err:  # a broken spec must not stop a cohort's grading
        return ItemResult(exercise_id, item_id, 0.0, 0.0, notes=[f"This item could not be marked ({err})."])
    try:
        criteria, notes = _KINDS[spec["kind"]](spec, answer, reasons, points)
        note = privacy_note(exercise_id, spec, answer)
    except Exception as err:
        return ItemResult(exercise_id, item_id, 0.0, points,
                          notes=[f"This answer could not be marked ({type(err).__name__}: {err})."])
    if note:
        notes = [*notes, f"Privacy check: {note}"]
    return ItemResult(exercise_id, item_id, _round(sum(c.points for c in criteria)), points, criteria, notes)


def not_run(exercise_id: str, item_id: str) -> ItemResult:
    """The result when the item's answer cell has not been run since the kernel started: 0 points, and why."""
    from alongside.answer_text import first_line  # answer_text reads the specs this module loads

    try:
        points = float(item_spec(exercise_id, item_id)["points"])
    except Exception as err:
        return ItemResult(exercise_id, item_id, 0.0, 0.0, notes=[f"This item could not be marked ({err})."])
    return ItemResult(exercise_id, item_id, 0.0, points, notes=[
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
