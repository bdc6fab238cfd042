"""Make a course widget work with the keyboard alone inside JupyterLab.

In a notebook, JupyterLab treats some keys as commands whenever the focus is not in a text box:
the arrow keys move to another cell and Enter starts editing one. That takes the arrow keys
from radio buttons and drop-downs, so a trainee using only the keyboard could not use them
(ipywidgets issue 3912). JupyterLab skips its shortcuts for any element inside one marked
``data-lm-suppress-shortcuts`` (the mark must be on the focused element itself).

ipywidgets' radio buttons have no ``name``, so the browser treats every unnamed radio button on
the page as one group: an arrow key on the last choice of one question moved to, and ticked, the
first choice of the next. Each set of radio buttons gets a name of its own here, and is marked as
a radio group labelled by its visible label, so it is one Tab stop and the arrow keys move (and
wrap) within it only.

:func:`keep_keys` adds a hidden helper to a widget that does both for every control inside the
widget's own box, and for controls added later, and for nothing else.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets

_MARK = "alongside-keys"


class KeyboardGuard(anywidget.AnyWidget):
    """A hidden widget that marks its enclosing course widget's controls: JupyterLab leaves their
    keys alone, and each set of radio buttons is a group of its own."""

    _esm = """
    const FOCUSABLE = "input, select, button, textarea, [tabindex]";
    const PREFIX = `alongside-choice-${Math.random().toString(36).slice(2, 10)}`;
    let groups = 0;
    const groupRadios = box => box.querySelectorAll(".widget-radio-box").forEach(group => {
      if (!group.dataset.alongsideGroup) {
        group.dataset.alongsideGroup = `${PREFIX}-${++groups}`;
        group.setAttribute("role", "radiogroup");
        const label = group.parentElement.querySelector(":scope > .widget-label");
        if (label) {
          label.id = label.id || `${group.dataset.alongsideGroup}-label`;
          group.setAttribute("aria-labelledby", label.id);
        }
      }
      group.querySelectorAll("input[type=radio]").forEach(radio => { radio.name = group.dataset.alongsideGroup; });
    });
    const markAll = box => {
      groupRadios(box);
      box.querySelectorAll(FOCUSABLE).forEach(node => node.setAttribute("data-lm-suppress-shortcuts", "true"));
    };
    function render({ el }) {
      el.style.display = "none";
      const start = () => {
        const box = el.closest(".%s");
        if (!box) return false;
        markAll(box);
        new MutationObserver(() => markAll(box)).observe(box, { childList: true, subtree: true });
        return true;
      };
      if (!start()) {
        const wait = new MutationObserver(() => { if (start()) wait.disconnect(); });
        wait.observe(document.body, { childList: true, subtree: true });
        setTimeout(() => wait.disconnect(), 30000);
      }
    }
    export default { render };
    """ % _MARK


def keep_keys(box: widgets.Box) -> None:
    """Let the keyboard reach every control inside ``box`` (arrows, Enter, Space), in JupyterLab too,
    with each set of radio buttons a group of its own."""
    box.add_class(_MARK)
    box.children = (*box.children, KeyboardGuard())
