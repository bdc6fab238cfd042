"""Shared set-up: keep every test (and every notebook kernel nbval starts) away from a real trainee's saved work."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def pytest_configure(config):
    """Point ALONGSIDE_HOME at a fresh folder and put .venv/bin first on PATH (nbgrader runs alembic by name)."""
    home = tempfile.mkdtemp(prefix="alongside-test-home-")
    os.environ["ALONGSIDE_HOME"] = home
    config._alongside_home = home
    if BIN.is_dir():
        os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def pytest_unconfigure(config):
    home = getattr(config, "_alongside_home", None)
    if home:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_runs(monkeypatch):
    """No answer cell has been run yet, as in a kernel that has just started."""
    from alongside import runs

    monkeypatch.setattr(runs, "_RUNS", {})


@pytest.fixture(autouse=True)
def no_answer_key(monkeypatch):
    """No answer key is on this computer, as on a trainee's: a test that marks graded statements
    as the grader does asks for ``answer_keys``."""
    from alongside import keys

    monkeypatch.delenv(keys.ENVIRONMENT, raising=False)
    monkeypatch.setattr(keys, "_chosen", None)


@pytest.fixture
def answer_keys(monkeypatch):
    """The trainer's answer key (answer-keys.yaml at the top of the course), as the grader uses it."""
    from alongside import keys

    monkeypatch.setattr(keys, "_chosen", ROOT / keys.FILE_NAME)
    return ROOT / keys.FILE_NAME


@pytest.fixture
def alongside_home(tmp_path, monkeypatch):
    """A fresh, empty ALONGSIDE_HOME for one test."""
    monkeypatch.setenv("ALONGSIDE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for this test run (tests/postgres.py), stopped at the end; a test that needs one
    fails, never skips, when it cannot be started here."""
    from postgres import Postgres, PostgresUnavailable

    try:
        server = Postgres()
    except PostgresUnavailable as err:
        pytest.fail(f"PostgreSQL could not be started for the tests: {err}", pytrace=False)
    yield server
    server.stop()
