"""Helpers for tests that run stock nbgrader in a throwaway course folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
NBGRADER = [sys.executable, "-m", "nbgrader"]
FORMGRADER = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"


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


def feedback_page(nb) -> str:
    """The HTML page ``nbgrader generate_feedback`` writes for an autograded notebook.

    The same exporter, template and preprocessors as nbgrader's GenerateFeedback; the scores its
    GetGrades would read from the gradebook are all 0 here.
    """
    config = Config()
    config.Exporter.default_preprocessors = []  # as nbgrader's converters set it
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_basedirs = [str(FORMGRADER / "templates")]
    config.HTMLExporter.extra_template_paths = [str(FORMGRADER / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    exporter = HTMLExporter(config=config)
    exporter.register_preprocessor(CSSHTMLHeaderPreprocessor)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader.update(score=0.0, comment="")
    resources = {"nbgrader": {"notebook": "01-experts", "score": 0.0, "max_score": 1.0, "late_penalty": 0}}
    return exporter.from_notebook_node(nb, resources=resources)[0]
