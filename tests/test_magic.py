"""The course's kernel and its ``%%answer`` cell magic, in a real kernel started as JupyterLab starts it.

No set-up cell runs first: the kernelspec loads the extension. Each answer reaches the magic
exactly as typed, is kept for the self-check, saved in the trainee's answers and confirmed in one
short line; a structured answer is echoed part by part.
"""

from __future__ import annotations

import json
import os
import queue

from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from alongside import runs
from alongside.answer_text import digest
from alongside.magic import _plain_text_cells, store_key

ROOT = Path(__file__).resolve().parents[1]
ODD = 'I\'d say "let\'s meet" {soon} \\"""'


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A fresh 'alongside' kernel with its own ALONGSIDE_HOME; yields (run, home)."""
    home = tmp_path_factory.mktemp("home")
    manager, client = start_new_kernel(kernel_name="alongside", env=dict(os.environ, ALONGSIDE_HOME=str(home)),
                                       startup_timeout=60)

    def run(code: str) -> dict:
        """Run one cell; its printed text, displayed text, errors and stderr."""
        msg_id = client.execute(code)
        out = {"stdout": "", "stderr": "", "display": [], "error": None}
        while True:
            try:
                msg = client.get_iopub_msg(timeout=30)
            except queue.Empty:
                raise AssertionError(f"no reply to {code[:40]!r}") from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out[content["name"]] += content["text"]
            elif kind in ("display_data", "execute_result"):
                out["display"].append(content["data"])
            elif kind == "error":
                out["error"] = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                return out

    yield run, home
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def test_the_kernel_loads_the_magic_with_no_set_up_cell(kernel):
    run, _home = kernel
    out = run("%%answer 02-words listening\nIt sounds hard.")
    assert out["error"] is None and out["stderr"] == ""
    assert out["stdout"].startswith("Saved your answer: 3 words. Run the check below.")


def test_any_text_reaches_the_magic_exactly_as_typed(kernel):
    run, home = kernel
    body = f"... and then {ODD}\n>>> not a prompt\n    indented\nIn [1]: also text\n\\n"
    out = run(f"%%answer 02-words listening\n{body}")
    assert out["error"] is None and out["stderr"] == ""
    kept = run("import json; from alongside import runs; r = runs.latest('02-words', 'listening'); "
               "print(json.dumps([r.text, r.digest]))")
    text, fingerprint = json.loads(kept["stdout"])
    assert text.rstrip("\n") == body
    assert fingerprint == digest(body)
    saved = json.loads((home / "answers.json").read_text(encoding="utf-8"))[store_key("02-words", "listening")]
    assert saved["text"].rstrip("\n") == body


def test_a_structured_answer_is_echoed_part_by_part(kernel):
    run, _home = kernel
    out = run("%%answer 05-disagree plan\nHello\nShared goal: Layla reads.\nTrial: six weeks\nReveiw date: 12 March")
    lines = out["stdout"].splitlines()
    assert lines[0].startswith("Saved your answer:") and lines[1] == "This is how I read it:"
    assert "  Our shared goal for Layla: Layla reads." in lines
    assert "  Review date: 12 March" in lines
    assert "  What Mo and Jess know about Layla, for her profile: (empty)" in lines
    assert any('could not place' in line and '"Hello"' in line for line in lines)


def test_an_empty_answer_offers_the_saved_copy_back(kernel):
    run, _home = kernel
    run("%%answer 01-experts unheard\nI felt small when the doctor kept typing.")
    out = run("%%answer 01-experts unheard\nYOUR ANSWER HERE")
    assert "Your answer is empty" in out["stdout"]
    assert "I felt small when the doctor kept typing." in out["stdout"]


def test_a_changed_first_line_is_explained_not_a_traceback(kernel):
    run, _home = kernel
    for first in ("%%answer 02-words", "%%answer 02-words no-such-item", "%%answer nothing here at all"):
        out = run(f"{first}\nSome text")
        assert out["error"] is None and out["stderr"] == ""
        assert "first line" in out["stdout"]


def test_the_self_check_marks_what_was_run(kernel):
    run, _home = kernel
    run("%%answer 09-co-production sort\nc1: informing\nc2: consultation")
    out = run('from alongside.self_check import check\ncheck("09-co-production", "sort")')
    assert out["error"] is None and out["stderr"] == ""
    html = next(d["text/html"] for d in out["display"] if "text/html" in d)
    assert "Not marked here" in html and "<strong>Ready for the grader</strong>: 2 of 6 statements" in html
    assert any("application/vnd.jupyter.widget-view+json" in d for d in out["display"])  # the changed-answer guard


def test_clean_up_of_pasted_prompts_never_touches_other_cells():
    assert _plain_text_cells([">>> 1 + 1\n"]) == [">>> 1 + 1\n"]
    assert _plain_text_cells(["%%answer 02-words\n", ">>> x\n"]) == ["%%answer 02-words\n", ">>> x\n"]
    (call,) = _plain_text_cells(["%%answer 02-words listening\n", ">>> kept\n"])
    assert call == "get_ipython().run_cell_magic('answer', '02-words listening', '>>> kept\\n')\n"


def test_any_words_can_be_language_checked_in_a_plain_text_cell(kernel):
    run, _home = kernel
    # a phrase in quotes is a mention, not the writer's own words, so the quotes go elsewhere
    out = run('%%language_check\nDon\'t worry, boys are just slower, "honestly" {really} \\')
    assert out["error"] is None and out["stderr"] == ""
    html = next(d["text/html"] for d in out["display"] if "text/html" in d)
    assert "alongside-language-result" in html and "boys are just slower" in html


def test_runs_are_empty_in_a_new_kernel():
    assert runs.latest("02-words", "listening") is None


def test_the_kernel_asks_for_plain_text_editing_and_stays_python(kernel):
    run, _home = kernel
    out = run("import json; print(json.dumps(get_ipython().kernel.language_info))")
    info = json.loads(out["stdout"])
    assert info["codemirror_mode"] == "text/plain" and info["name"] == "python"
    assert info["version"] == "3.11", "the same on every machine"


@pytest.mark.parametrize("path", sorted(p for folder in ("course", "solutions", "exercises")
                                        for p in (ROOT / folder).rglob("*.ipynb")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_carry_the_language_details_the_kernel_gives(kernel, path):
    """JupyterLab writes the kernel's language details into a notebook: the same ones mean nothing to save."""
    run, _home = kernel
    info = json.loads(run("import json; print(json.dumps(get_ipython().kernel.language_info))")["stdout"])
    assert json.loads(path.read_text(encoding="utf-8"))["metadata"]["language_info"] == info
