"""The ``%%answer`` cell magic: an answer cell holds plain text, never Python.

The course's kernel (``kernelspec/kernel.json``, "Alongside (Python 3)") loads this extension
when it starts, so an answer cell works straight after a restart with no set-up cell::

    %%answer 05-disagree plan
    Shared goal: Layla will read short words for herself.
    Review date: Thursday 12 March

Running the cell reads the answer (:mod:`alongside.answer_text`), keeps it for the self-check
under it (:mod:`alongside.runs`), saves the text in the trainee's answers (so a closed tab loses
nothing) and prints one short line, plus, for an answer in labelled parts, how each part was read.
``%%language_check`` is the same kind of cell for trying the language checker on any words
(module 02). The text reaches either magic exactly as typed: IPython's clean-up of pasted prompts (``>>>``,
``...``) is kept away from answer cells. The kernel also asks the notebook to edit its cells as
plain text, so an answer is not coloured as if it were Python and a new line is not indented
after a word such as "for", and it gives Python's version as major.minor only, so the language
details JupyterLab writes into a notebook are the same on every machine and a notebook that has
them opens with nothing to save.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

from alongside.answer_text import MAGIC, cell_item, clean
from alongside.grading import item_spec
from alongside.runs import record
from alongside.store import answers
from alongside.widgets.result_block import show_language_check

LANGUAGE_CHECK = "language_check"


def store_key(exercise_id: str, item_id: str) -> str:
    """Where an item's answer text is saved in the trainee's answers."""
    return f"exercise:{exercise_id}:{item_id}"


def answer(line: str, cell: str) -> None:
    """The cell magic: read, keep, save and confirm the answer under ``%%answer <exercise> <item>``."""
    parts = line.split()
    if len(parts) != 2:
        print("This answer cell's first line has changed: it should be %%answer, then the exercise and the "
              "answer it is for, as it was when you opened the exercise. Put it back (Ctrl and Z undoes a change), "
              "then run the cell again.")
        return
    exercise_id, item_id = parts
    try:
        item_spec(exercise_id, item_id)
    except Exception:
        print(f"I do not know the exercise item on this cell's first line ({exercise_id} {item_id}). "
              "Put the first line back as it was given, then run the cell again.")
        return
    print("\n".join(confirm(exercise_id, item_id, cell)))


def confirm(exercise_id: str, item_id: str, text: str) -> list[str]:
    """Keep and save an answer; the lines that tell the trainee it is saved and how it was read."""
    run = record(exercise_id, item_id, text)
    if not clean(text):
        return _empty(exercise_id, item_id)
    try:
        answers().set(store_key(exercise_id, item_id), {"text": text, "saved": dt.datetime.now().isoformat(timespec="seconds")})
        saved = f"Saved your answer: {_words(run.reading.words)}."
    except OSError:
        saved = (f"Your answer ({_words(run.reading.words)}) is ready to check, but it could not be saved on "
                 "this computer: keep the notebook open and save it (Ctrl and S).")
    lines = [f"{saved} Run the check below."]
    understood = run.reading.understood()
    if understood:
        lines += ["This is how I read it:", *(f"  {line}" for line in understood)]
    return lines


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"


def _empty(exercise_id: str, item_id: str) -> list[str]:
    lines = ["Your answer is empty. Type it under the first line, in place of YOUR ANSWER HERE, then run this cell again."]
    try:
        saved = answers().get(store_key(exercise_id, item_id))
    except OSError:
        saved = None
    if isinstance(saved, dict) and clean(saved.get("text", "")):
        when = str(saved.get("saved", "")).replace("T", " at ")
        lines += [f"You saved an answer here before ({when}). To use it again, copy it from below into this "
                  "cell, under the first line:", "", clean(saved["text"])]
    return lines


def language_check(_line: str, cell: str) -> None:
    """The cell magic ``%%language_check``: show the language checker's verdict on the words under it."""
    show_language_check(cell)


_PLAIN_CELL = re.compile(rf"^%%({MAGIC}|{LANGUAGE_CHECK})(?:[ \t]+(.*))?$")


def _plain_text_cells(lines: list[str]) -> list[str]:
    """IPython clean-up step, run first: turn a plain-text cell into one call that carries its text unchanged."""
    head, _, body = "".join(lines).lstrip("\n").partition("\n")
    found = _PLAIN_CELL.match(head.rstrip())
    if not found or (found.group(1) == MAGIC and not cell_item(head)):
        return lines  # not ours, or a changed first line: IPython's own handling, then the magic explains
    return [f"get_ipython().run_cell_magic({found.group(1)!r}, {(found.group(2) or '').strip()!r}, {body!r})\n"]


def load_ipython_extension(ipython) -> None:
    """Register ``%%answer`` and ``%%language_check`` (IPython calls this for ``--ext alongside.magic``)."""
    ipython.register_magic_function(answer, magic_kind="cell", magic_name=MAGIC)
    ipython.register_magic_function(language_check, magic_kind="cell", magic_name=LANGUAGE_CHECK)
    cleanup = ipython.input_transformers_cleanup
    if _plain_text_cells not in cleanup:
        cleanup.insert(0, _plain_text_cells)
    kernel = getattr(ipython, "kernel", None)
    if kernel is not None:  # the editor's mode comes from the kernel's language_info
        kernel.language_info = {**kernel.language_info, "codemirror_mode": "text/plain",
                                "version": f"{sys.version_info.major}.{sys.version_info.minor}"}
