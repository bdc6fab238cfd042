"""Alongside: widgets, answer checkers and trainer tools for the course.

The pieces a notebook or a test usually needs:

- :func:`alongside.rubric.score` scores free text against a rubric kept as data;
- :func:`alongside.language.check_language` flags words that can hurt, with a kinder alternative;
- :mod:`alongside.grading` marks exercise answers for nbgrader and for self-checks;
- :mod:`alongside.widgets` holds the course's ipywidgets.
"""

__version__ = "0.1.0"
