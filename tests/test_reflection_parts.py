"""Feedback on reflective writing: output shape, --lines, feedback wording, the model and its accuracy."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from alongside import reflection
from alongside.data import data_path
from alongside.reflection import CATEGORIES, PARTS, ReflectionError, classify, feedback, reflection_parts
from alongside.train_reflection import CERED, build, read_split

REFLECTION = (
    "Yesterday I met Sam's mum at the school gate to talk about his reading. "
    "She looked worried and I felt nervous because I did not know what to say. "
    "I think I talked too much and did not give her time to tell me what she had noticed. "
    "Next time I will ask her first what she has seen at home."
)


def run_cli(*args: str, text: str | bytes) -> subprocess.CompletedProcess:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return subprocess.run(
        [sys.executable, "-m", "alongside", "reflection-parts", *args], input=data, capture_output=True, timeout=60
    )


def test_categories_map_onto_the_three_parts_as_the_issue_says():
    part = {c: reflection.settings()["categories"][c]["part"] for c in CATEGORIES}
    assert part == {
        "Experience": "what",
        "Feeling": "what",
        "Reflection": "so_what",
        "Belief": "so_what",
        "Difficulty": "so_what",
        "Perspective": "so_what",
        "Learning": "so_what",
        "Intention": "now_what",
        "Other": "other",
    }


def test_output_has_the_documented_shape():
    result = reflection_parts(REFLECTION)
    assert list(result) == ["sentences", "missing", "feedback"]
    assert [s["text"] for s in result["sentences"]] == reflection.reflection_sentences(REFLECTION)
    part = {c: reflection.settings()["categories"][c]["part"] for c in CATEGORIES}
    for sentence in result["sentences"]:
        assert list(sentence) == ["text", "category", "part"]
        assert sentence["category"] in CATEGORIES and sentence["part"] == part[sentence["category"]]
    assert set(result["missing"]) <= set(PARTS)
    assert isinstance(result["feedback"], str) and result["feedback"]


def test_a_reflection_with_all_three_parts_names_each_sentence():
    result = reflection_parts(REFLECTION)
    assert [s["part"] for s in result["sentences"]] == ["what", "what", "so_what", "now_what"]
    assert result["missing"] == []
    assert "You cover all three parts." in result["feedback"]


def test_feedback_names_what_is_there_and_what_to_add():
    missing, said = feedback(["Experience", "Feeling"], {"what": 20})
    assert missing == ["so_what", "now_what"]
    assert said == (
        "You describe what happened and say how you felt. "
        "Add what you learned from it and one thing you will do differently."
    )


def test_feedback_says_when_a_part_is_thin():
    missing, said = feedback(["Experience", "Learning", "Intention"], {"what": 30, "so_what": 20, "now_what": 4})
    assert missing == []
    now_what = reflection.settings()["parts"]["now_what"]
    assert said.endswith(f"{now_what['name']} {now_what['thin']}")
    assert "You cover all three parts" not in said


def test_feedback_on_background_only_asks_for_one_moment():
    missing, said = feedback(["Other", "Other"], {"other": 30})
    assert missing == list(PARTS)
    assert said.startswith("Most of what you wrote is background.")


def test_missing_parts_end_to_end():
    result = reflection_parts("I met a parent at the school gate today. I felt a bit anxious about it.")
    assert result["missing"] == ["so_what", "now_what"]
    assert "Add what you learned from it and one thing you will do differently." in result["feedback"]


def test_cli_prints_the_same_object():
    done = run_cli(text=REFLECTION)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == reflection_parts(REFLECTION)


def test_cli_lines_round_trip():
    sentences, labels = read_split(CERED / "val.csv")
    lines = sentences[:40] + ["", "😀"]
    done = run_cli("--lines", text="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines)
    assert all(list(o) == ["category"] and o["category"] in CATEGORIES for o in out)
    assert [o["category"] for o in out] == classify(lines)
    assert out[-2] == {"category": "Other"}


@pytest.mark.parametrize(
    "args, text", [((), ""), (("--lines",), ""), ((), "  \n "), ((), b"\xff\xfe\xfa"), (("--lines",), b"ok\n\xff\xfe")]
)
def test_cli_bad_input_is_a_message_and_exit_2(args, text):
    done = run_cli(*args, text=text)
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.startswith(b"alongside: ") and b"Traceback" not in done.stderr


@pytest.mark.parametrize(
    "text, says", [("", "no reflection"), ("😀 🎉 123", "no words"), ("word " * 6_000, "6,000 words"), (None, "no reflection")]
)
def test_text_that_cannot_be_read_gets_a_clear_message(text, says):
    with pytest.raises(ReflectionError, match=says):
        reflection_parts(text)


@pytest.mark.parametrize(
    "text",
    [
        "Roedd y cyfarfod yn anodd. Dw i'n meddwl y bydda i'n gofyn mwy o gwestiynau y tro nesaf.",
        "Spotkanie było trudne. Następnym razem zadam więcej pytań.",
        "<p>I felt <b>nervous</b> before the meeting.</p>",
        "I felt nervous 😬 before the meeting!!!",
    ],
)
def test_other_languages_html_and_emoji_still_get_feedback(text):
    result = reflection_parts(text)
    assert result["sentences"] and result["feedback"]


def test_the_python_model_agrees_with_scikit_learn():
    from alongside.train_reflection import train

    sentences, labels = read_split(CERED / "train.csv")
    vectorizer, svm = train(sentences, labels)
    held, _ = read_split(CERED / "val.csv")
    expected = svm.predict(vectorizer.transform([reflection.featurize(s) for s in held]))
    assert classify(held) == list(expected)


def test_shipped_model_is_what_training_produces():
    shipped = data_path(*reflection.MODEL_FILE).read_text(encoding="utf-8")
    assert build() == shipped


def test_model_file_is_small_and_names_the_nine_categories():
    path = data_path(*reflection.MODEL_FILE)
    assert path.stat().st_size < 3_000_000
    loaded = reflection.read_model(io.StringIO(path.read_text(encoding="utf-8")))
    assert sorted(loaded.classes) == sorted(CATEGORIES)


def test_held_out_accuracy_is_well_above_the_baseline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    train_sentences, train_labels = read_split(CERED / "train.csv")
    sentences, labels = read_split(CERED / "val.csv")
    vectorizer = TfidfVectorizer()
    base = LogisticRegression(max_iter=1000).fit(vectorizer.fit_transform(train_sentences), train_labels)
    baseline = sum(base.predict(vectorizer.transform(sentences)) == labels) / len(labels)
    ours = sum(g == y for g, y in zip(classify(sentences), labels)) / len(labels)
    assert ours >= baseline + 0.08
    assert ours >= 0.66


def test_shipped_data_has_licence_and_citation():
    readme = data_path("cered", "README.txt").read_text(encoding="utf-8")
    assert "Štefánik" in readme and "11372/LRT-3573" in readme and "10.1007/s10639-022-11254-7" in readme
    assert "Apache License" in data_path("cered", "LICENSE.txt").read_text(encoding="utf-8")
    assert {read_split(CERED / f"{s}.csv")[1][0] for s in ("train", "val")} <= set(CATEGORIES)
