"""Move keyboard focus to a place inside a course widget, when the Python side asks.

ipywidgets can focus some controls, but not a heading or a control that is about to be drawn.
A widget that changes what it shows (the staged story reveals a part, and its button is then
disabled) would otherwise leave the focus on the page itself, where a keyboard or screen-reader
user loses their place. :class:`FocusMover` is a hidden helper: put it in the widget's box and
call :meth:`FocusMover.focus` with a CSS selector; the browser focuses the first element inside
that box that matches, as soon as it is drawn.
"""

from __future__ import annotations

import anywidget
import traitlets

SCOPE = "alongside-focus-scope"


class FocusMover(anywidget.AnyWidget):
    """A hidden widget that focuses an element inside its enclosing ``alongside-focus-scope`` box."""

    _esm = """
    function render({ model, el }) {
      el.style.display = "none";
      model.on("change:request", () => {
        const selector = model.get("selector");
        let frames = 0;
        const attempt = () => {
          const scope = el.closest(".%s");
          const target = scope && scope.querySelector(selector);
          if (target) {
            target.focus();
          } else if (++frames < 120) {
            requestAnimationFrame(attempt);
          }
        };
        requestAnimationFrame(attempt);
      });
    }
    export default { render };
    """ % SCOPE
    selector = traitlets.Unicode("").tag(sync=True)
    request = traitlets.Int(0).tag(sync=True)

    def focus(self, selector: str) -> None:
        """Ask the browser to focus the first element matching ``selector`` inside the enclosing box."""
        self.selector = selector
        self.request += 1
