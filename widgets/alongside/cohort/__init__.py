"""Grade a whole cohort with nbgrader and report on it: ``alongside cohort demo|grade|report|moderate|collect|export``.

- :mod:`alongside.cohort.course`  the cohort folder: nbgrader's config, paths and the gradebook lock;
- :mod:`alongside.cohort.demo`    a synthetic cohort to try everything on;
- :mod:`alongside.cohort.grade`   nbgrader's autograde and feedback, in parallel, new work only;
- :mod:`alongside.cohort.answers` a trainee's answers read from a notebook (never run) and re-scored;
- :mod:`alongside.cohort.report`  the tables (pandas) and the CSV files (grades, criteria, items, follow-up);
- :mod:`alongside.cohort.page`    cohort.html: the first screen a trainer reads, the rest folded by module;
- :mod:`alongside.cohort.revisit` the ideas to revisit, each with a pseudonymised answer that met it and one that did not;
- :mod:`alongside.cohort.items`   item analysis of the choices: facility, discrimination, the distractor chosen most;
- :mod:`alongside.cohort.moderated` the moderated agreement per rubric criterion (.alongside/moderation.json);
- :mod:`alongside.cohort.moderate` a trainer checks a sample of the marks; their marks reach the gradebook and the training;
- :mod:`alongside.cohort.record`  a printable completion record per trainee, for their CPD file;
- :mod:`alongside.cohort.explore` the report in a notebook, filtered by exercise, criterion, trainee;
- :mod:`alongside.cohort.moodle`  a Moodle zip of submissions in, grades back to Moodle's worksheet;
- :mod:`alongside.cohort.unpack`  the files in a zip and its archives, read within limits.
"""
