"""Helpers for tests that run stock nbgrader in a throwaway course folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBGRADER = [sys.executable, "-m", "nbgrader"]


def exercise_ids() -> list[str]:
    """Every exercise in solutions/ (folders named like 02-words)."""
    return sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())


def make_course(tmp: Path, exercise_ids: list[str]) -> Path:
    """A course folder with the project's nbgrader_config.py, the trainer's answer-keys.yaml and a
    copy of the given solutions."""
    course = tmp / "course-copy"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copy(ROOT / "answer-keys.yaml", course)
    for ex in exercise_ids:
        shutil.copytree(ROOT / "solutions" / ex, course / "solutions" / ex,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return course


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run a stock nbgrader command in the course folder, as its trainer (the kernels it starts find
    the course's answer key); fail loudly with its output if it fails."""
    env = {**os.environ, "ALONGSIDE_KEYS": str(course / "answer-keys.yaml")}
    result = subprocess.run([*NBGRADER, *args], cwd=course, capture_output=True, text=True, timeout=900, env=env)
    if result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result
