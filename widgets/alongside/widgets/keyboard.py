"""Keep JupyterLab's notebook shortcuts from taking the keys a widget needs.

In a notebook, JupyterLab treats some keys as commands whenever the focus is not in a text box:
the arrow keys move to another cell and Enter starts editing one. That takes the arrow keys
from radio buttons and drop-downs, so a trainee using only the keyboard could not use them
(ipywidgets issue 3912). JupyterLab skips its shortcuts for any element inside one marked
``data-lm-suppress-shortcuts`` (the mark must be on the focused element itself).
:func:`keep_keys` adds a hidden helper to a widget that puts that mark on every control inside
the widget's own box, and on controls added later, and on nothing else.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets

_MARK = "alongside-keys"


class KeyboardGuard(anywidget.AnyWidget):
    """A hidden widget that marks its enclosing course widget so JupyterLab leaves its keys alone."""

    _esm = """
    const FOCUSABLE = "input, select, button, textarea, [tabindex]";
    const markAll = box => box.querySelectorAll(FOCUSABLE)
      .forEach(node => node.setAttribute("data-lm-suppress-shortcuts", "true"));
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
    """Let the keyboard reach every control inside ``box`` (arrows, Enter, Space), in JupyterLab too."""
    box.add_class(_MARK)
    box.children = (*box.children, KeyboardGuard())
