"""nbgrader on Alongside's JupyterHub, for every account (the hub puts this folder on JUPYTER_CONFIG_PATH).

The exchange root comes from the hub's configuration (ALONGSIDE_EXCHANGE). nbgrader's JupyterHub auth
plugin reads each person's courses from their hub groups (nbgrader-<course>, formgrade-<course>), and
each course gets its own folder in the exchange and in a trainee's home. For a trainer, the hub sets
ALONGSIDE_COURSE_DIR to their course folder, whose own nbgrader_config.py names solutions/ and exercises/.
"""

import os

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.Exchange.root = os.environ.get("ALONGSIDE_EXCHANGE", "/srv/alongside/exchange")
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = JupyterHubAuthPlugin

course = os.environ.get("ALONGSIDE_COURSE_DIR")
if course and os.path.isfile(os.path.join(course, "nbgrader_config.py")):
    load_subconfig("nbgrader_config.py", path=course)  # noqa: F821
    c.CourseDirectory.root = course
