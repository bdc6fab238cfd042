"""Practise a hard conversation: in threes (parent, practitioner, observer), or alone by writing the first turn.

``PracticeConversation("02-words")`` reads ``data/practice/02-words.yaml`` (see
:mod:`alongside.practice`) and shows, for everyone, the title, the setting and the parent's first
words. Each role's card is behind its own button ("Show the parent's card"), so each person in a
triad can read only their own: the button's words say whether its card is shown ("Hide the
parent's card"), a status line says so to screen readers, and a hidden card is not on the page at
all. The observation sheet is a table of what the observer looks for, then come the debrief
questions. A trainee alone writes the practitioner's first turn in a :class:`ReflectionBox` (key
``<module>:practice``, scored with the rubric the file's ``turn.rubric`` names, or the listening-response rubric). Every text from the file is
escaped before it is shown.

A module whose practice file is not written yet gets a short note instead of the practice.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from alongside.cards import paragraphs_html, what_is_hard
from alongside.practice import ROLES, NotWritten, load_practice
from alongside.widgets.keyboard import keep_keys
from alongside.widgets.reflection_box import ReflectionBox
from alongside.widgets.story import STYLE as STORY_STYLE

# The story's reading styles (text size, 1.5 spacing, short lines), plus a table that reads from the left.
STYLE = (
    STORY_STYLE.replace(".alongside-story", ".alongside-practice")
    + " .alongside-practice table.alongside-practice-observe :is(th, td) { text-align: left; vertical-align: top;"
    " padding: 0.3em 0.6em; }"
    " .alongside-practice table.alongside-practice-observe caption { text-align: left; font-weight: bold; }"
    " .alongside-practice .alongside-practice-card { border-left: 3px solid var(--jp-border-color1);"
    " padding-left: 0.8em; margin: 0.3em 0 0.8em 0; }"
)


def _e(text: object) -> str:
    return html.escape(str(text))


def possessive(role: str) -> str:
    """How a button names a role's card: "the parent's"."""
    return f"{ROLES[role]}'s"


def intro_html(practice: dict) -> str:
    """The part everyone reads: the title, how long, what is hard, the setting and the parent's first words."""
    return (
        f"<style>{STYLE}</style>"
        f'<h3 class="alongside-practice-title">{_e(practice["title"])}</h3>'
        f"<p>About {practice['minutes']} minutes, in threes: one of you plays the parent, one the practitioner "
        f"and one observes. {_e(what_is_hard(practice))}</p>"
        f"<h4>The setting (for all three)</h4>{paragraphs_html(practice['setting'])}"
        f"<h4>The parent starts</h4><blockquote>{paragraphs_html(practice['opening'])}</blockquote>"
        f"<h4>Your cards</h4><p>Each of you reads only your own card. Its button shows the card, "
        f"and pressing it again hides it.</p>"
    )


def card_html(practice: dict, role: str) -> str:
    """One role's card: a heading with the role (and the person's name), then the card's text."""
    name = practice["roles"][role]["name"]
    heading = f"{ROLES[role].capitalize()}: {name}" if name else ROLES[role].capitalize()
    return (f'<div class="alongside-practice-card" data-role="{_e(role)}"><h4>{_e(heading)}</h4>'
            f"{paragraphs_html(practice['roles'][role]['card'])}</div>")


def observe_html(practice: dict) -> str:
    """The observation sheet as a table: each row, what the observer looks for."""
    rows = "".join(f"<tr><td>{n}</td><td>{_e(row['look_for'])}</td></tr>"
                   for n, row in enumerate(practice["observe"], 1))
    return (
        '<h4>The observation sheet</h4>'
        '<table class="alongside-practice-observe"><caption>What the observer looks for and notes down</caption>'
        '<thead><tr><th scope="col">Row</th><th scope="col">What to look for</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def debrief_html(practice: dict) -> str:
    """The questions for all three after each round."""
    questions = "".join(f"<li>{_e(q)}</li>" for q in practice["debrief"])
    return f'<h4>Talk it over after each round</h4><ol class="alongside-practice-debrief">{questions}</ol>'


ALONE_HTML = (
    "<h4>On your own?</h4><p>Write the practitioner's first reply, then check it. "
    "Your words are saved on this computer as you type.</p>"
)


class PracticeConversation(widgets.VBox):
    """A hard conversation to practise in threes, with a card per role behind its own button, the
    observation sheet, the debrief questions and a box for a trainee alone to write the first turn.

    ``PracticeConversation("02-words")`` reads ``data/practice/02-words.yaml``; ``folder`` reads
    ``<folder>/02-words.yaml`` instead. A broken file raises DataError naming the file and field.
    """

    def __init__(self, module_id: str, folder: str | Path | None = None):
        self.module_id = module_id
        self.key = f"{module_id}:practice"
        self.toggles: dict[str, widgets.ToggleButton] = {}
        self.cards: dict[str, widgets.HTML] = {}
        self.card_boxes: dict[str, widgets.VBox] = {}
        self.turn: ReflectionBox | None = None
        try:
            self.practice: dict | None = load_practice(module_id, folder)
        except NotWritten:
            self.practice = None
            note = widgets.HTML("<p>The practice for this module is not in this copy of the course yet.</p>")
            super().__init__([note])
            self.add_class("alongside-practice")
            return
        self.status = widgets.HTML()
        self.status.add_class("alongside-status")
        for role in ROLES:
            toggle = widgets.ToggleButton(value=False, layout=widgets.Layout(width="auto", align_self="flex-start"))
            toggle.add_class("alongside-practice-toggle")
            toggle.observe(lambda change, role=role: self._toggled(role, change["new"]), names="value")
            self.toggles[role] = toggle
            self.cards[role] = widgets.HTML(card_html(self.practice, role))
            self.card_boxes[role] = widgets.VBox([toggle])
            self.card_boxes[role].add_class("alongside-practice-role")
            self._show_toggle(role)
        self.turn = ReflectionBox(self.key, self.practice["turn"]["prompt"], rubric=self.practice["turn"]["rubric"])
        super().__init__([
            widgets.HTML(intro_html(self.practice)),
            *self.card_boxes.values(),
            self.status,
            widgets.HTML(observe_html(self.practice) + debrief_html(self.practice) + ALONE_HTML),
            self.turn,
        ])
        self.add_class("alongside-practice")
        keep_keys(self)

    def shown(self, role: str) -> bool:
        """Whether a role's card is shown now."""
        return self.cards[role] in self.card_boxes[role].children

    def _show_toggle(self, role: str) -> None:
        toggle, shown = self.toggles[role], self.toggles[role].value
        toggle.description = f"{'Hide' if shown else 'Show'} {possessive(role)} card"
        toggle.tooltip = (f"Hide {possessive(role)} card again" if shown
                          else f"Show {possessive(role)} card: only the person playing {ROLES[role]} reads it")
        toggle.icon = "eye-slash" if shown else "eye"
        self.card_boxes[role].children = (toggle, self.cards[role]) if shown else (toggle,)

    def _toggled(self, role: str, shown: bool) -> None:
        self._show_toggle(role)
        name = possessive(role).capitalize()
        self.status.value = f'<p role="status" aria-live="polite">{name} card is {"shown" if shown else "hidden"}.</p>'
