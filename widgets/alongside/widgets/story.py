"""A case story told in stages: one part at a time, each with its prompts and a notes box.

A story is data (``data/stories/<id>.yaml``): a title, the heading for each side (for example
"At home" and "At school"), and parts, each with a title, a text per side and prompts. The
widget shows part 1; the "Show the next part" button reveals the next one and says in words
which part is now shown ("Part 2 of 5"). The keyboard focus then moves to the heading of the
part just shown (after the last part too, when the button is switched off), so a screen reader
reads it and the keyboard carries on from there. How many parts are shown is saved, so a
restart or a closed tab keeps them; the notes under each part are saved in the trainee's
answers as they are typed (key ``story:<story id>:<part id>``).

The text is set for reading aloud or on a projector: single-and-a-half line spacing (not the
double spacing ipywidgets gives its HTML) and lines of at most about 70 characters.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from alongside.data import DataError, load_yaml
from alongside.store import progress
from alongside.widgets.focus import SCOPE, FocusMover
from alongside.widgets.keyboard import keep_keys
from alongside.widgets.reflection_box import ReflectionBox

# ipywidgets sets every line of an HTML widget 28 pixels apart (for one-line labels): in running
# text that reads as double spacing. The story's text takes the notebook's text size and 1.5 spacing.
STYLE = (
    ".alongside-story .widget-html-content { line-height: 1.5; font-size: var(--jp-content-font-size1); }"
    " .alongside-story .widget-html-content :is(p, ul, h2, h3, h4) { max-width: 70ch; }"
    " .alongside-story .widget-html-content :is(h2, h3, h4) { line-height: 1.3; margin: 1em 0 0.4em 0; }"
    " .alongside-story .widget-html-content p { margin: 0 0 0.6em 0; }"
)


def load_story(story_id: str) -> dict:
    """The story ``data/stories/<story_id>.yaml``, checked: DataError names anything missing."""
    story = load_yaml("stories", f"{story_id}.yaml")
    where = f"stories/{story_id}.yaml"
    if not isinstance(story, dict) or not story.get("parts") or not story.get("sides"):
        raise DataError(f"{where}: needs 'sides' and 'parts'")
    for number, part in enumerate(story["parts"], 1):
        missing = [k for k in ("id", "title", "prompts", *story["sides"]) if not part.get(k)]
        if missing:
            raise DataError(f"{where}: part {number} needs {', '.join(missing)}")
    return story


def progress_key(story_id: str) -> str:
    """Where how far a story has got is saved in the trainee's progress."""
    return f"story:{story_id}"


def saved_parts_shown(story_id: str, total: int) -> int:
    """How many parts were shown last time (at least 1, at most ``total``)."""
    try:
        saved = progress().get(progress_key(story_id), {})
        shown = int(saved.get("shown", 1)) if isinstance(saved, dict) else 1
    except (OSError, TypeError, ValueError):
        shown = 1
    return min(max(shown, 1), total)


def part_html(story: dict, number: int) -> str:
    """One part as HTML: a heading that says "Part n of N", each side's text, then the prompts."""
    part = story["parts"][number - 1]
    total = len(story["parts"])
    when = f" ({html.escape(str(part['when']))})" if part.get("when") else ""
    sides = "".join(
        f'<h4 class="alongside-story-side">{html.escape(str(heading))}</h4>'
        f"<p>{html.escape(str(part[side]).strip())}</p>"
        for side, heading in story["sides"].items()
    )
    prompts = "".join(f"<li>{html.escape(str(p))}</li>" for p in part["prompts"])
    return (
        f'<h3 class="alongside-story-heading" data-part="{number}" tabindex="-1">'
        f'Part {number} of {total}: {html.escape(str(part["title"]))}{when}</h3>'
        f"{sides}"
        f'<p class="alongside-story-prompts-label"><strong>Talk about it, or make notes:</strong></p>'
        f'<ul class="alongside-story-prompts">{prompts}</ul>'
    )


class StagedStory(widgets.VBox):
    """A story shown one part at a time, with prompts and a notes box for each part.

    ``StagedStory("04-story")`` reads ``data/stories/04-story.yaml``. Press "Show the next part"
    (or Tab to it and press Enter or Space) to reveal the next part; "Start again from part 1"
    hides the later parts again, for a new group (notes are kept).
    """

    def __init__(self, story_id: str):
        self.story_id = story_id
        self.story = load_story(story_id)
        self.total = len(self.story["parts"])
        self._shown = saved_parts_shown(story_id, self.total)
        self._parts = [self._part_widget(n) for n in range(1, self.total + 1)]
        self.next_button = widgets.Button(
            description="Show the next part",
            tooltip="Show the next part of the story",
            icon="chevron-down",
            layout=widgets.Layout(width="auto"),
        )
        self.next_button.add_class("alongside-story-next")
        self.next_button.on_click(lambda _button: self.show_next())
        self.restart_button = widgets.Button(
            description="Start again from part 1",
            tooltip="Hide the later parts again (your notes are kept)",
            layout=widgets.Layout(width="auto"),
        )
        self.restart_button.add_class("alongside-story-restart")
        self.restart_button.on_click(lambda _button: self.start_again())
        self.status = widgets.HTML()
        self.status.add_class("alongside-status")
        self.saved_note = widgets.HTML()
        self.focus_mover = FocusMover()
        intro = widgets.HTML(
            f"<style>{STYLE}</style>"
            f'<h2 class="alongside-story-title">{html.escape(str(self.story.get("title", story_id)))}</h2>'
            f"<p>{html.escape(str(self.story.get('summary', '')).strip())}</p>"
        )
        self.parts_box = widgets.VBox()
        controls = widgets.HBox([self.next_button, self.restart_button])
        super().__init__([intro, self.parts_box, controls, self.status, self.saved_note, self.focus_mover])
        self.add_class("alongside-story")
        self.add_class(SCOPE)
        keep_keys(self)
        self._update()

    @property
    def shown(self) -> int:
        """How many parts are shown now."""
        return self._shown

    def _part_widget(self, number: int) -> widgets.VBox:
        part = self.story["parts"][number - 1]
        notes = ReflectionBox(f"story:{self.story_id}:{part['id']}", f"Your notes on part {number} (saved on this computer as you type)")
        box = widgets.VBox([widgets.HTML(part_html(self.story, number)), notes])
        box.add_class("alongside-story-part")
        return box

    def show_next(self) -> None:
        """Reveal the next part, say which part is shown, save how far the story has got and move
        the keyboard focus to the new part's heading."""
        if self._shown < self.total:
            self._shown += 1
            self._save()
        self._update()
        self._focus_heading()

    def start_again(self) -> None:
        """Show part 1 only again (notes are kept), for example before a new group starts; the
        keyboard focus moves to part 1's heading."""
        self._shown = 1
        self._save()
        self._update()
        self._focus_heading()

    def _focus_heading(self) -> None:
        self.focus_mover.focus(f'.alongside-story-heading[data-part="{self._shown}"]')

    def _save(self) -> None:
        try:
            progress().set(progress_key(self.story_id), {"shown": self._shown, "of": self.total})
            self.saved_note.value = ""
        except OSError:
            self.saved_note.value = (
                "<p>Could not save how far you have got on this computer. The story still works; "
                "after a restart, press the button again to show the parts.</p>"
            )

    def _update(self) -> None:
        self.parts_box.children = tuple(self._parts[: self._shown])
        part = self.story["parts"][self._shown - 1]
        done = self._shown >= self.total
        self.next_button.disabled = done
        self.next_button.description = "All parts shown" if done else "Show the next part"
        self.restart_button.disabled = self._shown == 1
        ending = " This is the last part." if done else ""
        self.status.value = (
            f'<p role="status" aria-live="polite">Part {self._shown} of {self.total} shown: '
            f"{html.escape(str(part['title']))}.{ending}</p>"
        )
