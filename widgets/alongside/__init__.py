"""Alongside: widgets, answer checkers and trainer tools for the course.

The pieces a notebook or a test usually needs:

- :func:`alongside.rubric.score` scores free text against a rubric kept as data;
- :func:`alongside.language.check_language` flags words that can hurt, with a kinder alternative;
- :mod:`alongside.answer_text` reads an answer cell's plain text into the answer to mark;
- :mod:`alongside.magic` is the ``%%answer`` cell magic the course's kernel loads;
- :mod:`alongside.grading` marks exercise answers for nbgrader; :mod:`alongside.self_check` is the
  trainee's self-check under each answer;
- :mod:`alongside.widgets` holds the course's ipywidgets.
"""

__version__ = "0.1.0"
