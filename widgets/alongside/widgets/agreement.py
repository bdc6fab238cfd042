"""Build an agreement plan field by field, and check it against the same rubric as the exercise.

The fields (their ids, labels and hints) are data: the ``fields`` list of a rubric file such as
``data/rubrics/agreement-plan.yaml``. Every field saves itself as it is typed, so a restart or a
closed tab loses nothing, and a privacy note appears as soon as the plan seems to identify a real
family (:mod:`alongside.privacy`). "Check my plan" scores the plan with the rubric engine and shows, for
each criterion, "Met" or "Not yet" with what to do next. ``.value`` is the plan as a dict of
field id -> text; :meth:`AgreementBuilder.as_lines` gives it as the labelled lines a trainee
copies into the graded exercise's answer cell.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from alongside import rubric as rubric_engine
from alongside.answer_text import plan_fields
from alongside.labelled import Field, labelled_lines
from alongside.privacy import module_for, warning
from alongside.store import answers
from alongside.widgets.keyboard import keep_keys
from alongside.widgets.reflection_box import privacy_html


# Long labels wrap, and each hint sits on its own line under the field's name.
_STYLE = (
    ".alongside-plan-field .widget-label { white-space: normal; width: 100%; max-width: 100%; height: auto;"
    " line-height: 1.4; text-align: left; margin: 0.6em 0 0.3em 0; }"
    " .alongside-plan-field .alongside-hint { display: block; font-weight: normal; }"
    " .alongside-plan-field > textarea { align-self: stretch; }"
)


def label_html(field: dict) -> str:
    """A field's visible label: its name in bold, then its hint (both read out as the box's label)."""
    hint = f' <span class="alongside-hint">{html.escape(field["hint"])}</span>' if field["hint"] else ""
    return f"<strong>{html.escape(field['label'])}.</strong>{hint}"


def feedback_html(result: rubric_engine.Score, labels: dict[str, str]) -> str:
    """A plan's score as HTML: the total in words, then per criterion "Met" or "Not yet", the part
    of the plan it is about (``labels``: field id -> label) and what to do next."""
    loaded = rubric_engine.load_rubric(result.rubric)
    items = []
    for criterion in loaded.criteria:
        r = result.criteria[criterion.id]
        part = labels.get(criterion.field, "The whole plan") if criterion.field else "The whole plan"
        items.append(
            f"<li><strong>{'Met' if r.met else 'Not yet'}</strong> ({r.points:g} of {r.max:g}), "
            f"{html.escape(part)}: {html.escape(r.feedback)}</li>"
        )
    return (
        f'<p role="status" aria-live="polite"><strong>Your plan: {result.score:g} of {result.max:g} points.</strong></p>'
        f'<ul class="alongside-feedback">{"".join(items)}</ul>'
    )


class AgreementBuilder(widgets.VBox):
    """A form for an agreement plan: one labelled box per field, saved as you type, with "Check my plan".

    ``AgreementBuilder()`` builds the plan of module 05 (rubric ``agreement-plan``). The plan is
    saved under ``key`` (by default ``plan:<rubric_id>``) in the trainee's answers.
    """

    def __init__(self, rubric_id: str = "agreement-plan", key: str | None = None):
        self.rubric_id = rubric_id
        self.key = key or f"plan:{rubric_id}"
        self.module = module_for(self.key, rubric_id)  # whose cast the plan may name
        self.fields = plan_fields(rubric_id)
        saved = self._load()
        self.boxes: dict[str, widgets.Textarea] = {}
        for field in self.fields:
            box = widgets.Textarea(
                value=saved.get(field["id"], ""),
                description=label_html(field),
                description_allow_html=True,
                rows=3,
                style={"description_width": "initial"},
                # "auto", as in the reflection box: never wider than the cell
                layout=widgets.Layout(width="auto", flex_flow="column"),
            )
            box.add_class("alongside-plan-field")
            box.observe(lambda _change: self._save(), names="value")
            self.boxes[field["id"]] = box
        self.check_button = widgets.Button(description="Check my plan", tooltip="Check each part of your plan")
        self.check_button.add_class("alongside-check")
        self.check_button.on_click(lambda _button: self.check())
        self.saved_status = widgets.HTML()
        self.saved_status.add_class("alongside-status")
        self.privacy = widgets.HTML()
        self.privacy.add_class("alongside-privacy")
        self.feedback = widgets.HTML()
        self.feedback.add_class("alongside-feedback")
        self._show_privacy()
        title = rubric_engine.load_rubric(rubric_id).title
        heading = widgets.HTML(
            f"<style>{_STYLE}</style>"
            f'<h3 class="alongside-plan-title">{html.escape(title)}</h3>'
            "<p>Fill in each box. Your plan is saved on this computer as you type. "
            "Press <strong>Check my plan</strong> for feedback on each part.</p>"
        )
        super().__init__([heading, *self.boxes.values(), self.privacy, self.check_button, self.saved_status, self.feedback])
        self.add_class("alongside-agreement")
        keep_keys(self)

    @property
    def value(self) -> dict[str, str]:
        """The plan as a dict of field id -> text, the shape the rubric scores."""
        return {fid: box.value for fid, box in self.boxes.items()}

    def as_lines(self) -> str:
        """The plan as labelled lines ("Shared goal: ...") to copy into the graded exercise's answer cell."""
        return labelled_lines([Field(f["id"], f["label"]) for f in self.fields], self.value)

    def check(self) -> rubric_engine.Score:
        """Score the plan with its rubric, show the feedback and any privacy warning, and return the score."""
        result = rubric_engine.score(self.rubric_id, self.value)
        caution = self._caution()
        note = f'<p class="alongside-warning"><strong>Privacy:</strong> {html.escape(caution)}</p>' if caution else ""
        self.feedback.value = note + feedback_html(result, {f["id"]: f["label"] for f in self.fields})
        return result

    def _load(self) -> dict:
        try:
            saved = answers().get(self.key, {})
        except OSError:
            return {}
        return {k: v for k, v in saved.items() if isinstance(v, str)} if isinstance(saved, dict) else {}

    def _caution(self) -> str:
        return warning("\n".join(self.value.values()), module=self.module)

    def _show_privacy(self) -> None:
        self.privacy.value = privacy_html(self._caution())

    def _save(self) -> None:
        self._show_privacy()
        try:
            answers().set(self.key, self.value)
            self.saved_status.value = ""
        except OSError:
            self.saved_status.value = (
                "<p>Your plan could not be saved on this computer. Copy it somewhere safe before "
                "you close this page.</p>"
            )
