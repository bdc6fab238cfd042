"""The answer keys of the graded statements stay on the trainer's side.

They are in ``answer-keys.yaml`` beside ``solutions/``; :mod:`alongside.keys` finds it only where
it is told to. The package a trainee installs and the released exercises hold no answer and no
reason of any graded statement.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from alongside import grading, keys
from alongside.answer_text import notebook_answers, parse_answer
from alongside.data import list_names

ROOT = Path(__file__).resolve().parents[1]
KEYS = yaml.safe_load((ROOT / keys.FILE_NAME).read_text(encoding="utf-8"))


def _squash(text: object) -> str:
    return " ".join(str(text).split())


def test_the_key_file_says_what_it_is_and_is_kept_apart():
    head = (ROOT / keys.FILE_NAME).read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "NEVER SHIP THIS FILE TO TRAINEES" in head and "edit this file" in head
    assert (ROOT / "solutions").is_dir() and not (ROOT / "widgets" / "alongside" / keys.FILE_NAME).exists()


def test_no_key_unless_one_is_named(monkeypatch):
    monkeypatch.chdir(ROOT)  # the key file is right here, and still it is not read
    assert keys.key_file() is None
    with pytest.raises(keys.KeyMissing, match="only on the trainer's side") as raised:
        keys.answer_key("02-words")
    assert isinstance(raised.value, LookupError)


def test_the_variable_names_the_key_file(monkeypatch):
    monkeypatch.setenv(keys.ENVIRONMENT, str(ROOT / keys.FILE_NAME))
    assert keys.answer_key("02-words")["s01"]["answer"] == ["harmful", "pity"]


def test_use_names_the_key_file_before_the_variable(monkeypatch, tmp_path):
    other = tmp_path / "other-keys.yaml"
    other.write_text(yaml.safe_dump({"02-words": {"s01": {"answer": ["helpful"], "why": "test"}}}), encoding="utf-8")
    monkeypatch.setenv(keys.ENVIRONMENT, str(ROOT / keys.FILE_NAME))
    keys.use(other)
    try:
        assert keys.answer_key("02-words")["s01"]["answer"] == ["helpful"]
        with pytest.raises(keys.KeyMissing, match="no key for the statements '01-experts'"):
            keys.answer_key("01-experts")
    finally:
        keys.use(None)
    assert keys.answer_key("02-words")["s01"]["answer"] == ["harmful", "pity"]


def test_an_unreadable_key_file_is_a_missing_key_not_a_traceback(tmp_path):
    broken = tmp_path / "answer-keys.yaml"
    broken.write_text("02-words: [unclosed", encoding="utf-8")
    keys.use(broken)
    try:
        with pytest.raises(keys.KeyMissing, match="could not be read"):
            keys.answer_key("02-words")
        result = grading.evaluate("02-words", "classify", {"s01": ["harmful", "pity"]})
    finally:
        keys.use(None)
    assert result.points == 0 and result.lines == [grading.NO_KEY]


def test_without_the_key_the_grader_gives_nothing_and_says_why(capsys):
    from alongside import runs

    runs.record("04-story", "who_knows", "k1: family")
    assert grading.mark("04-story", "who_knows") == 0.0
    out = capsys.readouterr().out
    assert "answer key is not available on this computer" in out and "Traceback" not in out


def test_with_the_key_the_grader_marks(answer_keys):
    right = {sid: entry["answer"] for sid, entry in KEYS["04-story"].items()}
    assert grading.evaluate("04-story", "who_knows", right).points == grading.item_spec("04-story", "who_knows")["points"]


# --- nothing of a key in what a trainee gets ----------------------------------------------------


def _graded_reasons() -> list[tuple[str, str, str]]:
    """(set, statement id, reason) for every reason in the key, whitespace squashed; a reason that
    a practice set also gives (such as "It minimises the child's needs.") is public already and
    does not say which graded statement it belongs to, so it is left out."""
    practice = {_squash(s.get(field, "")) for name in set(list_names("statements")) - set(KEYS)
                for s in grading.statement_set(name)["statements"] for field in ("why", "why_right")}
    return [(name, sid, _squash(entry[field])) for name, statements in KEYS.items()
            for sid, entry in statements.items() for field in ("why", "why_right")
            if entry.get(field) and _squash(entry[field]) not in practice]


def _leaks(files: dict[str, str]) -> list[str]:
    """What in a set of text files (name -> text) gives a graded answer away."""
    found = [name for name in files if Path(name).name == keys.FILE_NAME]
    squashed = {name: _squash(text) for name, text in files.items()}
    for set_name, sid, reason in _graded_reasons():
        found += [f"{name}: the reason for {set_name} {sid}" for name, text in squashed.items() if reason in text]
    for name, text in files.items():
        if not name.endswith(".yaml"):
            continue
        data = yaml.safe_load(text)
        if isinstance(data, dict) and isinstance(data.get("statements"), list) and Path(name).stem in KEYS:
            found += [f"{name}: {s.get('id')} has its {f}" for s in data["statements"] if isinstance(s, dict)
                      for f in ("answer", "why", "why_right") if f in s]
    return found


def wheel_files(source: Path, out: Path) -> dict[str, str]:
    """Build the package from a copy of a course folder (so the folder itself is left as it was)
    and return every text file in it: name -> text. It is pip's wheel where setuptools can make
    one (it needs the ``wheel`` package); else setuptools' build_py, which gathers the same files
    the wheel would hold, by the same pyproject.toml."""
    tree = out / "source"
    shutil.copytree(source, tree, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "node_modules",
                                                                "__pycache__", "artefacts", ".ipynb_checkpoints"))
    if importlib.util.find_spec("wheel") is not None:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                        "-w", str(out / "wheel"), str(tree)], check=True, capture_output=True, timeout=600)
        (wheel,) = (out / "wheel").glob("alongside-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}
    built = out / "built"
    subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "--quiet", "build_py", "-d", str(built)],
                   cwd=tree, check=True, capture_output=True, timeout=600)
    return {str(p.relative_to(built)): p.read_text(encoding="utf-8", errors="replace")
            for p in built.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_the_installed_package_holds_no_graded_answer(tmp_path):
    files = wheel_files(ROOT, tmp_path)
    assert any(name.endswith("data/statements/02-words.yaml") for name in files), "the public sets are shipped"
    assert any(name.endswith("data/statements/02-practice.yaml") for name in files)
    assert _leaks(files) == []


def test_the_leak_check_finds_a_key(tmp_path):
    """The check above fails on a package that still ships answers (as it did before the keys moved)."""
    statement = {"id": "s01", "text": "Oh, what a shame.", "answer": ["harmful", "pity"]}
    shipped = {"alongside/data/statements/02-words.yaml": yaml.safe_dump({"statements": [statement]}),
               "alongside/data/answer-keys.yaml": "", "alongside/x.py": f"# {KEYS['01-experts']['c1']['why']}"}
    found = _leaks(shipped)
    assert any("answer-keys.yaml" in f for f in found) and any("s01 has its answer" in f for f in found)
    assert any("the reason for 01-experts c1" in f for f in found)


def test_the_released_exercises_hold_no_graded_answer():
    files = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8", errors="replace")
             for p in (ROOT / "exercises").rglob("*") if p.is_file()}
    assert files and _leaks(files) == []
    for path in (ROOT / "exercises").rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for (exercise, item), text in notebook_answers(nb).items():
            if grading.item_spec(exercise, item)["kind"] == "classification":
                value = parse_answer(exercise, item, text)
                assert not any(value.values()) if isinstance(value, dict) else not value, (path.name, item)


def test_the_package_data_is_only_what_is_in_widgets():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'where = ["widgets"]' in pyproject and keys.FILE_NAME not in pyproject
    assert json.dumps(sorted(grading.graded_sets())) == json.dumps(sorted(KEYS))
