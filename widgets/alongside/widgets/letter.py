"""Check a letter to a parent: paste it, press "Check my letter", see each finding beside its sentence.

The checks are the letter checker's (:mod:`alongside.letter`, rules in ``data/letter.yaml``):
reading grade, long sentences, jargon, blame and the seven "no surprises" items. The summary says
"Right" or "Not yet" in words for each item; the table puts what the checker found beside the
sentence it concerns. The letter is saved as it is typed (key ``letter:<name>``), so a restart or
a closed tab loses nothing; text that cannot be checked gets a message, never a traceback. A
privacy note appears as it is typed when the letter seems to hold a real family's details (the
sender's own contact details and the module's invented family do not count).
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from alongside.letter import LetterError, Review, grade_words, looks_like_html, readable, review, rules
from alongside.privacy import module_for, warning
from alongside.store import answers
from alongside.widgets.reflection_box import LABEL_CSS, labelled_textarea, privacy_html
from alongside.widgets.keyboard import keep_keys

_STYLE = (
    ".alongside-letter-table { border-collapse: collapse; width: 100%; }"
    " .alongside-letter-table th, .alongside-letter-table td { border: 1px solid #888; padding: 0.4em;"
    " vertical-align: top; text-align: left; }"
)


def _word(ok: bool) -> str:
    return "Right" if ok else "Not yet"


def summary_html(found: Review) -> str:
    """The verdict in words: passes or not, the grade, jargon, blame and each "no surprises" item."""
    result, limits = found.result, rules()
    items = [
        f"<li><strong>{_word(readable(result['grade']))}</strong>: {grade_words(result['grade'])}. "
        f"Aim for a reading age of {limits.aim_reading_age}, as GOV.UK does; the checker passes a letter up to "
        f"{limits.max_reading_age}. Shorter sentences and everyday words bring it down.</li>",
        f"<li><strong>{_word(not result['jargon'])}</strong>: "
        + (
            "no unexplained jargon."
            if not result["jargon"]
            else "jargon to explain or replace: "
            + "; ".join(f"{html.escape(j['term'])} ({html.escape(j['plain'])})" for j in result["jargon"])
            + "."
        )
        + "</li>",
        f"<li><strong>{_word(not result['blame'])}</strong>: "
        + (
            "no blaming or threatening words."
            if not result["blame"]
            else "blaming or threatening words: " + "; ".join(f'"{html.escape(b["phrase"])}"' for b in result["blame"]) + "."
        )
        + "</li>",
    ]
    advice = {m["id"]: m["advice"] for m in found.missing}
    for item in limits.items:
        ok = result["no_surprises"][item.id]
        detail = "" if ok else f" {html.escape(advice[item.id])}"
        items.append(f"<li><strong>{_word(ok)}</strong>: {html.escape(item.label)}.{detail}</li>")
    if result["long_sentences"]:
        items.append(
            f"<li>{len(result['long_sentences'])} sentence(s) over {limits.long_sentence_words} words: "
            "see the table below.</li>"
        )
    verdict = (
        "This letter passes every check."
        if result["passes"]
        else "Not yet: this letter does not pass every check. See what to change below."
    )
    return (
        f'<p role="status" aria-live="polite"><strong>{verdict}</strong></p>'
        f'<ul class="alongside-letter-summary">{"".join(items)}</ul>'
    )


def table_html(found: Review) -> str:
    """Each sentence of the letter beside what the checker found in it."""
    rows = []
    for sentence, notes, cues in zip(found.sentences, found.notes, found.cues):
        parts = [f"<li><strong>Not yet</strong>: {html.escape(n)}</li>" for n in notes]
        parts += [f"<li>Tells the parent: {html.escape(c)}</li>" for c in cues]
        findings = f"<ul>{''.join(parts)}</ul>" if parts else "Nothing to change."
        rows.append(f"<tr><td>{html.escape(sentence)}</td><td>{findings}</td></tr>")
    return (
        '<table class="alongside-letter-table"><caption>Your letter, sentence by sentence</caption>'
        '<thead><tr><th scope="col">Sentence</th><th scope="col">What the checker found</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


class LetterChecker(widgets.VBox):
    """A labelled box for a letter, a "Check my letter" button, and the findings sentence by sentence.

    ``LetterChecker()`` is module 08's checker; the letter is saved under ``letter:<name>``.
    ``.value`` is the letter's text; ``.check()`` shows the findings and returns the result dict.
    """

    def __init__(self, name: str = "08-letter", value: str | None = None):
        self.key = f"letter:{name}"
        self.module = module_for(name)  # whose cast the letter may name
        self.box = labelled_textarea(
            "Your letter to the parent (paste or type it here):", self._load() if value is None else value, rows=14
        )
        self.box.placeholder = "Dear ..."
        self.box.observe(lambda _change: self._save(), names="value")
        self.check_button = widgets.Button(description="Check my letter", tooltip="Check the letter you typed")
        self.check_button.add_class("alongside-check")
        self.check_button.on_click(lambda _button: self.check())
        self.saved_status = widgets.HTML()
        self.privacy = widgets.HTML()
        self.privacy.add_class("alongside-privacy")
        self.feedback = widgets.HTML()
        self.feedback.add_class("alongside-feedback")
        self._show_privacy()
        heading = widgets.HTML(
            f"{LABEL_CSS}<style>{_STYLE}</style>"
            "<p>Paste a letter inviting a parent to a meeting, then press <strong>Check my letter</strong>. "
            "Your letter is saved on this computer as you type. Use invented names, not a real family's.</p>"
        )
        super().__init__([heading, self.box, self.privacy, self.check_button, self.saved_status, self.feedback])
        self.add_class("alongside-letter")
        keep_keys(self)

    @property
    def value(self) -> str:
        """The letter as typed."""
        return self.box.value

    def check(self) -> dict | None:
        """Check the letter, show the findings (or a message saying why it cannot be checked) and return the result."""
        try:
            found = review(self.box.value)
        except LetterError as err:
            self.feedback.value = f'<p role="status" aria-live="polite"><strong>Not checked</strong>: {html.escape(str(err))}</p>'
            return None
        notes = []
        if looks_like_html(self.box.value):
            notes.append("The letter had web formatting (HTML). The checker read its words and left the formatting out.")
        caution = self._caution()
        if caution:
            notes.append(f"Privacy: {caution}")
        extra = "".join(f'<p class="alongside-warning">{html.escape(n)}</p>' for n in notes)
        self.feedback.value = extra + summary_html(found) + table_html(found)
        return found.result

    def _load(self) -> str:
        try:
            saved = answers().get(self.key, "")
        except OSError:
            return ""
        return saved if isinstance(saved, str) else ""

    def _caution(self) -> str:
        return warning(self.box.value, kind="letter", module=self.module)

    def _show_privacy(self) -> None:
        self.privacy.value = privacy_html(self._caution())

    def _save(self) -> None:
        self._show_privacy()
        try:
            answers().set(self.key, self.box.value)
            self.saved_status.value = ""
        except OSError:
            self.saved_status.value = (
                "<p>Your letter could not be saved on this computer. Copy it somewhere safe before you close this page.</p>"
            )
