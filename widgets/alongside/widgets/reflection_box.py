"""A labelled text box for a trainee's reflection: saved as it is typed, with feedback on request.

``ReflectionBox("02-words:sami", "What would you say back?", rubric="listening-response")``
shows the prompt as the box's visible label. Every change is saved in the trainee's answers
under the key given, so the words come back after a kernel restart or a closed tab. With a
rubric, "Check my answer" scores the text with the rubric engine and says, per criterion,
"Met" or "Not yet" and what to do; words that can hurt are named too. A privacy note appears
as soon as the text seems to identify a real family (:mod:`alongside.privacy`; the people of the
module's own story, named by the key's module number, do not count).
"""

from __future__ import annotations

import datetime
import html

import ipywidgets as widgets

from alongside import rubric as rubric_engine
from alongside.language import check_language
from alongside.privacy import module_for, warning
from alongside.store import answers
from alongside.widgets.keyboard import keep_keys

# Labels sit on their own line above the box, aligned left, and wrap when long; the box under the
# label fills the width.
LABEL_CSS = (
    "<style>.alongside-labelled .widget-label { white-space: normal; width: 100%; max-width: 100%;"
    " height: auto; text-align: left; margin: 0.6em 0 0.3em 0; }"
    " .alongside-labelled > textarea { align-self: stretch; }</style>"
)


def labelled_textarea(label: str, value: str = "", rows: int = 4) -> widgets.Textarea:
    """A full-width text area whose label is visible above it and read out by screen readers."""
    box = widgets.Textarea(
        value=value,
        description=label,
        rows=rows,
        style={"description_width": "initial"},
        # "auto", not "100%": the box then fills its container less its own margins, so it is never
        # wider than the container (no sideways scrollbar, no border cut off).
        layout=widgets.Layout(width="auto", flex_flow="column"),
    )
    box.add_class("alongside-labelled")
    return box


def privacy_html(note: str) -> str:
    """The privacy warning as HTML, announced to screen readers; "" when there is none."""
    return f'<p role="alert"><strong>Privacy check:</strong> {html.escape(note)}</p>' if note else ""


def feedback_html(result: rubric_engine.Score, text: str) -> str:
    """Rubric feedback as HTML: the score, then one line per criterion in words, then words to rethink."""
    items = "".join(
        f"<li><strong>{'Met' if r.met else 'Not yet'}</strong> ({r.points:g} of {r.max:g}): "
        f"{html.escape(r.feedback)}</li>"
        for r in result.criteria.values()
    )
    flags = check_language(text)["flags"]
    rethink = ""
    if flags:
        lines = "".join(
            f"<li>\u201c{html.escape(f['phrase'])}\u201d ({html.escape(f['category'])}): "
            f"{html.escape(f['why'])} Try: {html.escape(f['suggestion'])}</li>"
            for f in flags
        )
        rethink = f"<p><strong>Words to look at again:</strong></p><ul>{lines}</ul>"
    return f"<p><strong>Score: {result.score:g} of {result.max:g}</strong></p><ul>{items}</ul>{rethink}"


class ReflectionBox(widgets.VBox):
    """A reflection prompt with a text box that saves as you type, and rubric feedback on request."""

    def __init__(self, key: str, prompt: str, rubric: str | None = None, rows: int = 4):
        self.key = key
        self.rubric = rubric
        self.module = module_for(key, rubric)  # whose cast the text may name
        self.text = labelled_textarea(prompt, self._load(), rows)
        self.text.add_class("alongside-reflection-text")
        self.text.observe(lambda _change: self._changed(), names="value")
        self.privacy = widgets.HTML()
        self.privacy.add_class("alongside-privacy")
        self.saved_note = widgets.HTML()
        self.saved_note.add_class("alongside-status")
        self.feedback = widgets.HTML()
        self.feedback.add_class("alongside-feedback")
        parts = [widgets.HTML(LABEL_CSS), self.text, self.privacy, self.saved_note]
        if rubric:
            self.check_button = widgets.Button(
                description="Check my answer",
                tooltip="Score what you wrote and show feedback for each point",
                layout=widgets.Layout(width="auto"),
            )
            self.check_button.add_class("alongside-check")
            self.check_button.on_click(lambda _button: self.check())
            parts += [self.check_button, self.feedback]
        super().__init__(parts)
        self.add_class("alongside-reflection")
        keep_keys(self)
        self._show_privacy()

    @property
    def value(self) -> str:
        """What the trainee has typed."""
        return self.text.value

    def _load(self) -> str:
        try:
            saved = answers().get(self.key, "")
        except OSError:
            saved = ""
        return saved if isinstance(saved, str) else ""

    def _changed(self) -> None:
        self._show_privacy()
        try:
            answers().set(self.key, self.text.value)
        except OSError:
            self.saved_note.value = (
                '<p role="status">Your words could not be saved on this computer. '
                "Copy them somewhere safe before you close this page.</p>"
            )
            return
        now = datetime.datetime.now().strftime("%H:%M")
        self.saved_note.value = f'<p role="status">Saved on this computer at {now}.</p>'

    def _show_privacy(self) -> None:
        self.privacy.value = privacy_html(warning(self.text.value, module=self.module))

    def check(self) -> rubric_engine.Score | None:
        """Score the text with the rubric and show the feedback; returns the score (None without a rubric)."""
        if not self.rubric:
            return None
        result = rubric_engine.score(self.rubric, self.text.value)
        self.feedback.value = f'<div role="status">{feedback_html(result, self.text.value)}</div>'
        return result
