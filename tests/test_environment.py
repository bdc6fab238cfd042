"""The environments agree: Binder's environment.yml, the pip pins, the lock file and the package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _parse(lines: list[str], where: str) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{where}: {line!r} is not pinned with =="
            pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def _pins(path: Path) -> dict[str, str]:
    return _parse(path.read_text(encoding="utf-8").splitlines(), path.name)


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return _parse(pip, "environment.yml")


def test_binder_environment_matches_pip_pins():
    assert _environment_pins() == _pins(ROOT / "requirements.txt")


def test_binder_python_matches_the_project():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"


def test_lock_file_agrees_with_every_pin():
    lock = _pins(ROOT / "constraints.txt")
    for req in ("requirements.txt", "requirements-dev.txt", "deploy/jupyterhub/requirements.txt"):
        for name, version in _pins(ROOT / req).items():
            assert lock.get(name) == version, f"{req} pins {name}=={version}, constraints.txt has {lock.get(name)}"


def test_textstat_stays_on_the_offline_release():
    # textstat 0.7.9 and later download a dictionary through nltk on first use.
    assert _pins(ROOT / "requirements.txt")["textstat"] == "0.7.8"


def test_binder_installs_the_course_package():
    post = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert "pip install" in post and "-e ." in post
    assert (ROOT / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_the_package_dependencies_are_met_by_the_lock_file():
    from packaging.requirements import Requirement

    lock = _pins(ROOT / "constraints.txt")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        need = Requirement(line)
        pinned = lock.get(re.sub(r"[-_.]+", "-", need.name.lower()))
        assert pinned and need.specifier.contains(pinned), f"pyproject.toml needs {line}, constraints.txt has {pinned}"


def test_filelock_is_pinned_for_the_answers_store():
    assert _pins(ROOT / "requirements.txt")["filelock"] == _environment_pins()["filelock"] == _pins(ROOT / "constraints.txt")["filelock"]
