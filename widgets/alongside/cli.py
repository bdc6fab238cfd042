"""The command line: ``alongside`` or ``python -m alongside``.

Each command reads text on standard input and prints one JSON object, so trainers and other
tools can script it; ``alongside cohort ...`` (grading a whole cohort) works on a folder instead,
and ``alongside handouts --out DIR`` writes the handouts to print for group sessions.
Bad input gets a one-line message on standard error and exit status 2. No checker reads more than
``text.MAX_CHARS`` characters: ``check-language`` reads the first part and says so on standard
error, ``score`` gives its one message and no points, and the others refuse longer text. Standard input is read as
bytes and decoded as strict UTF-8, so any bytes at all (not UTF-8, NUL bytes, a closed stdin) get
a result or that line, never a traceback; a terminal that cannot show a character gets JSON's own
\\u escapes instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from alongside.data import DataError
from alongside.text import MAX_CHARS, cap

USAGE_ERROR = 2


class UsageError(Exception):
    """A problem with what the user asked for: printed as one line, exit status 2."""


def _read_stdin(what: str) -> str:
    stream = sys.stdin  # None when started with stdin closed; a text stream without bytes in a notebook
    raw = getattr(stream, "buffer", stream).read() if stream is not None else b""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise UsageError(f"the {what} is not readable text (UTF-8)") from None
    if not text.strip():
        raise UsageError(f"no {what} given: pipe the text in, for example: echo 'your text' | alongside ...")
    return text


def _print_json(data: dict) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        text = json.dumps(data, indent=2)  # the same JSON, in \u escapes this terminal can show
    print(text)


def cmd_score(args: argparse.Namespace) -> int:
    """Score an answer on stdin against a rubric (a JSON object of its parts, for a plan)."""
    from alongside.rubric import load_rubric, rubric_ids, score

    try:
        rubric = load_rubric(args.rubric)
    except KeyError:
        raise UsageError(f"unknown rubric {args.rubric!r}; known rubrics: {', '.join(rubric_ids())}") from None
    text = _read_stdin("answer")
    answer: object = text
    if rubric.fields and len(text) <= MAX_CHARS:  # a plan: a JSON object of its parts (longer: refused as it is)
        try:
            answer = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
            answer = None
        if not isinstance(answer, dict):
            parts = ", ".join(f'"{f}": "..."' for f in rubric.fields[:2])
            raise UsageError(f"rubric {rubric.id} reads a plan: give a JSON object such as {{{parts}, ...}} "
                             f"with the parts {', '.join(rubric.fields)}")
    _print_json(score(rubric, answer).to_dict())
    return 0


def cmd_check_language(args: argparse.Namespace) -> int:
    """Check a statement on stdin for words that can hurt a parent."""
    from alongside.language import check_language, too_long

    text = _read_stdin("statement")
    if too_long(text):
        print(f"alongside: {too_long(text)}", file=sys.stderr)
    _print_json(check_language(text))
    return 0


def cmd_check_letter(args: argparse.Namespace) -> int:
    """Check a letter to a parent (on stdin) for grade, jargon, blame and "no surprises"."""
    from alongside.letter import LetterError, check_letter

    try:
        _print_json(check_letter(_read_stdin("letter")))
    except LetterError as err:
        raise UsageError(str(err)) from None
    return 0


def cmd_reflection_parts(args: argparse.Namespace) -> int:
    """Name what each sentence of a reflection (on stdin) does; with --lines, one sentence a line."""
    from alongside.reflection import ReflectionError, classify, reflection_parts

    try:
        text = _read_stdin("reflection")
        if args.lines:
            too_long = cap(text, "text")[1]
            if too_long:
                raise UsageError(too_long)
            for category in classify(text.splitlines()):
                print(json.dumps({"category": category}, ensure_ascii=False))
        else:
            _print_json(reflection_parts(text))
    except ReflectionError as err:
        raise UsageError(str(err)) from None
    return 0


def cmd_rubrics(args: argparse.Namespace) -> int:
    """List the rubrics and what each criterion looks for."""
    from alongside.rubric import describe, load_rubric, rubric_ids

    _print_json({rid: {"title": load_rubric(rid).title, "criteria": describe(rid)} for rid in rubric_ids()})
    return 0


def cmd_cohort(args: argparse.Namespace) -> int:
    """Trainers' cohort tools: demo, grade, report, and a learning platform's zip in and grades out."""
    from alongside.cohort.course import CohortError, use_gradebook

    try:
        if getattr(args, "db", None):
            use_gradebook(args.db)
        if args.action == "demo":
            from alongside.cohort.demo import make_demo

            cohort = make_demo(args.out, args.trainees, seed=args.seed)
            print(f"Made a demo cohort of {args.trainees} trainees in {cohort.root}. "
                  f"Grade it with: alongside cohort grade {cohort.root}")
        elif args.action == "grade":
            from alongside.cohort.grade import grade

            run = grade(args.dir, workers=args.workers, progress=not args.quiet, pseudonymise=args.pseudonymise)
            print(run.summary())
        elif args.action == "moderate":
            from alongside.cohort import moderate

            if args.read:
                print(moderate.read(args.dir, args.read).summary())
            else:
                print(moderate.sample(args.dir, args.sample, seed=args.seed).summary(args.dir))
        elif args.action == "collect":
            from alongside.cohort.moodle import collect

            print(collect(args.zip, args.course, args.roster, exercise=args.exercise).summary())
        elif args.action == "export":
            from alongside.cohort.moodle import export

            done = export(args.dir, args.moodle, args.out, exercise=args.exercise, roster_path=args.roster,
                          pseudonymise=args.pseudonymise)
            print(done.summary())
        else:
            from alongside.cohort.course import open_cohort
            from alongside.cohort.record import write_records
            from alongside.cohort.report import cohort_tables, write_reports

            cohort = open_cohort(args.dir)
            tables = cohort_tables(cohort)
            paths = write_reports(cohort, pseudonymise=args.pseudonymise, tables=tables)
            paths.append(write_records(cohort, pseudonymise=args.pseudonymise, tables=tables))
            print("Reports: " + ", ".join(str(p) for p in paths))
    except CohortError as err:
        raise UsageError(str(err)) from None
    return 0


def cmd_handouts(args: argparse.Namespace) -> int:
    """Write the handouts to print (guides, story cards, role cards, observation sheets) into a folder."""
    from alongside.handouts import UnknownModule, write_handouts

    try:
        written = write_handouts(args.out, module_id=args.module)
    except UnknownModule as err:
        raise UsageError(str(err)) from None
    except FileExistsError:
        raise UsageError(f"{args.out} is a file, not a folder: give a folder for the handouts") from None
    except NotADirectoryError:
        raise UsageError(f"could not make the folder {args.out}: part of its path is a file") from None
    except OSError as err:
        raise UsageError(f"could not write the handouts in {args.out}: {err.strerror or err}") from None
    for path, gaps in written[:-1]:
        print(f"{path}" + (f" (missing: {' '.join(gaps)})" if gaps else ""))
    print(f"Open {written[-1][0]} in a browser to print them on A4.")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train the marking's learned models: the shipped ones, or with --course a course's own, from
    the shipped corpus and the course's moderated answers; print the validation figures before and after."""
    import shutil

    from alongside import learned, train_marking
    from alongside.cohort.course import CohortError, open_cohort
    from alongside.cohort.demo import course_root

    corpus = Path(args.corpus) if args.corpus else course_root() / "tests" / "data" / "corpus"
    if not (corpus / "splits.yaml").is_file():
        raise UsageError(f"no labelled corpus in {corpus} (it needs splits.yaml): train from a copy of the course's "
                         "source, or give --corpus DIR")
    if args.course:
        from alongside.cohort.moderate import labelled_path

        try:
            cohort = open_cohort(args.course)
        except CohortError as err:
            raise UsageError(str(err)) from None
        extra = labelled_path(cohort)
        if not extra.is_file():
            raise UsageError(f"{cohort.root} has no moderated answers yet ({extra}): moderate first with "
                             f"alongside cohort moderate {cohort.root} --sample N, then --read the sheet")
        out, extras, current = cohort.models, (extra,), (cohort.models if cohort.models.is_dir() else None)
    else:
        out, extras, current = train_marking.OUT, (), None
    previous = learned.use_models(current)
    learned.forget()
    try:
        before = train_marking.validation_figures(corpus)
        into = out.with_name(f"{out.name}.new") if args.course else out  # a course's models are swapped in whole
        if args.course:
            shutil.rmtree(into, ignore_errors=True)
        lines = train_marking.train_all(corpus, into, extras)
        if args.course:
            shutil.rmtree(out, ignore_errors=True)
            into.rename(out)
        learned.use_models(out)
        learned.forget()
        after = train_marking.validation_figures(corpus)
    finally:
        learned.use_models(previous)
        learned.forget()
    if args.verbose:
        print("\n".join(lines))
    print("Agreement with the labels on the corpus's validation split (never trained on), before -> after:")
    print("\n".join(train_marking.compare(before, after)))
    print(f"Models written to {out}." + (f" Grade again to mark with them: alongside cohort grade {args.course}"
                                         if args.course else ""))
    return 0


def _add_cohort(sub) -> None:
    p = sub.add_parser("cohort", help="trainers: grade a whole cohort with nbgrader and report on it")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    demo = actions.add_parser("demo", help="make a synthetic cohort (an nbgrader course folder) to try it on")
    demo.add_argument("--trainees", type=int, required=True, metavar="N", help="how many trainees")
    demo.add_argument("--out", required=True, metavar="DIR", help="a new (or empty) folder for the cohort")
    demo.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (same seed, same cohort)")
    grade = actions.add_parser("grade", help="autograde every new submission in parallel, make feedback and reports")
    grade.add_argument("dir", metavar="DIR", help="the cohort's nbgrader course folder")
    grade.add_argument("--workers", type=int, default=None, metavar="N", help="worker processes (default: one per core)")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    report = actions.add_parser("report", help="rewrite the reports from the gradebook without grading")
    report.add_argument("dir", metavar="DIR", help="the cohort's nbgrader course folder")
    for q in (grade, report):
        q.add_argument("--pseudonymise", action="store_true",
                       help="show trainees under pseudonyms in every report and record; no names, ids or e-mails, "
                       "and nothing they typed that could name them")
    moderate = actions.add_parser("moderate", help="check a sample of the automatic marks; read your marks back")
    moderate.add_argument("dir", metavar="DIR", help="the cohort's nbgrader course folder")
    which = moderate.add_mutually_exclusive_group(required=True)
    which.add_argument("--sample", type=int, metavar="N", help="write a moderation sheet of up to N answers per rubric")
    which.add_argument("--read", metavar="SHEET", help="read a filled-in moderation sheet (its .csv or its .ipynb)")
    moderate.add_argument("--seed", type=int, default=0, metavar="S", help="random seed of the sample (same seed, same sheet)")
    collect = actions.add_parser("collect", help="import a Moodle zip of submissions with nbgrader's zip_collect")
    collect.add_argument("zip", metavar="ZIP", help="the zip from Moodle's 'Download all submissions' (only read)")
    collect.add_argument("--course", required=True, metavar="DIR", help="the cohort's nbgrader course folder")
    collect.add_argument("--roster", required=True, metavar="ROSTER.csv", help="trainee, name, email, participant")
    collect.add_argument("--exercise", metavar="ID", help="the exercise (default: worked out from the notebooks)")
    export = actions.add_parser("export", help="fill in Moodle's grading worksheet from the gradebook")
    export.add_argument("dir", metavar="DIR", help="the cohort's nbgrader course folder")
    export.add_argument("--moodle", required=True, metavar="WORKSHEET.csv", help="the worksheet downloaded from Moodle")
    export.add_argument("--out", required=True, metavar="OUT.csv", help="where to write the filled-in worksheet")
    export.add_argument("--exercise", metavar="ID", help="the exercise (default: the only one in the gradebook)")
    export.add_argument("--roster", metavar="ROSTER.csv", help="maps Moodle's names, emails or participants to trainees")
    export.add_argument("--pseudonymise", action="store_true",
                        help="write a copy to share, not to upload: trainees under the reports' pseudonyms, no names, "
                        "e-mails or Moodle identifiers, only the grade, status and feedback columns")
    for q in (demo, grade, report, moderate, collect, export):
        q.add_argument("--db", metavar="URL", help="the gradebook's database URL: sqlite:////path/gradebook.db, or "
                       "PostgreSQL for several trainers at once, e.g. postgresql://grader@host/alongside (a plain "
                       "postgresql:// uses psycopg 3; keep the password in ~/.pgpass or PGPASSWORD) "
                       "(default: $ALONGSIDE_GRADEBOOK_URL, else what the folder's nbgrader_config.py says, "
                       "normally DIR/gradebook.db)")
    p.set_defaults(func=cmd_cohort)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = argparse.ArgumentParser(prog="alongside", description="Alongside course tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("score", help="score an answer (on stdin) against a rubric; prints JSON")
    p.add_argument("--rubric", required=True, metavar="ID", help="rubric id, e.g. listening-response")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("check-language", help="flag harmful wording in a statement (on stdin); prints JSON")
    p.set_defaults(func=cmd_check_language)

    p = sub.add_parser("check-letter", help="check a letter to a parent (on stdin) for plain words and no surprises; prints JSON")
    p.set_defaults(func=cmd_check_letter)

    p = sub.add_parser("reflection-parts", help="name what each sentence of a reflection (on stdin) does; prints JSON")
    p.add_argument("--lines", action="store_true", help="read one sentence a line; print one JSON object a line")
    p.set_defaults(func=cmd_reflection_parts)

    p = sub.add_parser("rubrics", help="list the rubrics and their criteria; prints JSON")
    p.set_defaults(func=cmd_rubrics)

    p = sub.add_parser("handouts", help="trainers: write the handouts to print for group sessions (HTML for A4)")
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to write them in (made if need be)")
    p.add_argument("--module", metavar="ID", help="one module only, e.g. 02-words (default: every module)")
    p.set_defaults(func=cmd_handouts)

    p = sub.add_parser("train", help="train the marking's learned models (with --course, a course's own, from its "
                       "moderated answers too); prints the validation figures before and after")
    p.add_argument("--course", metavar="DIR", help="a cohort folder: learn from its moderation/labelled.yaml too, and "
                   "write the models into DIR/.alongside/models (the shipped ones are never changed)")
    p.add_argument("--corpus", metavar="DIR", help="the labelled corpus (default: tests/data/corpus in the course's source)")
    p.add_argument("--verbose", action="store_true", help="print what was chosen for every criterion")
    p.set_defaults(func=cmd_train)

    _add_cohort(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):  # a name a terminal cannot show is escaped, not a traceback
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return args.func(args)
    except UsageError as err:
        print(f"alongside: {err}", file=sys.stderr)
        return USAGE_ERROR
    except DataError as err:
        print(f"alongside: a course data file is broken: {err}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # the reader stopped early (| head): nothing more to say
        sys.stdout = None
        return 0
    except KeyboardInterrupt:
        return 130
