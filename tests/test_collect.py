"""A collector that loses nothing: a Moodle zip as an attacker or a careless trainee would make it.

Every test ends by checking the summary against the disk file by file (:func:`summary_matches_disk`):
each row that names a path has exactly the bytes it stands for there, and no file under submitted/
or downloaded/ is left unnamed.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from alongside.cohort import moodle, unpack
from alongside.cohort.course import CohortError, gradebook, open_cohort
from alongside.cohort.demo import make_demo

pytestmark = pytest.mark.slow

WHEN, LATER, LATEST = (2026, 11, 20, 9, 30, 0), (2026, 11, 21, 18, 0, 0), (2026, 11, 22, 8, 0, 0)
ANA, BEN, CY = "Ana Lopez_1001_assignsubmission_file_", "Ben Ode_1002_assignsubmission_file_", "Cy Dee_1003_assignsubmission_file_"
ROSTER = "trainee,name,email,participant\nana,Ana Lopez,ana@example.org,1001\nben,Ben Ode,ben@example.org,1002\n" \
         "cy,Cy Dee,cy@example.org,1003\n"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("collect") / "cohort"
    made = make_demo(root, 1, seed=3)
    shutil.rmtree(made.submitted)
    return made


@pytest.fixture
def cohort(demo, tmp_path):
    """A fresh copy of the demo cohort with no submissions, for one test."""
    root = tmp_path / "cohort"
    shutil.copytree(demo.root, root)
    return open_cohort(root)


def notebook(cohort, reply: str) -> bytes:
    """The released 02-words notebook with ``reply`` typed into its listening answer cell."""
    nb = nbformat.read(cohort.release / "02-words" / "02-words.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith("%%answer 02-words listening"))
    cell.source = f"%%answer 02-words listening\n{reply}"
    return nbformat.writes(nb).encode()


def make_zip(path: Path, members: list[tuple[str, bytes, tuple]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, when in members:
            archive.writestr(zipfile.ZipInfo(name, when), data, zipfile.ZIP_DEFLATED)
    return path


def zip_bytes(members: list[tuple[str, bytes, tuple]]) -> bytes:
    buffer = io.BytesIO()
    make_zip(buffer, members)
    return buffer.getvalue()


def roster(tmp_path: Path, text: str = ROSTER) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def submitted(cohort, trainee: str) -> bytes:
    return (cohort.submission(trainee, "02-words") / "02-words.ipynb").read_bytes()


def summary_matches_disk(cohort, result, sources: dict[str, bytes]) -> None:
    """Every row's path holds the bytes of the file the row names; every file on disk is some row's path."""
    named = {}
    for row in result.outcomes:
        if row.path:
            assert row.path not in named, f"two rows name {row.path}"
            named[row.path] = row
            assert (cohort.root / row.path).read_bytes() == sources[row.file], f"{row.file}: {row.outcome} at {row.path}"
        else:
            assert row.outcome not in (moodle.IMPORTED, moodle.ALREADY, moodle.OLDER, moodle.SAME_TIME), row
    files = [p for p in cohort.submitted.rglob("*") if p.is_file() and p.name != "timestamp.txt"] \
        + [p for p in (cohort.root / "downloaded").rglob("*") if p.is_file()]
    assert sorted(p.relative_to(cohort.root).as_posix() for p in files) == sorted(named), "files no row names"
    assert result.summary().count("\n") == len(result.outcomes) + len(result.counts()), "one line a file"


# ---- nested archives ------------------------------------------------------------------------------

def test_a_zip_in_one_trainees_folder_cannot_replace_anothers_work(cohort, tmp_path):
    ana, ben, forged = notebook(cohort, "Ana's own words."), notebook(cohort, "Ben's own words."), notebook(cohort, "FORGED")
    inner = zip_bytes([(f"{ANA}/02-words.ipynb", forged, LATEST), ("../../submitted/ana/02-words/02-words.ipynb", forged, LATEST)])
    path = make_zip(tmp_path / "submissions.zip", [
        (f"{ANA}/02-words.ipynb", ana, WHEN), (f"{BEN}/02-words.ipynb", ben, WHEN), (f"{BEN}/extra.zip", inner, WHEN)])
    result = moodle.collect(path, cohort.root, roster(tmp_path))
    assert submitted(cohort, "ana") == ana, "Ana's submission is Ana's"
    rows = {row.file: row for row in result.outcomes}
    assert rows[f"{BEN}/extra.zip"].outcome == moodle.UNPACKED
    nested = [row for name, row in rows.items() if name.startswith(f"{BEN}/extra.zip!/")]
    assert len(nested) == 2 and all(row.trainee == "ben" for row in nested), "an archive counts for its folder's trainee only"
    assert rows[f"{ANA}/02-words.ipynb"].outcome == moodle.IMPORTED and rows[f"{ANA}/02-words.ipynb"].trainee == "ana"
    assert not (cohort.root.parent / "submitted").exists()
    summary_matches_disk(cohort, result, {f"{ANA}/02-words.ipynb": ana, f"{BEN}/02-words.ipynb": ben,
                                          **{row.file: forged for row in nested}})


def test_a_tar_gz_in_a_trainees_folder_is_unpacked_into_their_submission(cohort, tmp_path):
    ana = notebook(cohort, "From a tarball.")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("work/02-words.ipynb")
        info.size, info.mtime = len(ana), 1_800_000_000
        tar.addfile(info, io.BytesIO(ana))
        link = tarfile.TarInfo("work/link.ipynb")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/work.tar.gz", buffer.getvalue(), WHEN)])
    result = moodle.collect(path, cohort.root, roster(tmp_path), exercise="02-words")
    rows = {row.file: row.outcome for row in result.outcomes}
    assert rows == {f"{ANA}/work.tar.gz": moodle.UNPACKED, f"{ANA}/work.tar.gz!/work/02-words.ipynb": moodle.IMPORTED,
                    f"{ANA}/work.tar.gz!/work/link.ipynb": moodle.NOT_NOTEBOOK}
    assert submitted(cohort, "ana") == ana
    summary_matches_disk(cohort, result, {f"{ANA}/work.tar.gz!/work/02-words.ipynb": ana})


def test_a_bad_archive_is_one_line_and_the_rest_is_imported(cohort, tmp_path):
    ana, ben = notebook(cohort, "Ana."), notebook(cohort, "Ben.")
    path = make_zip(tmp_path / "submissions.zip", [
        (f"{ANA}/02-words.ipynb", ana, WHEN), (f"{ANA}/notes.txt.gz", gzip.compress(b"just some notes"), WHEN),
        (f"{BEN}/02-words.ipynb", ben, WHEN), (f"{BEN}/work.zip", b"PK\x03\x04 broken zip", WHEN),
        (f"{CY}/work.tgz", b"\x1f\x8b not really gzip", WHEN)])
    result = moodle.collect(path, cohort.root, roster(tmp_path))
    rows = {row.file: row for row in result.outcomes}
    for bad in (f"{ANA}/notes.txt.gz", f"{BEN}/work.zip", f"{CY}/work.tgz"):
        assert rows[bad].outcome == moodle.CANNOT_OPEN and rows[bad].note
    assert "tar" in rows[f"{ANA}/notes.txt.gz"].note
    assert submitted(cohort, "ana") == ana and submitted(cohort, "ben") == ben
    assert len(result.outcomes) == 5
    summary_matches_disk(cohort, result, {f"{ANA}/02-words.ipynb": ana, f"{BEN}/02-words.ipynb": ben})


def test_a_damaged_notebook_in_the_zip_is_one_line(cohort, tmp_path):
    ana, ben = notebook(cohort, "Ana."), notebook(cohort, "Ben.")
    path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/02-words.ipynb", ana, WHEN), (f"{BEN}/02-words.ipynb", ben, WHEN)])
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x03\x04", 10) - 20  # inside Ana's compressed notebook: its CRC no longer holds
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    result = moodle.collect(path, cohort.root, roster(tmp_path))
    rows = {row.file: row.outcome for row in result.outcomes}
    assert rows[f"{ANA}/02-words.ipynb"] in (moodle.CANNOT_OPEN, moodle.NOT_JSON)
    assert rows[f"{BEN}/02-words.ipynb"] == moodle.IMPORTED
    summary_matches_disk(cohort, result, {f"{BEN}/02-words.ipynb": ben})


# ---- duplicates -----------------------------------------------------------------------------------

def test_the_same_name_twice_in_the_zip_keeps_both_and_says_which_is_where(cohort, tmp_path):
    newer, older = notebook(cohort, "The newer one."), notebook(cohort, "The older one.")
    with pytest.warns(UserWarning, match="Duplicate name"):
        path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/02-words.ipynb", newer, LATER),
                                                        (f"{ANA}/02-words.ipynb", older, WHEN)])
    result = moodle.collect(path, cohort.root, roster(tmp_path))
    assert submitted(cohort, "ana") == newer, "the newer copy is the one on disk, as the summary says"
    rows = {row.file: row for row in result.outcomes}
    first, second = f"{ANA}/02-words.ipynb (copy 1 of 2)", f"{ANA}/02-words.ipynb (copy 2 of 2)"
    assert rows[first].outcome == moodle.IMPORTED and rows[second].outcome == moodle.OLDER
    assert (cohort.root / rows[second].path).read_bytes() == older, "and the older copy is kept, where it says"
    summary_matches_disk(cohort, result, {first: newer, second: older})


def test_two_copies_with_the_same_time_keep_the_later_one_in_the_zip(cohort, tmp_path):
    one, two = notebook(cohort, "First in the zip."), notebook(cohort, "Second in the zip.")
    path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/02-words.ipynb", one, WHEN), (f"{ANA}/b/02-words.ipynb", two, WHEN)])
    result = moodle.collect(path, cohort.root, roster(tmp_path))
    assert submitted(cohort, "ana") == two
    assert {row.file: row.outcome for row in result.outcomes}[f"{ANA}/02-words.ipynb"] == moodle.SAME_TIME
    summary_matches_disk(cohort, result, {f"{ANA}/02-words.ipynb": one, f"{ANA}/b/02-words.ipynb": two})


def test_the_same_name_twice_in_the_roster_is_refused_naming_both_rows(cohort, tmp_path):
    path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/02-words.ipynb", notebook(cohort, "Ana."), WHEN)])
    twice = roster(tmp_path, "trainee,name,email\nana,Ana Lopez,ana@example.org\nana2,Ana  lopez,ana2@example.org\n")
    with pytest.raises(CohortError, match=r"rows 2 and 3 \(ana, ana2\).*same name"):
        moodle.collect(path, cohort.root, twice)
    assert not cohort.submitted.exists(), "nothing is written"
    for text, what in (("trainee,name\nana,A\nAna,B\n", "trainee id"), ("trainee,participant\na,1001\nb,1001\n", "participant"),
                       ("trainee,email\na,x@y.org\nb,X@y.org\n", "email")):
        with pytest.raises(CohortError, match=f"rows 2 and 3.*same {what}"):
            moodle.load_roster(roster(tmp_path, text))


def test_two_trainees_with_one_name_are_both_kept_by_participant_number(cohort, tmp_path):
    first, second = notebook(cohort, "The first Sam."), notebook(cohort, "The second Sam.")
    path = make_zip(tmp_path / "submissions.zip", [("Sam Khan_2001_assignsubmission_file_/02-words.ipynb", first, WHEN),
                                                    ("Sam Khan_2002_assignsubmission_file_/02-words.ipynb", second, WHEN)])
    both = roster(tmp_path, "trainee,name,participant\nsam1,Sam Khan,2001\nsam2,Sam Khan,2002\n")
    result = moodle.collect(path, cohort.root, both)
    assert submitted(cohort, "sam1") == first and submitted(cohort, "sam2") == second
    assert result.counts()[moodle.IMPORTED] == 2
    summary_matches_disk(cohort, result, {"Sam Khan_2001_assignsubmission_file_/02-words.ipynb": first,
                                          "Sam Khan_2002_assignsubmission_file_/02-words.ipynb": second})


def test_two_moodle_folders_for_one_roster_trainee_are_both_reported_not_merged(cohort, tmp_path):
    one, other = notebook(cohort, "One Sam."), notebook(cohort, "Another Sam.")
    path = make_zip(tmp_path / "submissions.zip", [("Sam Khan_2001_assignsubmission_file_/02-words.ipynb", one, WHEN),
                                                    ("Sam Khan_2002_assignsubmission_file_/02-words.ipynb", other, LATER)])
    result = moodle.collect(path, cohort.root, roster(tmp_path, "trainee,name\nsam,Sam Khan\n"))
    assert [row.outcome for row in result.outcomes] == [moodle.SAME_TRAINEE] * 2
    assert "2001, 2002" in result.outcomes[0].note
    assert not cohort.submitted.exists()
    summary_matches_disk(cohort, result, {})


# ---- trainee ids -------------------------------------------------------------------------------

@pytest.mark.parametrize("trainee", ["..", ".hidden", "a/b", "../x", "a..b", "-x", "x" * 65, "ana lopez", "é"])
def test_an_unsafe_trainee_id_in_the_roster_is_refused_with_a_line(cohort, tmp_path, trainee):
    path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/02-words.ipynb", notebook(cohort, "Ana."), WHEN)])
    bad = roster(tmp_path, f'trainee,name,participant\n"{trainee}",Ana Lopez,1001\n')
    with pytest.raises(CohortError, match="roster row 2: trainee id .* is not allowed") as refused:
        moodle.collect(path, cohort.root, bad)
    assert "\n" not in str(refused.value)
    assert not cohort.submitted.exists() and not (cohort.root / "downloaded").exists()


def test_safe_trainee_ids_are_taken(tmp_path):
    ok = moodle.load_roster(roster(tmp_path, "trainee,participant\nt001,1\nana.lopez,2\nA_b-c,3\n" + "x" * 64 + ",4\n"))
    assert ok.match(participant="2") == "ana.lopez" and ok.match(participant="4") == "x" * 64


# ---- limits ------------------------------------------------------------------------------------

def test_a_small_zip_that_unpacks_to_far_more_writes_nothing_and_says_so(cohort, tmp_path, monkeypatch):
    monkeypatch.setattr(unpack, "MAX_TOTAL_BYTES", 32 * 2**20)  # the same as the real 512 MB, quicker
    huge = b'{"cells": []' + b" " * (8 * 2**20) + b"}"  # 8 MB of valid JSON: deflate makes it tiny
    inner = zip_bytes([(f"{i}/02-words.ipynb", huge, WHEN) for i in range(3)])
    bomb = zip_bytes([(f"part{i}.zip", inner, WHEN) for i in range(4)])  # 12 x 8 MB: past MAX_TOTAL_BYTES
    ben = notebook(cohort, "Ben.")
    path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/bomb.zip", bomb, WHEN), (f"{BEN}/02-words.ipynb", ben, WHEN)])
    assert path.stat().st_size < 100_000 and 12 * len(huge) > unpack.MAX_TOTAL_BYTES
    result = moodle.collect(path, cohort.root, roster(tmp_path))
    written = sum(p.stat().st_size for p in cohort.root.rglob("*") if p.is_file() and "gradebook" not in p.name)
    assert written < 2**20 and not (cohort.root / "submitted" / "ana").exists()
    rows = {row.file: row for row in result.outcomes}
    assert set(rows) == {f"{ANA}/bomb.zip", f"{BEN}/02-words.ipynb"}, "an archive over a limit is one line"
    assert rows[f"{ANA}/bomb.zip"].outcome == unpack.TOO_BIG and "MAX_TOTAL_BYTES" in rows[f"{ANA}/bomb.zip"].note
    assert rows[f"{BEN}/02-words.ipynb"].outcome == moodle.IMPORTED
    summary_matches_disk(cohort, result, {f"{BEN}/02-words.ipynb": ben})


def test_too_many_files_or_too_deep_is_one_line_each(cohort, tmp_path, monkeypatch):
    monkeypatch.setattr(unpack, "MAX_FILES", 40)
    many = zip_bytes([(f"f{i}.txt", b"x", WHEN) for i in range(50)])
    deep = zip_bytes([("02-words.ipynb", notebook(cohort, "Too deep."), WHEN)])
    for _ in range(unpack.MAX_DEPTH):
        deep = zip_bytes([("inner.zip", deep, WHEN)])
    ana = notebook(cohort, "Ana.")
    path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/02-words.ipynb", ana, WHEN), (f"{ANA}/many.zip", many, WHEN),
                                                    (f"{BEN}/deep.zip", deep, WHEN)])
    result = moodle.collect(path, cohort.root, roster(tmp_path))
    rows = {row.file: row for row in result.outcomes}
    assert rows[f"{ANA}/many.zip"].outcome == unpack.TOO_MANY and "MAX_FILES" in rows[f"{ANA}/many.zip"].note
    assert not [name for name in rows if name.startswith(f"{ANA}/many.zip!/")], "nothing half-listed or half-written"
    too_deep = [row for row in result.outcomes if row.outcome == unpack.TOO_DEEP]
    assert len(too_deep) == 1 and too_deep[0].file.count("!/") == unpack.MAX_DEPTH - 1 and "MAX_DEPTH" in too_deep[0].note
    assert submitted(cohort, "ana") == ana and not (cohort.root / "submitted" / "ben").exists()
    summary_matches_disk(cohort, result, {f"{ANA}/02-words.ipynb": ana})


def test_a_zip_with_more_files_than_the_limit_is_refused_before_anything_is_written(cohort, tmp_path, monkeypatch):
    monkeypatch.setattr(unpack, "MAX_FILES", 3)
    path = make_zip(tmp_path / "submissions.zip", [(f"{ANA}/{i}.txt", b"x", WHEN) for i in range(4)]
                    + [(f"{ANA}/02-words.ipynb", notebook(cohort, "Ana."), WHEN)])
    with pytest.raises(CohortError, match="holds 5 files.*MAX_FILES"):
        moodle.collect(path, cohort.root, roster(tmp_path))
    assert not cohort.submitted.exists()


# ---- again, and a newer submission -------------------------------------------------------------------

def test_a_new_submission_keeps_the_earlier_one_aside_and_again_changes_nothing(cohort, tmp_path):
    first, second = notebook(cohort, "First try."), notebook(cohort, "Second try.")
    one = make_zip(tmp_path / "one.zip", [(f"{ANA}/02-words.ipynb", first, WHEN)])
    moodle.collect(one, cohort.root, roster(tmp_path))
    stamp = (cohort.submission("ana", "02-words") / "timestamp.txt").read_bytes()
    two = make_zip(tmp_path / "two.zip", [(f"{ANA}/02-words.ipynb", second, LATER)])
    result = moodle.collect(two, cohort.root, roster(tmp_path))
    assert submitted(cohort, "ana") == second
    earlier = {Path(row.file).name: row for row in result.outcomes if row.outcome == moodle.EARLIER}
    assert set(earlier) == {"02-words.ipynb", "timestamp.txt"}
    assert (cohort.root / earlier["02-words.ipynb"].path).read_bytes() == first
    assert (cohort.root / earlier["timestamp.txt"].path).read_bytes() == stamp
    assert "2 files of earlier submissions kept aside" in result.summary()
    sources = {f"{ANA}/02-words.ipynb": second, earlier["02-words.ipynb"].file: first, earlier["timestamp.txt"].file: stamp}
    summary_matches_disk(cohort, result, sources)
    before = {p: p.read_bytes() for p in cohort.root.rglob("*") if p.is_file() and "gradebook" not in p.name}
    again = moodle.collect(two, cohort.root, roster(tmp_path))
    assert again.counts() == {moodle.ALREADY: 1}
    assert {p: p.read_bytes() for p in cohort.root.rglob("*") if p.is_file() and "gradebook" not in p.name} == before


# ---- every kind of file at once, checked file by file ------------------------------------------------

def test_every_row_of_the_summary_matches_the_disk_file_by_file(cohort, tmp_path):
    data = {name: notebook(cohort, name) for name in ("ana", "ana-old", "ben", "ben-zip", "cy", "zed")}
    inner = zip_bytes([("sub/02-words.ipynb", data["ben-zip"], LATEST), ("readme.md", b"hi", WHEN),
                       ("other.ipynb", data["ben"], WHEN)])
    members = [
        (f"{ANA}/02-words.ipynb", data["ana"], LATER), (f"{ANA}/old/02-words.ipynb", data["ana-old"], WHEN),
        (f"{ANA}/my notes.docx", b"PK\x03\x04 not a notebook", WHEN), (f"{BEN}/02-words.ipynb", data["ben"], WHEN),
        (f"{BEN}/work.zip", inner, WHEN), (f"{CY}/02-words.ipynb", b"{not json", WHEN),
        ("Zed Stranger_1099_assignsubmission_file_/02-words.ipynb", data["zed"], WHEN),
        ("Ana Lopez_1001_assignsubmission_onlinetext_/onlinetext.html", b"<p>see file</p>", WHEN),
        ("index.txt", b"downloaded from Moodle", WHEN), (f"{CY}/x\n  {BEN}/02-words.ipynb -> ben: imported", b"", WHEN)]
    path = make_zip(tmp_path / "submissions.zip", members)
    result = moodle.collect(path, cohort.root, roster(tmp_path))
    rows = {row.file: row.outcome for row in result.outcomes}
    assert rows == {
        f"{ANA}/02-words.ipynb": moodle.IMPORTED, f"{ANA}/old/02-words.ipynb": moodle.OLDER,
        f"{ANA}/my notes.docx": moodle.NOT_NOTEBOOK, f"{BEN}/02-words.ipynb": moodle.OLDER,
        f"{BEN}/work.zip": moodle.UNPACKED, f"{BEN}/work.zip!/sub/02-words.ipynb": moodle.IMPORTED,
        f"{BEN}/work.zip!/readme.md": moodle.NOT_NOTEBOOK, f"{BEN}/work.zip!/other.ipynb": moodle.NOT_EXERCISE,
        f"{CY}/02-words.ipynb": moodle.NOT_JSON, "Zed Stranger_1099_assignsubmission_file_/02-words.ipynb": moodle.NOT_IN_ROSTER,
        "Ana Lopez_1001_assignsubmission_onlinetext_/onlinetext.html": moodle.NOT_NOTEBOOK, "index.txt": moodle.NOT_MOODLE,
        f"{CY}/x\n  {BEN}/02-words.ipynb -> ben: imported": moodle.NOT_NOTEBOOK}
    assert f"Exercise 02-words: {len(members) + 3} files in the zip." in result.summary()
    summary_matches_disk(cohort, result, {f"{ANA}/02-words.ipynb": data["ana"], f"{ANA}/old/02-words.ipynb": data["ana-old"],
                                          f"{BEN}/02-words.ipynb": data["ben"],
                                          f"{BEN}/work.zip!/sub/02-words.ipynb": data["ben-zip"]})


# ---- export ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded(demo, tmp_path_factory):
    from alongside.cohort.grade import grade

    folder = tmp_path_factory.mktemp("graded")
    root = folder / "cohort"
    shutil.copytree(demo.root, root)
    path = make_zip(folder / "submissions.zip", [(f"{ANA}/02-words.ipynb", notebook(demo, "I hear you. What have you noticed?"), WHEN),
                                                  (f"{BEN}/02-words.ipynb", notebook(demo, "Don't worry."), WHEN)])
    moodle.collect(path, root, roster(folder))
    grade(root, progress=False, reports=False)
    return open_cohort(root), roster(folder)


HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Last modified (grade)",
          "Feedback comments"]


def export_rows(cohort, ros, tmp_path, rows):
    worksheet, out = tmp_path / "worksheet.csv", tmp_path / "upload.csv"
    with worksheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    done = moodle.export(cohort.root, worksheet, out, exercise="02-words", roster_path=ros)
    with out.open(newline="", encoding="utf-8") as handle:
        return done, list(csv.reader(handle))


def test_export_never_writes_nan_and_neutralises_formula_cells(graded, tmp_path):
    cohort, ros = graded
    done, back = export_rows(cohort, ros, tmp_path, [
        ["Participant 1001", '=HYPERLINK("http://x.example","click")', "@SUM(A1)", "+1", "", "nan", "-", ""],
        ["Participant 1002", "Ben Ode", "-ben@example.org", "Submitted", "", "100.00", "-", ""]])
    ana, ben = back[1], back[2]
    assert ana[5] == "nan" and "nan" not in {row[4].lower() for row in back}, "no grade is ever written as nan"
    assert ana[4] == "" and ana[7] == "", "a grade that is not a number is left empty"
    assert any("Participant 1001" in line and "Maximum Grade" in line for line in done.left_empty)
    assert ana[1].startswith("'=") and ana[2].startswith("'@") and ana[3] == "'+1" and ben[2] == "'-ben@example.org"
    with gradebook(cohort) as gb:
        submission = gb.find_submission("02-words", "ben")
        assert float(ben[4]) == pytest.approx(submission.score / submission.max_score * 100, abs=0.01)
    assert done.filled == 1 and "Left empty (1)" in done.summary()


def test_export_fills_neither_of_two_rows_that_match_one_trainee(graded, tmp_path):
    cohort, ros = graded
    done, back = export_rows(cohort, ros, tmp_path, [
        ["Participant 1001", "Ana Lopez", "ana@example.org", "Submitted", "", "100.00", "-", ""],
        ["Participant 1009", "Ana Lopez", "another.ana@example.org", "Submitted", "", "100.00", "-", ""]])
    assert back[1][4] == back[2][4] == "", "one trainee's grade is never written into another's row"
    assert done.filled == 0 and len(done.left_empty) == 2 and "match trainee ana" in done.left_empty[0]


def test_the_command_line_collect_and_export_say_one_line_for_bad_files(graded, tmp_path):
    import subprocess
    import sys

    cohort, ros = graded
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"trainee,name\n" + b"x" * 200_000 + b",\"\n")
    for args in (["collect", str(bad), "--course", str(cohort.root), "--roster", str(bad)],
                 ["export", str(cohort.root), "--moodle", str(bad), "--out", str(tmp_path / "o.csv"), "--roster", str(ros)]):
        done = subprocess.run([sys.executable, "-m", "alongside", "cohort", *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
