"""Moderation: a trainer checks a sample of the automatic marks, their marks reach the gradebook,
and the marking learns from them (`alongside cohort moderate`, `alongside train --course`).

The fast tests check the pieces (Cohen's kappa against a hand-computed example, the sample,
Markdown that shows text as itself, the points with a trainer's labels). The slow ones make a small
demo cohort, grade it with nbgrader, and moderate it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest
import yaml
from nbgrader.api import Gradebook

from alongside import corpus, learned
from alongside.cli import main as cli_main
from alongside.cohort.course import open_cohort
from alongside.cohort.moderated import read_moderation
from alongside.cohort.demo import make_demo
from alongside.cohort.grade import grade
from alongside.cohort.ledger import exercise_digest
from alongside.cohort.moderate import Answer, agreement, choose, markdown_text, moderated_points
from alongside.train_marking import OUT
from nbgrader_tools import ROOT

EXERCISES = ["02-words", "10-together"]  # rewrites, a listening reply, a plan, and a signed name


# ---- Cohen's kappa ----------------------------------------------------------------------------

def test_kappa_and_its_interval_match_a_hand_computed_example():
    # 10 answers: both say met 4, the marking met and the trainer not 1, the other way 1, both not met 4.
    pairs = [(True, True)] * 4 + [(True, False)] + [(False, True)] + [(False, False)] * 4
    found = agreement(pairs)
    # po = 8/10 = 0.8; each rater says met 5 times in 10, so pe = 0.5*0.5 + 0.5*0.5 = 0.5;
    # kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6.
    assert (found.n, found.agree) == (10, 0.8)
    assert found.kappa == pytest.approx(0.6)
    # Wilson 95 % interval of po (z = 1.959964, z^2 = 3.841459): centre (0.8 + 0.192073) / 1.384146 = 0.716737,
    # half-width 1.959964 * sqrt(0.016 + 0.009604) / 1.384146 = 0.226578, so po in [0.490159, 0.943315],
    # and kappa in [(0.490159 - 0.5) / 0.5, (0.943315 - 0.5) / 0.5] = [-0.019682, 0.886630].
    assert found.low == pytest.approx(-0.019682, abs=1e-4)
    assert found.high == pytest.approx(0.886630, abs=1e-4)
    assert "kappa 0.60 (95% interval -0.02 to 0.89)" in found.line()


def test_kappa_with_unequal_shares():
    # The marking says met 6 times, the trainer 5: both met 5, marking only 1, both not met 4.
    found = agreement([(True, True)] * 5 + [(True, False)] + [(False, False)] * 4)
    # po = 0.9; pe = 0.6*0.5 + 0.4*0.5 = 0.5; kappa = (0.9 - 0.5) / 0.5 = 0.8
    assert found.kappa == pytest.approx(0.8) and found.agree == pytest.approx(0.9)
    assert found.low < found.kappa < found.high <= 1


def test_no_kappa_when_a_rater_gave_one_mark_throughout():
    found = agreement([(True, True)] * 9 + [(True, False)])
    assert found.kappa is None and found.agree == pytest.approx(0.9)
    assert "not enough answers" in found.line() and "every automatic mark was met" in found.line()
    assert agreement([]).kappa is None


def test_a_perfect_small_sample_still_has_an_interval():
    found = agreement([(True, True), (False, False), (True, True), (False, False)])
    assert found.kappa == 1 and found.low < 0.5  # four answers cannot make anyone sure


# ---- the sample -------------------------------------------------------------------------------

def _answer(n: int, marks: dict, doubt: float = 0.0, rubric: str = "r") -> Answer:
    return Answer(f"t{n:02d}", "ex", "ex", "item", "", rubric, f"answer {n}", str(n), marks, {}, doubt)


def test_the_sample_has_both_marks_of_every_criterion():
    answers = [_answer(n, {"a": True, "b": True}) for n in range(20)]
    answers += [_answer(20, {"a": False, "b": True}), _answer(21, {"a": True, "b": False})]
    for seed in range(10):
        chosen = choose(answers, 3, seed)
        assert len(chosen) == 3
        for cid in ("a", "b"):
            assert {a.marks[cid] for a in chosen} == {True, False}, seed
    assert [a.trainee for a in choose(answers, 5, 7)] == [a.trainee for a in choose(answers, 5, 7)]
    assert len(choose(answers, 100, 0)) == len(answers)


def test_the_sample_leans_towards_answers_the_marking_was_unsure_of():
    answers = [_answer(n, {"a": True}, doubt=1.0 if n < 2 else 0.0) for n in range(20)]
    picked = sum(a.doubt > 0 for seed in range(100) for a in choose(answers, 2, seed))
    assert picked > 3 * (100 * 2 * 2 / 20)  # more than three times what a uniform sample would pick


def test_identical_answers_are_offered_once_and_rubrics_apart():
    twins = [Answer(f"t{n}", "ex", "ex", "item", "", "r", "same words", "d", {"a": True}, {}, 0.0) for n in range(5)]
    other = [_answer(n, {"a": True}, rubric="s") for n in range(5)]
    chosen = choose(twins + other, 3, 0)
    assert sum(a.rubric == "r" for a in chosen) == 1 and sum(a.rubric == "s" for a in chosen) == 3


def test_markdown_text_shows_markup_as_text():
    text = "<script>alert(1)</script> [link](http://x) **bold** `code` | pipe"
    escaped = markdown_text(text)
    assert re.search(r"(?<!\\)[<>\[\]*`|]", escaped) is None
    assert re.sub(r"\\(.)", r"\1", escaped) == text


def test_moderated_points_use_the_trainers_labels():
    result = {"max": 6.0, "criteria": [
        {"id": "a", "looks_for": "A thing.", "met": True, "points": 2.0, "max": 2.0},
        {"id": "b", "looks_for": "B thing", "met": False, "points": 0.0, "max": 4.0}]}
    assert moderated_points(result, {}) == (2.0, [])
    points, lines = moderated_points(result, {"": {"labels": {"a": False, "b": True}}})
    assert points == 4.0 and lines == ["A thing: not met (the automatic marking said met).",
                                       "B thing: met (the automatic marking said not yet)."]
    rewrites = {"max": 2.0, "criteria": [{"id": "r1", "looks_for": "r1", "met": True, "points": 0.0, "max": 0.0},
                                         {"id": "r1/a", "looks_for": "A", "met": True, "points": 1.0, "max": 1.0},
                                         {"id": "r2/a", "looks_for": "A", "met": True, "points": 1.0, "max": 1.0}]}
    assert moderated_points(rewrites, {"r2": {"labels": {"a": False}}}) == (1.0, ["r2, A: not met (the automatic "
                                                                                  "marking said met)."])


# ---- on a graded demo cohort ------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A five-trainee demo cohort on two exercises, graded."""
    root = make_demo(tmp_path_factory.mktemp("moderate") / "demo", 5, seed=3, exercises=EXERCISES).root
    run = grade(root, progress=False, reports=False)
    assert run.graded
    return root


@pytest.fixture
def cohort(graded, tmp_path):
    """A fresh copy of the graded cohort for one test."""
    root = tmp_path / "cohort"
    shutil.copytree(graded, root)
    return root


def _people(root: Path) -> list[dict]:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "alongside") as gb:
        return [{"id": s.id, "first": s.first_name, "last": s.last_name} for s in gb.students]


def _named(text: str, people: list[dict]) -> list[str]:
    text = text.casefold()
    found = []
    for p in people:
        found += [s for s in (p["id"], f"{p['first']} {p['last']}") if s.casefold() in text]
        found += [w for w in (p["first"], p["last"]) if re.search(rf"\b{re.escape(w.casefold())}\b", text)]
    return found


def _rows(sheet: Path) -> list[dict]:
    with sheet.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_rows(sheet: Path, rows: list[dict], fields: list[str] | None = None) -> None:
    fields = fields or list(rows[0])
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _sample(root: Path, capsys, n: int = 6) -> Path:
    capsys.readouterr()
    assert cli_main(["cohort", "moderate", str(root), "--sample", str(n)]) == 0
    printed = capsys.readouterr().out
    sheet = Path(re.search(r"--read (\S+\.csv)", printed).group(1))
    assert sheet.is_file() and sheet.with_suffix(".ipynb").is_file()
    return sheet


def _key(root: Path, sheet: Path) -> dict:
    return json.loads((root / ".alongside" / "moderation" / f"{sheet.stem}.json").read_text())


def _both_ways(rows: list[dict]) -> tuple[str, str]:
    """The (rubric, criterion) with the most answers among those the marking marked both ways."""
    by = {}
    for r in rows:
        by.setdefault((r["rubric"], r["criterion"]), []).append(r["automatic"])
    both = [k for k, marks in by.items() if {"met", "not met"} <= set(marks) and len(marks) >= 3]
    assert both, "the demo cohort's sample has no criterion marked both ways on three answers or more"
    return max(both, key=lambda k: (len(by[k]), k))


@pytest.mark.slow
def test_sheet_names_no_trainee_and_runs_nothing(cohort, capsys):
    sheet = _sample(cohort, capsys)
    people = _people(cohort)
    nb = nbformat.read(sheet.with_suffix(".ipynb"), as_version=4)
    assert {c.cell_type for c in nb.cells} <= {"markdown", "raw"}
    texts = {sheet.name: sheet.read_text(encoding="utf-8"), "notebook": json.dumps(nb),
             "file names": " ".join(p.name for p in sheet.parent.iterdir())}
    assert {where: found for where, text in texts.items() if (found := _named(text, people))} == {}
    rows = _rows(sheet)
    assert "[name]" in texts[sheet.name]  # a signed name is on the sheet as [name]
    assert {r["rubric"] for r in rows} >= {"listening-response", "rewrite-statement", "action-plan"}
    assert all(r["pseudonym"].startswith("trainee-") and r["trainer"] == "" for r in rows)
    per_rubric = {}
    for r in rows:
        per_rubric.setdefault(r["rubric"], set()).add(r["answer"])
    assert all(len(answers) <= 6 for answers in per_rubric.values())
    assert {e["trainee"] for e in _key(cohort, sheet)["answers"].values()} <= {p["id"] for p in people}


def _fill(rows: list[dict], target: tuple[str, str]) -> tuple[list[dict], str]:
    """Agree everywhere but flip the target criterion on the first answer the marking gave its more
    common mark (so the trainer still uses both marks); return the rows and that answer."""
    marks = [r["automatic"] for r in rows if (r["rubric"], r["criterion"]) == target]
    common = max(("met", "not met"), key=marks.count)
    flipped = None
    for r in rows:
        r["trainer"] = "agree"
        if (r["rubric"], r["criterion"]) == target and flipped is None and r["automatic"] == common:
            r["trainer"] = "not met" if r["automatic"] == "met" else "met"
            flipped = r["answer"]
    return rows, flipped


def _gradebook_rows(root: Path) -> list:
    con = sqlite3.connect(root / "gradebook.db")
    try:
        return con.execute("SELECT * FROM grade ORDER BY id").fetchall() + con.execute(
            "SELECT * FROM comment ORDER BY id").fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_reading_a_sheet_gives_the_kappa_computed_by_hand_and_overrides_the_marks(cohort, capsys):
    sheet = _sample(cohort, capsys)
    rows = _rows(sheet)
    target = _both_ways(rows)
    rows, flipped = _fill(rows, target)
    _write_rows(sheet, rows)
    marks = [(r["automatic"] == "met", (r["automatic"] == "met") != (r["answer"] == flipped))
             for r in rows if (r["rubric"], r["criterion"]) == target]
    n = len(marks)
    po = (n - 1) / n
    auto_met, trainer_met = sum(a for a, _ in marks) / n, sum(t for _, t in marks) / n
    pe = auto_met * trainer_met + (1 - auto_met) * (1 - trainer_met)
    by_hand = (po - pe) / (1 - pe)

    key = _key(cohort, sheet)["answers"][flipped]
    before = _score(cohort, key)
    assert cli_main(["cohort", "moderate", str(cohort), "--read", str(sheet)]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((cohort / ".alongside" / "moderation.json").read_text())
    figures = summary["rubrics"][target[0]][target[1]]
    assert figures["n"] == n and figures["agree"] == pytest.approx(po, abs=1e-3)
    assert 0 < trainer_met < 1 and 0 < auto_met < 1
    assert figures["kappa"] == pytest.approx(by_hand, abs=1e-3)
    assert f"{target[0]} {target[1]}: agreed on {n - 1} of {n}" in printed and f"kappa {by_hand:.2f}" in printed
    assert figures["sheet"] == sheet.name and figures["read_at"]
    assert read_moderation(open_cohort(cohort)).rubrics[target[0]][target[1]]["n"] == n  # as the report reads it
    assert f"{flipped} (" in printed and "you said" in printed

    # the override: a manual score and a comment in the gradebook, and in the trainee's feedback
    after = _score(cohort, key)
    assert after["manual"] is not None and after["manual"] != before["auto"]
    assert after["comment"].startswith("Moderated by your trainer.") and not after["needs_manual"]
    assert after["total"] == pytest.approx(before["total"] - before["auto"] + after["manual"])
    feedback = (cohort / "feedback" / key["trainee"] / key["exercise"] / f"{key['exercise']}.html").read_text()
    assert "Moderated by your trainer." in feedback

    # the labelled examples: pseudonymised, in the corpus's shape, read as extra train data
    labelled = cohort / "moderation" / "labelled.yaml"
    docs = list(yaml.safe_load_all(labelled.read_text(encoding="utf-8")))
    assert all({"author", "checker", "answers"} <= set(d) for d in docs)
    assert all(("text" in a or "fields" in a) and a["labels"] for d in docs for a in d["answers"])
    assert _named(labelled.read_text(encoding="utf-8"), _people(cohort)) == []
    extra = corpus.items(ROOT / "tests" / "data" / "corpus", target[0], "train", (labelled,))
    plain = corpus.items(ROOT / "tests" / "data" / "corpus", target[0], "train")
    assert len(extra) - len(plain) == len({r["answer"] for r in rows if r["rubric"] == target[0]})

    # reading the same sheet again changes nothing, the notebook gives the same marks
    state = {p: p.read_bytes() for p in [labelled, cohort / ".alongside" / "moderation.json",
                                         cohort / ".alongside" / "moderation" / "overrides.json"]}
    grades = _gradebook_rows(cohort)
    stamp = feedback
    assert cli_main(["cohort", "moderate", str(cohort), "--read", str(sheet)]) == 0
    assert {p: p.read_bytes() for p in state} == state and _gradebook_rows(cohort) == grades
    assert (cohort / "feedback" / key["trainee"] / key["exercise"] / f"{key['exercise']}.html").read_text() == stamp
    assert "feedback made again for 0 submission(s)" in capsys.readouterr().out


def _score(root: Path, key: dict) -> dict:
    from alongside.trusted import answer_cells, marked_item

    url = f"sqlite:///{root / 'gradebook.db'}"
    answer = answer_cells(url, key["exercise"], key["notebook"])[(key["exercise"], key["item"])]
    with Gradebook(url, "alongside") as gb:
        test = next(c.name for c in gb.find_notebook(key["notebook"], key["exercise"]).source_cells
                    if marked_item(c.source or "") == (key["exercise"], key["item"]))
        g = gb.find_grade(test, key["notebook"], key["exercise"], key["trainee"])
        c = gb.find_comment(answer, key["notebook"], key["exercise"], key["trainee"])
        return {"auto": g.auto_score, "manual": g.manual_score, "needs_manual": g.needs_manual_grade,
                "comment": c.manual_comment or "", "total": gb.find_submission(key["exercise"], key["trainee"]).score}


@pytest.mark.slow
def test_the_notebook_sheet_reads_like_the_csv(cohort, capsys):
    sheet = _sample(cohort, capsys)
    nb_path = sheet.with_suffix(".ipynb")
    nb = nbformat.read(nb_path, as_version=4)
    boxes = [c for c in nb.cells if c.cell_type == "raw"]
    first = boxes[0]
    aid = first.metadata["alongside"]["answer"]
    lines = first.source.splitlines()
    first.source = "\n".join([f"{lines[0]} not met", *(f"{line} agree" for line in lines[1:])])
    nbformat.write(nb, nb_path)
    assert cli_main(["cohort", "moderate", str(cohort), "--read", str(nb_path)]) == 0
    printed = capsys.readouterr().out
    criterion = lines[0].split(":")[0]
    automatic = _key(cohort, sheet)["answers"][aid]["marks"][criterion]
    assert (f"{aid} (" in printed) == automatic  # a disagreement only when the marking said met


@pytest.mark.slow
@pytest.mark.parametrize("damage, says", [
    ("no trainer column", "row 1 (the header): no 'trainer' column"),
    ("unknown answer", "row 3: answer 'A99' is not on sheet"),
    ("unknown criterion", "row 2: answer A01 has no criterion 'kindness'"),
    ("not a mark", "row 4: 'yes' is not a mark"),
    ("automatic changed", "row 2: the automatic column says"),
    ("row twice", "row 3: answer A01, criterion"),
])
def test_a_wrong_sheet_is_refused_with_the_row_named(cohort, capsys, damage, says):
    sheet = _sample(cohort, capsys)
    rows, fields = _rows(sheet), None
    for r in rows:
        r["trainer"] = "agree"
    if damage == "no trainer column":
        fields = [f for f in rows[0] if f != "trainer"]
    elif damage == "unknown answer":
        rows[1]["answer"] = "A99"
    elif damage == "unknown criterion":
        rows[0]["criterion"] = "kindness"
    elif damage == "not a mark":
        rows[2]["trainer"] = "yes"
    elif damage == "automatic changed":
        rows[0]["automatic"] = "not met" if rows[0]["automatic"] == "met" else "met"
    else:
        rows[1] = dict(rows[0])
    _write_rows(sheet, rows, fields)
    grades = _gradebook_rows(cohort)
    assert cli_main(["cohort", "moderate", str(cohort), "--read", str(sheet)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert _gradebook_rows(cohort) == grades and not (cohort / "moderation" / "labelled.yaml").exists()


@pytest.mark.slow
def test_a_wrong_line_in_the_notebook_is_refused_with_the_answer_and_line(cohort, capsys):
    sheet = _sample(cohort, capsys).with_suffix(".ipynb")
    nb = nbformat.read(sheet, as_version=4)
    box = next(c for c in nb.cells if c.cell_type == "raw")
    box.source = box.source.replace(": ", ": agree", 1) + "\nlooks fine to me"
    nbformat.write(nb, sheet)
    assert cli_main(["cohort", "moderate", str(cohort), "--read", str(sheet)]) == 2
    err = capsys.readouterr().err
    line = len(box.source.splitlines())
    assert f"answer {box.metadata['alongside']['answer']}, line {line}: write each line as" in err


@pytest.mark.slow
def test_a_later_grade_run_keeps_the_trainers_marks_until_the_answer_changes(cohort, capsys):
    sheet = _sample(cohort, capsys)
    rows, flipped = _fill(_rows(sheet), _both_ways(_rows(sheet)))
    _write_rows(sheet, rows)
    assert cli_main(["cohort", "moderate", str(cohort), "--read", str(sheet)]) == 0
    key = _key(cohort, sheet)["answers"][flipped]
    moderated = _score(cohort, key)
    # graded again with the answer unchanged (its autograded copy gone): the trainer's mark stays
    shutil.rmtree(cohort / "autograded" / key["trainee"] / key["exercise"])
    run = grade(cohort, progress=False, reports=False)
    assert run.graded == [(key["trainee"], key["exercise"])]
    again = _score(cohort, key)
    assert again == moderated and not again["needs_manual"]
    feedback = cohort / "feedback" / key["trainee"] / key["exercise"] / f"{key['exercise']}.html"
    assert "Moderated by your trainer." in feedback.read_text()
    # the trainee changes that answer: it is marked afresh, without the trainer's mark
    path = cohort / "submitted" / key["trainee"] / key["exercise"] / f"{key['exercise']}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith(f"%%answer {key['exercise']} {key['item']}"))
    cell.source += "\nI have added a sentence since."
    nbformat.write(nb, path)
    assert grade(cohort, progress=False, reports=False).graded == [(key["trainee"], key["exercise"])]
    fresh = _score(cohort, key)
    assert fresh["manual"] is None and fresh["comment"] == ""
    assert "Moderated by your trainer." not in feedback.read_text()


def _tiny_corpus(folder: Path) -> Path:
    """A corpus of two authors (listening replies and statements): one train, one validation."""
    source = ROOT / "tests" / "data" / "corpus"
    for author in ("g1a", "g1b"):
        shutil.copytree(source / author, folder / author)
    (folder / "splits.yaml").write_text("train: [g1a]\nvalidation: [g1b]\ntest: []\n", encoding="utf-8")
    return folder


def _digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.json"))}


@pytest.mark.slow
def test_train_for_a_course_learns_from_its_moderation_into_the_course_folder(cohort, capsys, tmp_path):
    assert cli_main(["train", "--course", str(cohort)]) == 2
    assert "no moderated answers yet" in capsys.readouterr().err
    sheet = _sample(cohort, capsys)
    rows, _flipped = _fill(_rows(sheet), _both_ways(_rows(sheet)))
    _write_rows(sheet, rows)
    assert cli_main(["cohort", "moderate", str(cohort), "--read", str(sheet)]) == 0
    shipped = _digests(OUT)
    course = open_cohort(cohort)
    digests = {ex: exercise_digest(course, ex) for ex in EXERCISES}
    capsys.readouterr()
    tiny = _tiny_corpus(tmp_path / "corpus")
    try:
        assert cli_main(["train", "--course", str(cohort), "--corpus", str(tiny)]) == 0
    finally:
        learned.use_models(None)
        learned.forget()
    printed = capsys.readouterr().out
    assert "before -> after" in printed and "mean agreement over" in printed
    assert _digests(OUT) == shipped  # the shipped models are never changed by a cohort
    models = cohort / ".alongside" / "models"
    assert any(models.glob("*.json")) and not (cohort / ".alongside" / "models.new").exists()
    assert all(json.loads(p.read_text())["trained_on"] for p in models.glob("*.json"))
    # the cohort is graded with its own models now, so its exercises count as changed
    assert all(exercise_digest(course, ex) != digests[ex] for ex in EXERCISES)
    from alongside.trusted import use_course_models

    try:
        use_course_models(cohort)
        assert learned.models_folder() == models
    finally:
        learned.use_models(None)

