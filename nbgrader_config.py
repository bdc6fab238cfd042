"""nbgrader set-up for Alongside: run stock nbgrader commands from this folder.

solutions/ holds each exercise with its solutions and hidden tests (nbgrader's source
directory); exercises/ holds the student versions that `make exercises` generates from it
(nbgrader's release directory). Never edit exercises/ by hand.
"""

from alongside.cohort.course import environment_gradebook
from alongside.trusted import configure

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "alongside"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# A gradebook on PostgreSQL, shared by every trainer of the cohort, when the trainer's environment names
# one in ALONGSIDE_GRADEBOOK_URL (deploy/z2jh/README.md); else gradebook.db in this folder.
if environment_gradebook():
    c.CourseDirectory.db_url = environment_gradebook()

# An answer cell keeps its first line (%%answer <exercise> <item>); the model answer under it becomes this line.
c.ClearSolutions.code_stub = {"python": "YOUR ANSWER HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Marks come from each answer cell's text, read by the grader; no trainee code runs (alongside/trusted.py).
configure(c)
