"""Print how often the marking agrees with labelled answers.

Run: .venv/bin/python benchmarks/agreement.py [--test]

First the course team's own examples (tests/data/*.examples.yaml), then the labelled corpus
(tests/data/corpus/) split by author: train and validation always, the test split only with
--test (score it once, at the end of a piece of work, for the closing note). Also prints the
time to score one answer.
"""

import sys
import time
from pathlib import Path

from alongside import corpus
from alongside.agreement import corpus_agreement, corpus_qwk, language_agreement, load_examples, rubric_agreement
from alongside.rubric import rubric_ids, score

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
CORPUS = DATA / "corpus"


def _row(a) -> str:
    held = f"{a.held_rate:5.2f} ({a.held_agree}/{a.held_total})" if a.held_total else "    -"
    return f"  {a.name:24} all {a.rate:5.2f} ({a.agree}/{a.total})   held out {held}"


def team_examples() -> None:
    """The course team's own labelled examples (these flatter the marking: we wrote both)."""
    print("== the team's own examples ==")
    for path in sorted(DATA.glob("*.examples.yaml")):
        data = load_examples(path)
        if "rubric" in data:
            print(f"rubric {data['rubric']}: {len(data['examples'])} examples")
            for agreement in rubric_agreement(path).values():
                print(_row(agreement))
    path = DATA / "language.examples.yaml"
    print(f"language checker: {len(load_examples(path)['examples'])} statements")
    for agreement in language_agreement(path).values():
        print(_row(agreement))


def corpus_figures(splits: list[str]) -> None:
    """Agreement per criterion on each split of the independent corpus, and QWK of totals."""
    print(f"\n== independent corpus, by split: {', '.join(splits)} ==")
    for checker in ["language", "letter", *rubric_ids()]:
        counts = {s: len(corpus.items(CORPUS, checker, s)) for s in splits}
        if not any(counts[s] for s in splits if s != "train"):
            continue
        print(f"{checker}: " + ", ".join(f"{s} {counts[s]}" for s in splits))
        tables = {s: corpus_agreement(CORPUS, checker, s) for s in splits}
        for key in tables[splits[0]]:
            cells = []
            for s in splits:
                a = tables[s].get(key)
                cells.append(f"{s} {a.rate:4.2f} ({a.agree}/{a.total})" if a and a.total else f"{s}    -")
            print(f"  {key:24} " + "   ".join(cells))
        if checker not in ("language", "letter"):
            print(f"  {'total-score QWK':24} " + "   ".join(
                f"{s} {corpus_qwk(CORPUS, checker, s):4.2f}" if counts[s] else f"{s}    -" for s in splits))


def timing() -> None:
    """Milliseconds to score one answer, on this machine, one core."""
    answers = [str(i.answer) for i in corpus.items(CORPUS, "listening-response", "train")][:60]
    score("listening-response", answers[0])  # load data and models first
    start = time.perf_counter()
    for answer in answers:
        score("listening-response", answer)
    per = (time.perf_counter() - start) / len(answers) * 1000
    print(f"\nscoring time: {per:.1f} ms per listening reply (mean of {len(answers)})")


def main() -> None:
    team_examples()
    corpus_figures(["train", "validation", "test"] if "--test" in sys.argv else ["train", "validation"])
    timing()


if __name__ == "__main__":
    main()
