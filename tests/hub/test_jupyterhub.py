"""The course on JupyterHub, end to end (`make hub-test`; part of `make test`).

deploy/jupyterhub/jupyterhub_config.py runs as written, on a free loopback port, with a roster of
test accounts (a random prefix, real system accounts, removed afterwards). Everything happens
through the hub's REST API and each person's own server, as it would for real people:

- the trainer generates and releases 02-words with the formgrader;
- three trainees fetch it, answer it (well, badly, not at all) and submit it;
- the trainer collects, runs `alongside cohort grade` in their own kernel, generates and releases feedback;
- each trainee fetches their own feedback and finds their score and the rubric's words in it;
- a trainee can neither list nor read another trainee's work or feedback, nor the hidden tests,
  and has no formgrader.

It needs root (the hub starts each server as its own account): the CI runs as root.
"""

from __future__ import annotations

import asyncio
import csv
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import requests
import yaml

pytestmark = [pytest.mark.hub, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "deploy" / "jupyterhub"
VENV = ROOT / ".venv"
COURSE = "alongside"
EXERCISE = "02-words"

if os.geteuid() != 0:
    pytest.skip("JupyterHub starts each server as its own system account, so this test needs root "
                "(run `sudo make hub-test`)", allow_module_level=True)


def free_port_pair() -> int:
    """A loopback port whose next port is free too (the hub's API port and the proxy's)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two free loopback ports in a row")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def let_accounts_reach(path: Path) -> None:
    """Let every account pass through (not list) the folders above `path`: the course environment
    and the Python it was made from must be usable by the trainees' servers."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            print(f"hub test: letting accounts pass through {folder} (chmod o+x)")
            folder.chmod(mode | 0o001)


class Hub:
    """A running hub and the REST calls the test makes."""

    def __init__(self, url: str, token: str, log: Path, process: subprocess.Popen):
        self.url, self.token, self.log, self.process = url, token, log, process
        self.tokens: dict[str, str] = {}

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call to the hub's REST API as the admin service."""
        response = requests.request(method, f"{self.url}/hub/api{path}", timeout=60,
                                    headers={"Authorization": f"token {self.token}"}, **kwargs)
        return response

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def start_servers(self, names: list[str]) -> None:
        """Start each person's server and wait until every one answers."""
        for name in names:
            response = self.api("POST", f"/users/{name}/server")
            assert response.status_code in (201, 202), f"starting {name}'s server: {response.status_code} {response.text}"
        deadline = time.monotonic() + 240
        waiting = set(names)
        while waiting and time.monotonic() < deadline:
            for name in sorted(waiting):
                server = self.api("GET", f"/users/{name}").json().get("servers", {}).get("", {})
                if server.get("ready"):
                    waiting.discard(name)
            time.sleep(1)
        assert not waiting, f"servers not ready: {sorted(waiting)}\n{self.log_tail()}"

    def as_user(self, name: str) -> "Person":
        """The person `name`, with an API token of their own (what their browser session could do)."""
        if name not in self.tokens:
            response = self.api("POST", f"/users/{name}/tokens", json={"note": "alongside hub test", "expires_in": 3600})
            assert response.status_code in (200, 201), response.text
            self.tokens[name] = response.json()["token"]
        return Person(self, name, self.tokens[name])


class Person:
    """One account: calls to their own server (or, to show they are refused, to someone else's)."""

    def __init__(self, hub: Hub, name: str, token: str):
        self.hub, self.name, self.token = hub, name, token

    def call(self, method: str, path: str, server: str | None = None, **kwargs) -> requests.Response:
        """A request to a single-user server (their own unless `server` names another)."""
        url = f"{self.hub.url}/user/{server or self.name}/{path.lstrip('/')}"
        return requests.request(method, url, headers={"Authorization": f"token {self.token}"}, timeout=300,
                                allow_redirects=False, **kwargs)

    def ok(self, method: str, path: str, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code < 300, f"{self.name}: {method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.text else None

    def formgrader(self, action: str) -> dict:
        """A formgrader action on 02-words (assign, release, collect, generate_feedback, release_feedback)."""
        result = self.ok("POST", f"formgrader/api/assignment/{EXERCISE}/{action}")
        assert result.get("success"), f"formgrader {action}: {result.get('error') or result.get('log')}"
        return result

    def assignments(self, action: str) -> list:
        """nbgrader's assignment list (fetch, submit, fetch_feedback) for 02-words."""
        result = self.ok("POST", f"assignments/{action}", params={"course_id": COURSE, "assignment_id": EXERCISE})
        assert result.get("success"), f"{self.name} {action}: {result}"
        return result["value"]

    def read(self, path: str) -> dict:
        return self.ok("GET", f"api/contents/{path}", params={"content": 1})

    def run(self, code: str) -> str:
        """Run Python in a new kernel of this person's server and return what it printed."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        kernel = self.ok("POST", "api/kernels", json={"name": "python3"})["id"]
        ws_url = f"{self.hub.url.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{kernel}/channels"

        async def execute() -> str:
            connection = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {self.token}"}))
            msg_id = uuid.uuid4().hex
            connection.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": self.name, "session": uuid.uuid4().hex,
                           "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            printed, error = [], None
            while True:
                message = json.loads(await connection.read_message())
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = message["header"]["msg_type"]
                if kind == "stream":
                    printed.append(message["content"]["text"])
                elif kind == "error":
                    error = "\n".join(message["content"]["traceback"])
                elif kind == "status" and message["content"]["execution_state"] == "idle":
                    break
            connection.close()
            if error:
                plain = re.sub(r"\x1b\[[0-9;]*m", "", error)
                raise AssertionError(f"{self.name}'s kernel: {plain}\n{''.join(printed)}")
            return "".join(printed)

        try:
            # A loop of its own, in a thread of its own: other tests (Playwright) may own this thread's loop.
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, asyncio.wait_for(execute(), 600)).result()
        finally:
            self.call("DELETE", f"api/kernels/{kernel}")


@pytest.fixture(scope="module")
def hub():
    """The hub from deploy/jupyterhub, with a trainer and three trainees; everything removed afterwards."""
    prefix = f"alt{secrets.token_hex(3)}"
    people = {"trainer": f"{prefix}-trainer", "well": f"{prefix}-t1", "badly": f"{prefix}-t2", "none": f"{prefix}-t3"}
    workdir = Path(tempfile.mkdtemp(prefix="alongside-hub-test-"))
    workdir.chmod(0o755)
    roster = workdir / "roster.csv"
    with roster.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["trainee", "name", "role"])
        for role, name in people.items():
            writer.writerow([name, role.title(), "trainer" if role == "trainer" else "trainee"])
    let_accounts_reach(Path(os.path.realpath(VENV / "bin" / "python")).parent)
    let_accounts_reach(ROOT)
    port, api_port = free_port(), free_port_pair()
    token = secrets.token_hex(32)
    env = dict(os.environ,
               ALONGSIDE_HUB_PORT=str(port), ALONGSIDE_HUB_API_PORT=str(api_port),
               ALONGSIDE_HUB_STATE=str(workdir / "hub"), ALONGSIDE_EXCHANGE=str(workdir / "exchange"),
               ALONGSIDE_ROSTER=str(roster), ALONGSIDE_HUB_AUTH="test",
               ALONGSIDE_HUB_PASSWORD=secrets.token_urlsafe(16), ALONGSIDE_HUB_API_TOKEN=token,
               PATH=f"{VENV / 'bin'}:{os.environ.get('PATH', '')}")
    log = workdir / "hub.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(VENV / "bin" / "jupyterhub"), "-f", str(HUB / "jupyterhub_config.py")],
                                   cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    running = Hub(f"http://127.0.0.1:{port}", token, log, process)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"the hub stopped at start:\n{running.log_tail()}"
            try:
                if running.api("GET", "/").ok and running.api("GET", f"/users/{people['trainer']}").ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"the hub did not answer in 90 s:\n{running.log_tail()}"
            time.sleep(0.5)
        running.people = people
        running.workdir = workdir
        yield running
    finally:
        for name in people.values():
            try:
                running.api("DELETE", f"/users/{name}/server")
            except requests.RequestException:
                pass
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        time.sleep(1)
        left = [line for name in people.values()
                for line in subprocess.run(["pgrep", "-a", "-u", name], capture_output=True, text=True).stdout.splitlines()]
        proxy = workdir / "hub" / "jupyterhub-proxy.pid"
        if proxy.exists() and Path(f"/proc/{proxy.read_text().strip()}").exists():
            left.append(f"configurable-http-proxy (pid {proxy.read_text().strip()})")
            os.kill(int(proxy.read_text().strip()), signal.SIGKILL)
        for name in people.values():
            subprocess.run(["pkill", "-KILL", "-u", name], check=False)
            subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
        assert not left, f"processes still running after the hub stopped: {left}"


def _answers(notebook: dict, how: str) -> dict:
    """The fetched notebook with its answer cells filled in well (the model answers), badly, or not at all."""
    model = {cell.metadata["nbgrader"]["grade_id"]: cell.source
             for cell in nbformat.read(ROOT / "solutions" / EXERCISE / f"{EXERCISE}.ipynb", as_version=4).cells
             if cell.metadata.get("nbgrader", {}).get("solution")}
    bad = {
        "answer_classify": "%%answer 02-words classify\n" + "\n".join(f"s0{i}: helpful" for i in range(1, 9)),
        "answer_rewrites": "%%answer 02-words rewrites\nr1: Boys are just slower.\nr2: She is a Down syndrome child.\n"
                           "r3: He is naughty.",
        "answer_listening": "%%answer 02-words listening\nDon't worry, boys are just slower. Let's wait and see.",
        "answer_reflection": "Nothing to add.",
    }
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if how == "well" and grade_id in model:
            cell["source"] = "\n".join(line for line in model[grade_id].splitlines()
                                       if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
        elif how == "badly" and grade_id in bad:
            cell["source"] = bad[grade_id]
    return notebook


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def graded(hub):
    """The whole round: release, fetch, answer, submit, collect, grade, feedback back to each trainee."""
    people = hub.people
    hub.start_servers(list(people.values()))
    trainer = hub.as_user(people["trainer"])
    trainer.formgrader("assign")
    trainer.formgrader("release")

    submitted = {}
    for how in ("well", "badly", "none"):
        trainee = hub.as_user(people[how])
        listed = trainee.assignments("fetch")
        assert any(a["assignment_id"] == EXERCISE and a["status"] == "fetched" for a in listed), listed
        path = f"{COURSE}/{EXERCISE}/{EXERCISE}.ipynb"
        notebook = trainee.read(path)["content"]
        submitted[how] = json.dumps(notebook)
        trainee.ok("PUT", f"api/contents/{path}", json={"type": "notebook", "format": "json",
                                                          "content": _answers(notebook, how)})
        listed = trainee.assignments("submit")
        assert any(a["status"] == "submitted" for a in listed), listed

    trainer.formgrader("collect")
    grading = trainer.run(
        "import subprocess, sys\n"
        "run = subprocess.run(['alongside', 'cohort', 'grade', 'alongside'], capture_output=True, text=True)\n"
        "print(run.stdout, run.stderr, 'exit', run.returncode)\n")
    trainer.formgrader("generate_feedback")
    trainer.formgrader("release_feedback")
    gradebook = {row["student"]: row for row in trainer.ok("GET", f"formgrader/api/submissions/{EXERCISE}")}

    feedback = {}
    for how in ("well", "badly", "none"):
        trainee = hub.as_user(people[how])
        trainee.assignments("fetch_feedback")
        folder = trainee.read(f"{COURSE}/{EXERCISE}/feedback")["content"]
        assert len(folder) == 1, f"{how}: feedback folders {folder}"
        page = trainee.read(f"{folder[0]['path']}/{EXERCISE}.html")["content"]
        feedback[how] = {"text": _text(page), "path": f"{folder[0]['path']}/{EXERCISE}.html"}
    return {"grading": grading, "gradebook": gradebook, "feedback": feedback, "fetched": submitted}


def test_the_trainer_grades_every_submission_with_alongside(graded, hub):
    assert "exit 0" in graded["grading"], graded["grading"]
    assert "3 graded, 0 could not be graded" in graded["grading"], graded["grading"]
    assert set(graded["gradebook"]) == {hub.people[h] for h in ("well", "badly", "none")}


def test_each_trainee_finds_their_own_score_in_their_feedback(graded, hub):
    scores = {}
    for how, page in graded["feedback"].items():
        row = graded["gradebook"][hub.people[how]]
        found = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", page["text"])
        assert found, f"{how}: no score in the feedback"
        assert float(found.group(1)) == pytest.approx(row["score"]) and float(found.group(2)) == pytest.approx(row["max_score"])
        scores[how] = row["score"]
    assert scores["well"] > scores["badly"] >= scores["none"] == 0
    assert scores["well"] == pytest.approx(graded["gradebook"][hub.people["well"]]["max_score"] - 2)  # all but the trainer's 2 points


def test_feedback_carries_the_rubrics_words(graded):
    rubric = yaml.safe_load((ROOT / "widgets/alongside/data/rubrics/listening-response.yaml").read_text())
    criteria = {c["id"]: c for c in rubric["criteria"]}

    def words(text: str) -> str:
        return " ".join(text.split("{evidence}")[0].split())[:50]

    assert words(criteria["no_dismissal"]["not_met"]) in " ".join(graded["feedback"]["badly"]["text"].split())
    assert words(criteria["open_question"]["met"]) in " ".join(graded["feedback"]["well"]["text"].split())


def test_the_released_exercise_has_no_hidden_tests_or_solutions(graded):
    fetched = graded["fetched"]["none"]
    assert "HIDDEN TESTS" not in fetched and "mark(" not in fetched
    assert "BEGIN SOLUTION" not in fetched and "special needs lead" not in fetched


def test_a_trainee_cannot_reach_anyone_elses_work(graded, hub):
    people = hub.people
    other_home = Path("/home") / people["badly"]
    paths = {
        "list the exchange's submissions": ("list", hub.workdir / "exchange" / COURSE / "inbound"),
        "list the exchange's feedback": ("list", hub.workdir / "exchange" / COURSE / "feedback"),
        "list another trainee's home": ("list", other_home),
        "read another trainee's submission": ("read", other_home / COURSE / EXERCISE / f"{EXERCISE}.ipynb"),
        "read another trainee's feedback": ("read", other_home / graded["feedback"]["badly"]["path"]),
        "read the hidden tests": ("read", Path("/home") / people["trainer"] / COURSE / "solutions" / EXERCISE / f"{EXERCISE}.ipynb"),
        "read the gradebook": ("read", Path("/home") / people["trainer"] / COURSE / "gradebook.db"),
    }
    for path in (p for _, p in paths.values()):
        assert path.exists(), f"the test expected {path} to exist"
    code = "import json, os\nresult = {}\n"
    for label, (how, path) in paths.items():
        action = f"os.listdir({str(path)!r})" if how == "list" else f"open({str(path)!r}, 'rb').read(1)"
        code += (f"try:\n    {action}\n    result[{label!r}] = 'allowed'\n"
                 f"except PermissionError:\n    result[{label!r}] = 'denied'\n")
    code += "print(json.dumps(result))\n"
    result = json.loads(hub.as_user(people["well"]).run(code).strip().splitlines()[-1])
    assert result == {label: "denied" for label in paths}


def test_a_trainee_has_no_formgrader_and_cannot_use_the_trainers_server(graded, hub):
    trainee = hub.as_user(hub.people["well"])
    for path in ("formgrader", "formgrader/api/assignments"):
        assert trainee.call("GET", path).status_code == 404, path
    assert trainee.call("POST", f"formgrader/api/assignment/{EXERCISE}/collect").status_code == 404
    assert trainee.call("GET", "api/contents", server=hub.people["trainer"]).status_code in (302, 403)
    trainer = hub.as_user(hub.people["trainer"])
    assert EXERCISE in {a["name"] for a in trainer.ok("GET", "formgrader/api/assignments")}
