"""The answers store never loses a keystroke: a lock, an atomic swap, set-aside copies that never collide."""

from __future__ import annotations

import json
import multiprocessing
import pathlib

import pytest

from alongside import store
from alongside.store import Store

WRITERS, ANSWERS_EACH = 4, 150


def _type_answers(root: str, writer: int) -> None:
    answers = Store("answers", pathlib.Path(root))
    for n in range(ANSWERS_EACH):
        answers.set(f"w{writer}:{n}", f"answer {n} from widget {writer}")


def test_four_widgets_saving_at_once_lose_nothing(tmp_path):
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as separate kernels are
    writers = [context.Process(target=_type_answers, args=(str(tmp_path), w)) for w in range(WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=300)
        assert writer.exitcode == 0
    saved = Store("answers", tmp_path).all()
    assert len(saved) == WRITERS * ANSWERS_EACH
    assert saved == {f"w{w}:{n}": f"answer {n} from widget {w}" for w in range(WRITERS) for n in range(ANSWERS_EACH)}
    assert not list(tmp_path.glob("*.unreadable-*")) and not list(tmp_path.glob(".answers.json.*"))


def test_a_permission_error_is_said_and_the_good_file_stays(tmp_path, monkeypatch):
    answers = Store("answers", tmp_path)
    answers.set("m1:reply", "my careful words")
    good = answers.path.read_bytes()
    plain_open = pathlib.Path.open

    def denied(self, *args, **kwargs):
        if self.name == "answers.json":
            raise PermissionError(13, "Permission denied", str(self))
        return plain_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", denied)
    with pytest.raises(PermissionError, match="permission"):
        answers.get("m1:reply")
    monkeypatch.undo()
    assert answers.path.read_bytes() == good, "the good file is never renamed as corrupt"
    assert not list(tmp_path.glob("answers.json.unreadable-*"))
    assert answers.get("m1:reply") == "my careful words"


def test_a_folder_that_cannot_be_written_is_a_clear_permission_error(tmp_path, monkeypatch):
    answers = Store("answers", tmp_path)
    answers.set("m1:reply", "kept")

    def no_write(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store.tempfile, "mkstemp", no_write)
    with pytest.raises(PermissionError, match=str(tmp_path)) as raised:
        answers.set("m1:reply", "new words")
    assert "ALONGSIDE_HOME" in str(raised.value) and "\n" not in str(raised.value)
    monkeypatch.undo()
    assert answers.get("m1:reply") == "kept"


def test_each_unreadable_file_is_set_aside_under_its_own_name(tmp_path, monkeypatch):
    monkeypatch.setattr(store.time, "time", lambda: 1_900_000_000.0)  # both in the same second
    answers = Store("answers", tmp_path)
    for broken in (b"{half a fi", b"\xff\xfe not text"):
        answers.path.write_bytes(broken)
        assert answers.all() == {}
    kept = sorted(p.read_bytes() for p in tmp_path.glob("answers.json.unreadable-*"))
    assert kept == sorted([b"{half a fi", b"\xff\xfe not text"]), "no set-aside copy overwrites another"
    answers.set("m1:reply", "starts again")
    assert answers.all() == {"m1:reply": "starts again"}


def test_the_saved_file_is_whole_json_after_every_save(tmp_path):
    answers = Store("answers", tmp_path)
    for n in range(20):
        answers.set(f"k{n}", "x" * n)
        assert json.loads(answers.path.read_text(encoding="utf-8"))[f"k{n}"] == "x" * n
