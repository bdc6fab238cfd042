"""Sort statements into groups (helpful or harmful, say) and say why, with feedback in words.

``StatementSorter("02-words")`` reads ``data/statements/02-words.yaml``. Each statement gets a
labelled radio group for the first choice and, where the set has a second label (the kind of
harm), a labelled drop-down for it. "Check my sorting" marks every statement with the same
rules as the graded exercise (:func:`alongside.grading.classification_results`) and says
"Right" or "Not yet" with the reason. Choices are saved as they are made.

The labels of the choices come from the set's ``choices`` entry when it has one::

    choices:
      first: {label: "Helpful or harmful?", options: {helpful: Helpful, harmful: Harmful}}
      second: {label: "If harmful, what kind?", options: {pity: Pity or tragedy, ...}}

otherwise from the labels the set's answers may use (its ``parts``). It is for the practice sets
of the course's notebooks, which keep their answers in their own files; a graded exercise's
statements are marked only by the trainer's grader (:mod:`alongside.keys`).
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from alongside.grading import answer_parts, classification_results, statement_set
from alongside.keys import KeyMissing
from alongside.store import answers
from alongside.widgets.keyboard import keep_keys

_NONE = "(choose one)"


def _options(data: dict, position: int) -> tuple[str, dict[str, str]]:
    """The label and the {value: shown text} options for one choice of a statement set."""
    spec = (data.get("choices") or {}).get("first" if position == 0 else "second") or {}
    if spec.get("options"):
        return str(spec.get("label", "Your answer")), {str(k): str(v) for k, v in spec["options"].items()}
    labels = answer_parts(data)[position]["labels"]
    label = "Your answer" if position == 0 else "Which kind?"
    return label, {v: v.replace("_", " ").capitalize() for v in labels}


class StatementSorter(widgets.VBox):
    """Statements to sort, each with labelled choices, and one button that checks them all."""

    def __init__(self, statement_set_name: str, items: list[str] | None = None):
        self.set_name = statement_set_name
        data = statement_set(statement_set_name)
        self.items = items
        self.statements = [s for s in data["statements"] if not items or s["id"] in items]
        first_label, self.first_options = _options(data, 0)
        self.has_second = len(answer_parts(data)) > 1
        second_label, self.second_options = _options(data, 1) if self.has_second else ("", {})
        saved = self._load()
        self.first, self.second, rows = {}, {}, []
        for number, statement in enumerate(self.statements, 1):
            sid = statement["id"]
            given = saved.get(sid) or []
            given = list(given) if isinstance(given, (list, tuple)) else [given]
            text = widgets.HTML(
                f'<p class="alongside-sorter-statement"><strong>{number}.</strong> '
                f"\u201c{html.escape(statement['text'])}\u201d</p>"
            )
            choice = widgets.RadioButtons(
                options=[(shown, value) for value, shown in self.first_options.items()],
                value=given[0] if given and given[0] in self.first_options else None,
                description=f"{first_label} (statement {number})",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            )
            choice.add_class("alongside-sorter-choice")
            choice.observe(lambda _change: self._save(), names="value")
            self.first[sid] = choice
            row = [text, choice]
            if self.has_second:
                kind = widgets.Dropdown(
                    options=[(_NONE, "")] + [(shown, value) for value, shown in self.second_options.items()],
                    value=given[1] if len(given) > 1 and given[1] in self.second_options else "",
                    description=f"{second_label} (statement {number})",
                    style={"description_width": "initial"},
                    layout=widgets.Layout(width="auto"),
                )
                kind.add_class("alongside-sorter-why")
                kind.observe(lambda _change: self._save(), names="value")
                self.second[sid] = kind
                row.append(kind)
            box = widgets.VBox(row)
            box.add_class("alongside-sorter-row")
            rows.append(box)
        self.check_button = widgets.Button(
            description="Check my sorting",
            tooltip="Mark every statement and show why",
            layout=widgets.Layout(width="auto"),
        )
        self.check_button.add_class("alongside-check")
        self.check_button.on_click(lambda _button: self.check())
        self.saved_note = widgets.HTML()
        self.saved_note.add_class("alongside-status")
        self.feedback = widgets.HTML()
        self.feedback.add_class("alongside-feedback")
        super().__init__([*rows, self.check_button, self.saved_note, self.feedback])
        self.add_class("alongside-sorter")
        keep_keys(self)

    @property
    def key(self) -> str:
        """Where the choices are saved in the trainee's answers."""
        return f"sorter:{self.set_name}"

    @property
    def value(self) -> dict:
        """The choices as the graded exercise wants them: statement id -> [first] or [first, second]."""
        chosen = {}
        for sid, choice in self.first.items():
            if choice.value is None:
                continue
            answer = [choice.value]
            kind = self.second.get(sid)
            if kind is not None and kind.value:
                answer.append(kind.value)
            chosen[sid] = answer
        return chosen

    def _load(self) -> dict:
        try:
            saved = answers().get(self.key, {})
        except OSError:
            saved = {}
        return saved if isinstance(saved, dict) else {}

    def _save(self) -> None:
        try:
            answers().set(self.key, self.value)
            self.saved_note.value = ""
        except OSError:
            self.saved_note.value = '<p role="status">Your choices could not be saved on this computer.</p>'

    def check(self) -> list[dict]:
        """Mark every statement, show "Right" or "Not yet" with the reason, and return the results."""
        try:
            results = classification_results(self.set_name, self.value, self.items)
        except KeyMissing:  # a graded exercise's statements: only the trainer's grader has their answers
            self.feedback.value = ('<div role="status"><p>These statements are marked by your trainer\'s grader, '
                                   "not here.</p></div>")
            return []
        lines = []
        for number, r in enumerate(results, 1):
            if r["right"] is None:
                word, why = "Not answered yet", "Choose an answer for this statement."
            elif r["right"]:
                word, why = "Right", r["why"]
            elif r["fraction"] > 0:  # an answer in two parts with one of them right
                word, why = "Half right", r["why"]
            else:
                word, why = "Not yet", r["why"]
            lines.append(f"<li><strong>{word}</strong>: statement {number}. {html.escape(why)}</li>")
        right = sum(1 for r in results if r["right"])
        self.feedback.value = (
            f'<div role="status"><p><strong>{right} of {len(results)} right.</strong></p>'
            f"<ul>{''.join(lines)}</ul></div>"
        )
        return results
