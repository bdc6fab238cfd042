"""`make lab` as a newcomer runs it: the whole course served, the start page opened, trainer tools off.

Each test starts `make lab` (or `make lab-trainer`) with `--no-browser` while this test holds port
8888, reads the address JupyterLab prints, asks its REST API what it serves, then stops it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = re.compile(r"(http://127\.0\.0\.1:(\d+))(/lab/tree/\S*)\?token=(\w+)")
TRAINER_TOOLS = ["@jupyter/nbgrader:menu", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                 "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list"]

pytestmark = pytest.mark.slow


def _hold_8888():
    """Take port 8888 if it is free, so JupyterLab must find another; None if something else has it."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 8888))
        sock.listen()
    except OSError:
        sock.close()
        return None
    return sock


class Lab:
    """A running `make <target>`: its address, token, and GET on its API."""

    def __init__(self, target: str, tmp_path: Path):
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
        env.update(JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.log = tmp_path / "lab.log"
        # -o .venv: the environment is already made; never remake it in the middle of a test.
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv", target, "LAB_OPTIONS=--no-browser"],
            cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.time() + 90
        while not (found := ADDRESS.search(self.log.read_text(encoding="utf-8"))):
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                pytest.fail(f"`make {target}` did not print its address:\n{self.log.read_text(encoding='utf-8')}")
            time.sleep(0.3)
        self.url, port, self.opens, self.token = found.groups()
        self.port = int(port)
        # The address is printed as the server starts to listen: wait until it answers.
        while self.get("api/status")[0] != 200:
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                pytest.fail(f"`make {target}` printed {self.url} but never answered there")
            time.sleep(0.3)

    def get(self, path: str) -> tuple[int, str]:
        """The status and body of a GET on the server (with the token); status 0 if nothing answers."""
        join = "&" if "?" in path else "?"
        try:
            with urllib.request.urlopen(f"{self.url}/{path}{join}token={self.token}", timeout=30) as reply:
                return reply.status, reply.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""
        except urllib.error.URLError:
            return 0, ""

    def page_config(self) -> dict:
        """The page configuration JupyterLab sends the browser (which plugins are turned off, say)."""
        status, page = self.get("lab")
        assert status == 200
        found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
        return json.loads(found.group(1))

    def stop(self) -> None:
        """Stop make and the JupyterLab it started (they share one process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def start_lab(tmp_path):
    """Start `make <target>` while port 8888 is taken; everything is stopped afterwards."""
    held, started = _hold_8888(), []

    def start(target: str) -> Lab:
        lab = Lab(target, tmp_path / target)
        started.append(lab)
        return lab

    yield start
    for lab in started:
        lab.stop()
    if held:
        held.close()


def test_make_lab_serves_the_course_and_exercises_and_opens_the_start_page(start_lab):
    lab = start_lab("lab")
    assert lab.port != 8888, "port 8888 was taken: JupyterLab should have moved to a free one"
    assert lab.opens == "/lab/tree/course/00-start-here.ipynb"
    status, body = lab.get("api/contents")
    assert status == 200
    listed = {item["name"] for item in json.loads(body)["content"]}
    assert {"course", "exercises"} <= listed
    for path in ("course/00-start-here.ipynb", "exercises/02-words/02-words.ipynb"):
        assert lab.get(f"api/contents/{path}?content=0")[0] == 200, path


def test_make_lab_is_the_trainees_view_without_trainer_tools(start_lab):
    lab = start_lab("lab")
    disabled = lab.page_config()["disabledExtensions"]
    assert set(TRAINER_TOOLS) <= set(disabled)
    assert "@jupyter/nbgrader:validate-assignment" not in disabled, "trainees keep the Validate button"
    assert lab.get("formgrader")[0] == 404
    assert lab.get("nbgrader_version?version=0.9.6")[0] == 200, "Validate's server side is still there"


def test_make_lab_trainer_keeps_the_trainer_tools(start_lab):
    lab = start_lab("lab-trainer")
    disabled = lab.page_config()["disabledExtensions"]
    assert not set(TRAINER_TOOLS) & set(disabled)
    assert lab.get("formgrader")[0] == 200


def test_binder_starts_with_the_same_trainees_view():
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_CONFIG_PATH"}
    shown = subprocess.run([str(ROOT / "start"), "sh", "-c", "echo $JUPYTER_CONFIG_PATH"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert shown == str(ROOT / "deploy" / "lab-trainee")
