"""The rubric engine: score free text against a rubric kept as data.

A rubric (``data/rubrics/<id>.yaml``) lists criteria. Each criterion says what it looks for,
how many points it is worth, the feedback when it is met and when it is not, and one rule:

- ``any``: met when one of its phrases is found (the words found are the evidence);
- ``none``: met when none of its phrases is found (the words found are the evidence against);
- ``jargon``: met when the text uses no glossary term or acronym without explaining it;
- ``filled``: met when the text has at least ``min_words`` words (default 3);
- ``date``: met when the text gives a date ("12 March", "12/03", "Monday 4th");
- ``duration``: met when the text gives a length of time ("six weeks", "1 term", "a fortnight",
  "6 wks", "until 12 March", "until half term");
- ``anonymous``: met when the privacy check (:mod:`alongside.privacy`) finds nothing that could
  identify someone (the details it finds are the evidence against), so the criterion and the
  privacy warning always agree.

A criterion with a ``field`` checks only that field of a structured answer (a dict), so the
same engine scores plans entered as data; without one it reads every field. When the rubric
lists its ``fields``, keys it does not list are ignored; values that are not text, numbers or
lists of them count as empty.

Phrases come from the criterion's own ``patterns`` and from the language checker's categories
named in ``uses``. ``uses: all`` makes the criterion a harm criterion: the language checker, the
one judge of words that hurt (its patterns and its learned second opinion), decides, so no rubric
rewards what the checker flags. ``skip_harm: true`` on an ``any`` criterion passes over sentences
the checker flags ("you must be so worried" is not an acknowledgement); a criterion ``within: text``
reads its ``unless`` over the whole answer, those sentences included.

A criterion may be ``same_as: <rubric>.<criterion>``: it is that criterion, defined once in that
rubric (with its learned model), and any key it gives itself (id, points, feedback) wins.

Where ``data/models/<rubric>.<criterion>.json`` exists (made by ``alongside.train_marking``), its
learned model gives a second opinion that is combined with the patterns (:mod:`alongside.learned`).

An answer far past the rubric's ``max_words`` or the checkers' limit (``text.MAX_CHARS``), mostly
markup or symbols, or pasted over and over gets one message and no points, as does an empty one. One engine serves the widgets, the nbgrader
tests and the command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from alongside.data import DataError, list_names, load_yaml
from alongside.glossary import find_jargon
from alongside.learned import model
from alongside.matching import PhraseList
from alongside.text import MAX_CHARS, junk_reason, limit_message, normalise, sentences, size, strip_stub, words

RULES = ("any", "none", "jargon", "filled", "date", "duration", "anonymous")

_DATE = re.compile(
    r"\b(\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?|\d{4}-\d{2}-\d{2}|\d{1,2}(st|nd|rd|th)?\s+(of\s+)?"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*|(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
    r"\s+\d{1,2}(st|nd|rd|th)?|(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b[^.]{0,12}\d{1,2})",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a|half a)[- ]\s*"
    r"(day|week|wk|month|mth|term|half[- ]term|year)s?\b|\b(a |one |two )?fortnights?\b"
    r"|\b(until|till|up to|through to|to the end of)\s+(half[- ]term|christmas|easter|the (end of )?(term|summer|holidays))\b",
    re.IGNORECASE,
)
_UNTIL = re.compile(r"\b(until|till|up to|through to)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Criterion:
    """One thing a rubric looks for, with its points and feedback."""

    id: str
    looks_for: str
    points: float
    rule: str
    phrases: tuple[PhraseList, ...]
    met: str
    not_met: str
    field: str | None = None
    min_words: int = 3
    rubric: str = ""
    harm: bool = False
    harm_except: tuple[str, ...] = ()
    skip_harm: bool = False
    model_name: str = ""  # the learned model's name, when not "<rubric>.<id>" (a ``same_as`` criterion)

    def check(self, text: str) -> tuple[bool, str]:
        """Return (met, evidence) for this criterion on a text: the patterns' verdict, combined
        with the learned model's where one exists."""
        met, evidence, hit = self._rules(text)
        learned = model(self.model_name or f"{self.rubric}.{self.id}") if self.rule in ("any", "none") else None
        if learned is None:
            return met, evidence
        present = learned.present(text, hit)
        final = present if self.rule == "any" else not present
        if final == met:
            return met, evidence
        return final, (learned.telling_sentence(text, hit) if present else "")

    def _rules(self, text: str) -> tuple[bool, str, bool]:
        """(met, evidence, whether the patterns found something) from the rules alone."""
        met, evidence = self._rule_check(text)
        return met, evidence, (met if self.rule == "any" else not met)

    def _rule_check(self, text: str) -> tuple[bool, str]:
        if self.rule == "filled":
            return len(words(text)) >= self.min_words, " ".join(words(text)[:12])
        if self.rule == "date":
            found = _DATE.search(text)
            return bool(found), found.group(0) if found else ""
        if self.rule == "duration":
            found = _DURATION.search(text)
            if found:
                return True, found.group(0)
            for date in _DATE.finditer(text):  # "until 12 March" gives a length too
                before = _UNTIL.search(text[: date.start()])
                if before:
                    return True, text[before.start() : date.end()]
            return False, ""
        if self.rule == "jargon":
            found = find_jargon(text)
            return (not found, ", ".join(j.term for j in found))
        if self.rule == "anonymous":
            from alongside.privacy import personal_details

            details = personal_details(text)
            return not details, "; ".join(dict.fromkeys(d["text"] for d in details))
        lists = self.phrases
        if self.skip_harm:
            # a whole-answer ``unless`` still reads the sentences about to be passed over
            lists = [phrases for phrases in lists if not phrases.excuses(text)]
            text = "\n\n".join(s for s in sentences(text) if not harmful_words(s))
        hits = [hit.phrase for phrases in lists for hit in phrases.find(text)]
        if self.harm:
            hits += harmful_words(text, self.harm_except)
        if self.rule == "any":
            return bool(hits), hits[0] if hits else ""
        return not hits, "; ".join(dict.fromkeys(hits))


def harmful_words(text: str, leave_out: tuple[str, ...] = ()) -> list[str]:
    """What the language checker, the one judge of words that hurt, flags in a text (leaving out
    the categories with the ids given, which another criterion of the rubric judges)."""
    from alongside.language import check_language

    return [flag["phrase"] for flag in check_language(text)["flags"] if flag["id"] not in leave_out]


@dataclass(frozen=True)
class Rubric:
    """A named set of criteria, with the prompt it scores and its word limits."""

    id: str
    title: str
    prompt: str
    criteria: tuple[Criterion, ...]
    min_words: int = 1
    too_short: str = "Write a fuller answer, then check it again."
    fields: tuple[str, ...] = ()
    max_words: int = 600

    @property
    def max(self) -> float:
        """The most points this rubric gives."""
        return sum(c.points for c in self.criteria)


@dataclass
class CriterionResult:
    """How one criterion went: met or not, the words that decided it, and what to do next."""

    met: bool
    evidence: str
    feedback: str
    points: float
    max: float


@dataclass
class Score:
    """A rubric's verdict on one answer."""

    rubric: str
    score: float
    max: float
    criteria: dict[str, CriterionResult]
    message: str = ""

    def to_dict(self) -> dict:
        """The verdict as the command line prints it."""
        return {
            "rubric": self.rubric,
            "score": self.score,
            "max": self.max,
            "message": self.message,
            "criteria": {
                cid: {"met": r.met, "evidence": r.evidence, "feedback": r.feedback}
                for cid, r in self.criteria.items()
            },
        }

    def feedback_lines(self) -> list[str]:
        """One line per criterion, starting 'Met' or 'Not yet', for a trainee to act on; one line
        only when the answer could not be marked (empty, far too long, or not words)."""
        if self.message:
            return [self.message]
        return [
            f"{'Met' if r.met else 'Not yet'} ({_fmt(r.points)}/{_fmt(r.max)}): {r.feedback}"
            for r in self.criteria.values()
        ]


def _fmt(number: float) -> str:
    return f"{number:g}"


def _language_phrases(category_id: str, where: str) -> PhraseList:
    from alongside.language import category_phrases

    try:
        return category_phrases(category_id)
    except KeyError:
        raise DataError(f"{where}: 'uses' names unknown language category {category_id!r}") from None


def _borrowed(entry: dict, where: str) -> tuple[dict, str]:
    """A ``same_as: <rubric>.<criterion>`` entry filled in from that criterion's own entry (what
    this entry gives itself wins), and the name of that criterion's learned model. One criterion,
    defined once, can then serve several rubrics: a listening reply is acknowledged the same way
    whoever the parent is."""
    source = entry.get("same_as")
    if source is None:
        return entry, ""
    rubric_id, _, criterion_id = str(source).partition(".")
    if rubric_id not in rubric_ids():
        raise DataError(f"{where}: same_as names unknown rubric {rubric_id!r}")
    for other in load_yaml("rubrics", f"{rubric_id}.yaml").get("criteria", []):
        if str(other.get("id")) == criterion_id:
            if "same_as" in other:
                raise DataError(f"{where}: same_as must name a criterion defined in full, not {source!r}")
            merged = {**other, **{k: v for k, v in entry.items() if k != "same_as"}}
            return merged, f"{rubric_id}.{criterion_id}"
    raise DataError(f"{where}: same_as names unknown criterion {source!r}")


def _criterion(entry: dict, rubric_id: str) -> Criterion:
    where = f"rubric {rubric_id}, criterion {entry.get('id', '?')}"
    entry, model_name = _borrowed(entry, where)
    try:
        rule = entry.get("rule", "any")
        if rule not in RULES:
            raise DataError(f"{where}: rule must be one of {', '.join(RULES)}, not {rule!r}")
        phrases = []
        if entry.get("patterns"):
            phrases.append(
                PhraseList.from_data(entry["patterns"], entry.get("unless"), entry.get("within", "sentence"), where,
                                     scope=entry.get("scope", rule == "none"))
            )
        uses = entry.get("uses", [])
        harm = uses == "all"
        if not harm:
            phrases.extend(_language_phrases(cat, where) for cat in uses)
        if rule in ("any", "none") and not phrases and not harm:
            raise DataError(f"{where}: needs 'patterns' or 'uses'")
        return Criterion(
            id=str(entry["id"]),
            looks_for=str(entry["looks_for"]).strip(),
            points=float(entry.get("points", 1)),
            rule=rule,
            phrases=tuple(phrases),
            met=str(entry["met"]).strip(),
            not_met=str(entry["not_met"]).strip(),
            field=entry.get("field"),
            min_words=int(entry.get("min_words", 3)),
            rubric=rubric_id,
            harm=harm,
            harm_except=tuple(entry.get("except") or ()),
            skip_harm=bool(entry.get("skip_harm", False)),
            model_name=model_name,
        )
    except KeyError as err:
        raise DataError(f"{where}: missing {err}") from None


@lru_cache(maxsize=None)
def load_rubric(rubric_id: str) -> Rubric:
    """Load a rubric by id from ``data/rubrics``; raise KeyError if there is no such rubric."""
    if rubric_id not in rubric_ids():
        raise KeyError(rubric_id)
    data = load_yaml("rubrics", f"{rubric_id}.yaml")
    criteria = tuple(_criterion(entry, rubric_id) for entry in data.get("criteria", []))
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids) or not ids:
        raise DataError(f"rubric {rubric_id}: criterion ids must be present and unique")
    return Rubric(
        id=rubric_id,
        title=data.get("title", rubric_id),
        prompt=str(data.get("prompt", "")).strip(),
        criteria=criteria,
        min_words=int(data.get("min_words", 1)),
        too_short=str(data.get("too_short", Rubric.too_short)).strip(),
        fields=tuple(str(f["id"]) for f in data.get("fields") or [] if isinstance(f, dict) and "id" in f),
        max_words=int(data.get("max_words", Rubric.max_words)),
    )


def rubric_ids() -> list[str]:
    """The ids of every rubric shipped with the course."""
    return list_names("rubrics")


def score(rubric: Rubric | str, answer: object) -> Score:
    """Score an answer against a rubric; any input gives a Score, never an exception.

    Text shorter than the rubric's ``min_words`` (or not text at all) meets no criterion,
    so a blank answer earns nothing even on "avoid this" criteria; nor does an answer longer than
    ``MAX_CHARS`` characters in all (a plan's parts counted together), which is not read at all.
    """
    if isinstance(rubric, str):
        rubric = load_rubric(rubric)
    if size(answer) > MAX_CHARS:
        return _unmarked(rubric, limit_message("plan" if rubric.fields else "answer"))
    fields, text = answer_text(rubric, answer)
    if len(words(text)) < rubric.min_words:
        if rubric.fields and answer is not None and not isinstance(answer, dict):
            parts = ", ".join(f'"{f}": "..."' for f in rubric.fields[:2])
            reason = (f"Your plan should be a dict like {{{parts}, ...}}, not {type(answer).__name__}. "
                      f"{rubric.too_short}")
        elif rubric.fields and isinstance(answer, dict) and answer and not set(map(str, answer)) & set(rubric.fields):
            names = ", ".join(f'"{f}"' for f in rubric.fields)
            reason = f"Your plan has none of the parts {names}: check the names in quotes. {rubric.too_short}"
        elif isinstance(answer, (str, dict)) or answer is None:
            reason = rubric.too_short
        else:
            reason = f"Your answer should be text in quotes, not {type(answer).__name__}. {rubric.too_short}"
        return _unmarked(rubric, reason)
    problem = _not_markable(text, rubric)
    if problem:
        return _unmarked(rubric, problem)
    results = {}
    for criterion in rubric.criteria:
        met, evidence = criterion.check(fields.get(criterion.field, "") if criterion.field else text)
        template = criterion.met if met else criterion.not_met
        results[criterion.id] = CriterionResult(
            met=met,
            evidence=evidence,
            feedback=template.replace("{evidence}", evidence),
            points=criterion.points if met else 0.0,
            max=criterion.points,
        )
    return Score(rubric.id, sum(r.points for r in results.values()), rubric.max, results)


def answer_text(rubric: Rubric, answer: object) -> tuple[dict[str, str], str]:
    """An answer as the rubric reads it: its fields (only those the rubric lists, for a plan)
    and all of its text."""
    fields = _fields(answer)
    if rubric.fields:  # a plan: only the fields the rubric lists count
        fields = {k: v for k, v in fields.items() if k in rubric.fields}
    return fields, "\n\n".join(fields.values())


def _unmarked(rubric: Rubric, reason: str) -> Score:
    """A Score of nothing, with one message saying why the answer could not be marked."""
    results = {c.id: CriterionResult(False, "", reason, 0.0, c.points) for c in rubric.criteria}
    return Score(rubric.id, 0.0, rubric.max, results, message=reason)


def _not_markable(text: str, rubric: Rubric) -> str:
    """Why a text is not an answer to mark (far too long, mostly markup or symbols, or the same
    sentence pasted over and over), or "" when it can be marked."""
    count = len(words(text))
    if count > rubric.max_words:
        return (f"Your answer is {count} words long; this one asks for far fewer (at most {rubric.max_words}). "
                "Cut it down to what you would really say or write, then check again.")
    return junk_reason(text, "answer")


def _fields(answer: object) -> dict[str, str]:
    """The answer as named pieces of text: a dict's text fields, or one piece called 'text'."""
    if isinstance(answer, str):
        return {"text": normalise(strip_stub(answer))}
    if isinstance(answer, dict):
        return {str(k): normalise(strip_stub(_as_text(v))) for k, v in answer.items()}
    return {}


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "\n".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_as_text(v)}" for k, v in value.items())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def describe(rubric: Rubric | str) -> list[dict]:
    """The rubric's criteria as plain records (id, looks_for, points) for display."""
    if isinstance(rubric, str):
        rubric = load_rubric(rubric)
    return [{"id": c.id, "looks_for": c.looks_for, "points": c.points} for c in rubric.criteria]


__all__ = ["Criterion", "CriterionResult", "Rubric", "Score", "answer_text", "describe", "harmful_words", "load_rubric", "rubric_ids", "score"]
