"""The environments agree: Binder's environment.yml, the pip pins, the lock file and the package."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _parse(lines: list[str], where: str) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{where}: {line!r} is not pinned with =="
            name = name.partition("[")[0]  # psycopg[binary]: the package is psycopg
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

# --- the course's kernel ----------------------------------------------------------------------

KERNEL = json.loads((ROOT / "kernelspec" / "kernel.json").read_text(encoding="utf-8"))
NOTEBOOKS = sorted(p for folder in ("course", "solutions", "exercises") for p in (ROOT / folder).rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)


def test_the_course_kernel_loads_the_answer_magic_with_the_servers_python():
    assert KERNEL["display_name"] == "Alongside (Python 3)" and KERNEL["language"] == "python"
    assert KERNEL["argv"][0] == "python", "jupyter_client runs it with the Python that runs Jupyter"
    assert "--ext=alongside.magic" in KERNEL["argv"] and "{connection_file}" in KERNEL["argv"]


def test_make_and_binder_both_install_the_course_kernel():
    install = "jupyter kernelspec install ./kernelspec --name alongside --sys-prefix"
    assert install in (ROOT / "postBuild").read_text(encoding="utf-8")
    venv_rule = (ROOT / "Makefile").read_text(encoding="utf-8").split("\n$(VENV):", 1)[1].split("\n\n", 1)[0]
    prerequisites = venv_rule.split("$(PYTHON) -m venv", 1)[0]
    assert install in venv_rule and "kernelspec/kernel.json" in prerequisites and "lab-settings/overrides.json" in prerequisites


def test_the_installed_kernel_is_the_one_in_the_repository():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("alongside")
    assert spec.argv == KERNEL["argv"] and spec.display_name == KERNEL["display_name"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_notebook_opens_in_the_course_kernel(path):
    kernelspec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
    assert kernelspec == {"display_name": KERNEL["display_name"], "language": "python", "name": "alongside"}


def test_fuzzy_matching_is_pinned_everywhere():
    assert _pins(ROOT / "requirements.txt")["rapidfuzz"] == _environment_pins()["rapidfuzz"] == "3.14.6"


def test_make_and_binder_both_install_the_lab_defaults():
    overrides = json.loads((ROOT / "lab-settings" / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/notebook-extension:tracker"]["codeCellConfig"]["lineWrap"] is True
    assert "lab-settings/overrides.json" in (ROOT / "postBuild").read_text(encoding="utf-8")
    installed = ROOT / ".venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(installed.read_text(encoding="utf-8")) == overrides
