"""Tell a trainee when the answer a self-check marked is no longer the one in the answer cell.

The kernel only knows what an answer cell held when it was run; it cannot see later edits.
:class:`AnswerGuard` sits beside a self-check's result. Its page script finds the answer cell
(the nearest code cell above whose first line is ``%%answer <exercise> <item>``), fingerprints
the text under that line the same way :func:`alongside.answer_text.digest` does, and compares it
with the fingerprint of what was run. While they differ, it hides the result and says plainly
that the answer has changed since it was run; when they match again, the result comes back.
It keeps watching, so an edit after the check hides the result too. If the page cannot read
the cell, it leaves the result as it is.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
const FIRST = /^\s*%%answer[ \t]+(\S+)[ \t]+(\S+)[ \t]*$/;
const views = new WeakMap();

function fingerprint(text) {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map(line => line.replace(/\s+$/, ""));
  const body = lines.join("\n").replace(/^\n+|\n+$/g, "");
  let value = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(body)) {
    value = Math.imul(value ^ byte, 0x01000193) >>> 0;
  }
  return value.toString(16).padStart(8, "0");
}

function editorText(cell) {
  const content = cell.querySelector(".jp-InputArea-editor .cm-content");
  if (!content) return null;
  if (!views.has(content)) {
    const shim = content.cmView;  // JupyterLab's handle on the cell's CodeMirror view
    views.set(content, shim && shim.view && shim.view.state ? shim.view : null);
  }
  const view = views.get(content);
  if (view) return view.state.doc.toString();
  if (content.querySelector(".cm-gap")) return null;  // only part of a long cell is drawn
  return [...content.querySelectorAll(".cm-line")].map(line => line.textContent).join("\n");
}

function split(text) {
  const trimmed = text.replace(/^\n+/, "");
  const cut = trimmed.indexOf("\n");
  return cut < 0 ? [trimmed, ""] : [trimmed.slice(0, cut), trimmed.slice(cut + 1)];
}

function answerCell(el, exercise, item) {
  const notebook = el.closest(".jp-Notebook");
  if (!notebook) return null;
  const here = el.closest(".jp-Cell");
  let found = null;
  for (const cell of notebook.querySelectorAll(".jp-Cell.jp-CodeCell")) {
    if (cell === here) break;
    const text = editorText(cell);
    const first = text === null ? null : FIRST.exec(split(text)[0]);
    if (first && first[1] === exercise && first[2] === item) found = cell;
  }
  return found;
}

function render({ model, el }) {
  el.classList.add("alongside-answer-guard");
  const note = document.createElement("div");
  note.setAttribute("role", "status");
  note.setAttribute("aria-live", "polite");
  el.appendChild(note);
  let cell = null;
  let state = "";

  const results = () => {
    const area = el.closest(".jp-OutputArea") || el.parentElement;
    return area ? [...area.querySelectorAll(".alongside-check-result")] : [];
  };
  const show = changed => {
    results().forEach(block => { block.hidden = changed; });  // each time: a block may be drawn after this widget
    const next = changed ? "changed" : "same";
    if (next === state) return;
    state = next;
    note.innerHTML = changed
      ? '<div class="alongside-result alongside-check-changed" style="border: 1px solid var(--jp-border-color1, #999);' +
        ' border-left: 0.4em solid var(--jp-warn-color1, #f57c00); padding: 0.4em 1em; margin: 0.3em 0; max-width: 60em;' +
        ' line-height: 1.5;"><p style="margin: 0.3em 0;"><strong>Not marked: your answer has changed since you ran it.' +
        '</strong></p><p style="margin: 0.3em 0;">Run your answer cell again (click in it, then press Shift and Enter),' +
        " then run this check again.</p></div>"
      : "";
  };
  const look = () => {
    if (!el.isConnected) return;
    if (!cell || !cell.isConnected) cell = answerCell(el, model.get("exercise"), model.get("item"));
    const text = cell ? editorText(cell) : null;
    if (text === null) return;  // cannot read the cell: leave the result as it is
    show(fingerprint(split(text)[1]) !== model.get("digest"));
  };
  look();
  const timer = setInterval(look, 1000);
  return () => clearInterval(timer);
}

export default { render };
"""


class AnswerGuard(anywidget.AnyWidget):
    """Shown beside a self-check's result: hides it, and says so, while the answer cell differs from what was run."""

    _esm = _ESM
    exercise = traitlets.Unicode("").tag(sync=True)
    item = traitlets.Unicode("").tag(sync=True)
    digest = traitlets.Unicode("").tag(sync=True)

    def __repr__(self) -> str:
        return ""  # where widgets cannot be shown (nbgrader's feedback), nothing stands in their place
