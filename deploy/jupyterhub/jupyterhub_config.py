"""JupyterHub for an Alongside cohort on one machine.

Start it with `make hub` from the repository root (see README.md beside this file). Everything a
site changes is an environment variable, read once here:

  ALONGSIDE_HUB_IP        address to listen on (127.0.0.1: this machine only)
  ALONGSIDE_HUB_PORT      the port people open in their browser (8000)
  ALONGSIDE_HUB_API_PORT  the hub's internal port (8081); the proxy's API uses the next one
  ALONGSIDE_HUB_STATE     the hub's database, cookie secret and proxy pid (/srv/alongside/hub)
  ALONGSIDE_EXCHANGE      nbgrader's exchange root, shared by every account (/srv/alongside/exchange)
  ALONGSIDE_ROSTER        a CSV with a `trainee` column (the account name) and an optional `role`
                          column (`trainer` or `trainee`); see roster.example.csv
  ALONGSIDE_HUB_AUTH      `test` (one shared password, for trying the hub) or `pam` (the accounts'
                          own passwords); an organisation's sign-in goes in jupyterhub_config_local.py
  ALONGSIDE_HUB_PASSWORD  the shared password for the `test` sign-in
  ALONGSIDE_HUB_API_TOKEN optional: a token for scripts that manage accounts and servers

Each person is a real system account (made when the hub starts, home folder readable by its owner
only), so the operating system keeps trainees apart. Every server runs the course's environment
(the repository's .venv). Trainers are in the group `formgrade-<course>` and get the formgrader on
their course folder `~/alongside`; trainees are in `nbgrader-<course>`, the groups nbgrader's
JupyterHub auth plugin reads, and get the assignment list without the formgrader.
"""

import csv
import os
import re
import shutil
from pathlib import Path

from jupyterhub.auth import DummyAuthenticator, LocalAuthenticator, PAMAuthenticator

c = get_config()  # noqa: F821  (JupyterHub provides get_config)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV = Path(os.environ.get("ALONGSIDE_VENV", REPO / ".venv"))
COURSE_ID = os.environ.get("ALONGSIDE_COURSE_ID", "alongside")
STATE = Path(os.environ.get("ALONGSIDE_HUB_STATE", "/srv/alongside/hub"))
EXCHANGE = Path(os.environ.get("ALONGSIDE_EXCHANGE", "/srv/alongside/exchange"))
IP = os.environ.get("ALONGSIDE_HUB_IP", "127.0.0.1")
PORT = int(os.environ.get("ALONGSIDE_HUB_PORT", "8000"))
API_PORT = int(os.environ.get("ALONGSIDE_HUB_API_PORT", "8081"))
ACCOUNT = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
TRAINER_GROUP = f"formgrade-{COURSE_ID}"
TRAINEE_GROUP = f"nbgrader-{COURSE_ID}"


def read_roster(path: str) -> tuple[list[str], list[str]]:
    """Trainers and trainees named in a roster CSV (columns `trainee` and optional `role`)."""
    trainers, trainees = [], []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            name = (row.get("trainee") or "").strip()
            if not ACCOUNT.match(name):
                raise SystemExit(f"{path}, line {line}: {name!r} cannot be an account name "
                                 "(lower-case letters, digits, _ and -, starting with a letter)")
            role = (row.get("role") or "trainee").strip().lower()
            if role not in ("trainer", "trainee"):
                raise SystemExit(f"{path}, line {line}: role {role!r} should be 'trainer' or 'trainee'")
            (trainers if role == "trainer" else trainees).append(name)
    return trainers, trainees


# --- Where the hub keeps its state, and the shared exchange -------------------------------------
STATE.mkdir(parents=True, exist_ok=True)
STATE.chmod(0o700)
EXCHANGE.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o777)  # nbgrader's exchange root: everyone writes, nbgrader sets modes below it
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# --- Network: the proxy from the npm registry, loopback unless told otherwise -------------------
c.JupyterHub.ip = IP
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = API_PORT
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{API_PORT + 1}"
c.ConfigurableHTTPProxy.command = [str(REPO / "node_modules" / ".bin" / "configurable-http-proxy")]

# --- People: system accounts, groups from the roster ---------------------------------------------
trainers, trainees = read_roster(os.environ["ALONGSIDE_ROSTER"]) if os.environ.get("ALONGSIDE_ROSTER") else ([], [])
c.Authenticator.allowed_users = set(trainers) | set(trainees)
c.JupyterHub.load_groups = {TRAINER_GROUP: {"users": trainers}, TRAINEE_GROUP: {"users": trainees}}


class SharedPasswordAuthenticator(LocalAuthenticator, DummyAuthenticator):
    """Sign-in for trying the hub: any account on the roster, one shared password."""


auth = os.environ.get("ALONGSIDE_HUB_AUTH", "test")
if auth == "test":
    c.JupyterHub.authenticator_class = SharedPasswordAuthenticator
    c.DummyAuthenticator.password = os.environ.get("ALONGSIDE_HUB_PASSWORD", "")
    if len(c.DummyAuthenticator.password) < 12:
        raise SystemExit("ALONGSIDE_HUB_AUTH=test needs ALONGSIDE_HUB_PASSWORD of 12 characters or more")
elif auth == "pam":
    c.JupyterHub.authenticator_class = PAMAuthenticator
else:
    raise SystemExit(f"ALONGSIDE_HUB_AUTH={auth!r}: use 'test' or 'pam', or set your own in jupyterhub_config_local.py")
# Accounts named on the roster are made when the hub starts, with home folders only they can read.
c.LocalAuthenticator.create_system_users = True
c.LocalAuthenticator.add_user_cmd = ["useradd", "--create-home", "--key", "HOME_MODE=0700", "--shell", "/bin/bash"]

# Scripts (account set-up, the end-to-end test) reach the hub's REST API with this token.
if os.environ.get("ALONGSIDE_HUB_API_TOKEN"):
    c.JupyterHub.services = [{"name": "alongside-admin", "api_token": os.environ["ALONGSIDE_HUB_API_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "alongside-admin",
        "scopes": ["admin:users", "admin:servers", "admin:groups", "tokens", "list:users"],
        "services": ["alongside-admin"],
    }]

# --- Each person's server: the course environment, nbgrader's exchange --------------------------
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
# nbgrader's auth plugin asks the hub which course groups the person is in.
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", "read:users:name!user",
                                 "read:users:groups!user"]
c.Spawner.environment = {
    "PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",  # nbgrader runs `alembic` by name
    "ALONGSIDE_EXCHANGE": str(EXCHANGE),
}


def course_folder(account: str) -> Path:
    """A trainer's nbgrader course folder, ~/alongside, made from this repository the first time
    (with the answer key of the statements to sort, which only the trainer has)."""
    folder = Path(os.path.expanduser(f"~{account}")) / "alongside"
    if not folder.exists():
        folder.mkdir()
        for name in ("solutions", "exercises"):
            shutil.copytree(REPO / name, folder / name)
        for name in ("nbgrader_config.py", "answer-keys.yaml"):  # the answer key stays on the trainer's side
            shutil.copy2(REPO / name, folder / name)
        for path in [folder, *folder.rglob("*")]:
            shutil.chown(path, user=account, group=account)
    return folder


def choose_role(spawner):
    """Before a server starts: trainers get the formgrader on ~/alongside, trainees do not."""
    groups = {group.name for group in spawner.user.groups}
    if TRAINER_GROUP in groups:
        spawner.environment["JUPYTER_CONFIG_PATH"] = str(HERE / "jupyter")
        course = course_folder(spawner.user.name)
        spawner.environment["ALONGSIDE_COURSE_DIR"] = str(course)
        spawner.environment["ALONGSIDE_KEYS"] = str(course / "answer-keys.yaml")  # only a trainer's server has the key
    else:
        spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(HERE / "jupyter-trainee"), str(HERE / "jupyter")])


c.Spawner.pre_spawn_hook = choose_role

# --- A site's own settings (its sign-in, say) go in a file beside this one -----------------------
if (HERE / "jupyterhub_config_local.py").is_file():
    load_subconfig(str(HERE / "jupyterhub_config_local.py"))  # noqa: F821
