"""The command line, run as a trainer runs it: text on stdin, JSON on stdout, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alongside.rubric import rubric_ids


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alongside", *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_score_prints_one_json_object_in_the_documented_shape():
    reply = "I hear you. What have you noticed at home? Let's meet on Thursday with our special needs lead."
    done = run("score", "--rubric", "listening-response", stdin=reply)
    assert done.returncode == 0 and done.stderr == ""
    result = json.loads(done.stdout)
    assert set(result) == {"rubric", "score", "max", "message", "criteria"}
    assert result["rubric"] == "listening-response" and result["max"] == 6
    assert list(result["criteria"]) == [
        "acknowledges", "no_dismissal", "open_question", "next_step", "plain_language", "no_blame"
    ]
    for verdict in result["criteria"].values():
        assert set(verdict) == {"met", "evidence", "feedback"}
        assert isinstance(verdict["met"], bool) and verdict["feedback"]
    assert result["score"] == sum(v["met"] for v in result["criteria"].values())
    assert result["criteria"]["open_question"]["evidence"] == "What have you noticed at home?"


@pytest.mark.parametrize("args", [("score", "--rubric", "no-such-rubric"), ("score", "--rubric", "listening-response")])
def test_unknown_rubric_or_empty_input_is_a_message_and_exit_2(args):
    stdin = "" if args[-1] == "listening-response" else "some text here"
    done = run(*args, stdin=stdin)
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert ("unknown rubric" in done.stderr) or ("no answer given" in done.stderr)


def test_check_language_flags_with_reason_and_suggestion():
    done = run("check-language", stdin="Don't worry, boys are just slower.")
    result = json.loads(done.stdout)
    assert result["harmful"] is True
    kinds = {f["category"] for f in result["flags"]}
    assert {"false reassurance or wait and see", "stereotype"} <= kinds
    for flag in result["flags"]:
        assert set(flag) == {"id", "category", "phrase", "why", "suggestion"} and flag["why"] and flag["suggestion"]


def test_empathy_comes_back_clean():
    done = run("check-language", stdin="I can hear this has been a hard week.")
    assert json.loads(done.stdout) == {"harmful": False, "flags": []}


def test_check_language_with_empty_input_is_exit_2():
    done = run("check-language", stdin="  \n")
    assert done.returncode == 2 and "no statement given" in done.stderr


def test_rubrics_lists_every_rubric():
    done = run("rubrics")
    assert done.returncode == 0
    for rubric_id in rubric_ids():
        assert rubric_id in done.stdout


def test_installed_command_is_the_same_program():
    import shutil

    command = shutil.which("alongside")
    assert command, "the `alongside` command is not installed"
    done = subprocess.run([command, "check-language"], input="What a shame.", capture_output=True, text=True)
    assert json.loads(done.stdout)["harmful"] is True


def test_score_reads_a_plan_as_a_json_object():
    plan = {"who": "Dads who work shifts.", "strength": "Darren coaches the junior football team and we use it.",
            "outside": "A kickabout in the park on Saturday.", "shaping": "The dads choose the day and plan it.",
            "language_culture": "Messages in Arabic and English.", "learning": "We ask families what works at home."}
    done = run("score", "--rubric", "engagement-plan", stdin=json.dumps(plan))
    assert done.returncode == 0, done.stderr
    from alongside.rubric import score

    assert json.loads(done.stdout) == score("engagement-plan", plan).to_dict()
    wrong = run("score", "--rubric", "engagement-plan", stdin="not a plan")
    assert wrong.returncode == 2 and "JSON object" in wrong.stderr and "Traceback" not in wrong.stderr


def test_a_closed_pipe_is_not_a_traceback():
    import subprocess
    import sys

    reader = subprocess.Popen([sys.executable, "-m", "alongside", "rubrics"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()  # the reader goes away before the writer is done
    _out, err = reader.communicate(timeout=60)
    assert b"Traceback" not in err


# ---- any bytes on standard input, any terminal ----------------------------------------------------

STDIN_COMMANDS = [("score", "--rubric", "listening-response"), ("score", "--rubric", "engagement-plan"),
                  ("check-language",), ("check-letter",), ("reflection-parts",), ("reflection-parts", "--lines")]


def run_bytes(*args: str, stdin: bytes, env: dict | None = None, shell_stdin: str = "") -> subprocess.CompletedProcess:
    import os

    command = [sys.executable, "-m", "alongside", *args]
    if shell_stdin:  # e.g. "<&-": start with standard input closed
        command = ["bash", "-c", 'exec "$@" ' + shell_stdin, "bash", *command]
    return subprocess.run(command, input=None if shell_stdin else stdin, capture_output=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("args", STDIN_COMMANDS)
@pytest.mark.parametrize("errors", ["utf-8:strict", ""])
def test_bytes_that_are_not_utf8_are_one_line_never_a_traceback(args, errors):
    done = run_bytes(*args, stdin=b"I hear you \xff\xfe caf\xe9. What have you noticed?\n",
                     env={"PYTHONIOENCODING": errors})
    assert done.returncode == 2 and done.stdout == b"", done.stdout
    assert b"Traceback" not in done.stderr and done.stderr.count(b"\n") == 1
    assert b"not readable text (UTF-8)" in done.stderr


@pytest.mark.parametrize("args", STDIN_COMMANDS)
def test_nul_bytes_or_a_closed_stdin_are_never_a_traceback(args):
    for done in (run_bytes(*args, stdin=b"I hear you\x00\x00. What have you noticed?\x00"),
                 run_bytes(*args, stdin=b"", shell_stdin="<&-")):
        assert done.returncode in (0, 2) and b"Traceback" not in done.stderr, done.stderr
        if done.returncode == 2:
            assert done.stderr.startswith(b"alongside: ") and done.stderr.count(b"\n") == 1
    assert b"given" in done.stderr, "a closed stdin is no input"


def test_a_terminal_that_cannot_show_a_character_still_gets_the_same_json():
    plain = run_bytes("rubrics", stdin=b"")
    ascii_only = run_bytes("rubrics", stdin=b"", env={"PYTHONIOENCODING": "ascii"})
    assert ascii_only.returncode == 0 and b"Traceback" not in ascii_only.stderr, ascii_only.stderr
    assert json.loads(ascii_only.stdout) == json.loads(plain.stdout.decode("utf-8"))
    curly = run_bytes("check-language", stdin="Don\u2019t worry, boys are just slower.".encode(),
                      env={"PYTHONIOENCODING": "ascii"})
    assert curly.returncode == 0 and json.loads(curly.stdout)["harmful"] is True, curly.stderr


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       args=st.sampled_from(STDIN_COMMANDS))
def test_any_bytes_on_stdin_give_a_result_or_one_line(monkeypatch, capsys, data, args):
    import io

    from alongside.cli import main

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict"))
    status = main(list(args))
    out, err = capsys.readouterr()
    assert status in (0, 2)
    if status == 2:
        assert out == "" and err.startswith("alongside: ") and err.count("\n") == 1
