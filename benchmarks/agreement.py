"""Print how often each rubric's criteria and the language checker agree with labelled examples.

Run: .venv/bin/python benchmarks/agreement.py
"""

from pathlib import Path

from alongside.agreement import language_agreement, load_examples, rubric_agreement

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _row(a) -> str:
    held = f"{a.held_rate:5.2f} ({a.held_agree}/{a.held_total})" if a.held_total else "    -"
    return f"  {a.name:24} all {a.rate:5.2f} ({a.agree}/{a.total})   held out {held}"


def main() -> None:
    for path in sorted(DATA.glob("*.examples.yaml")):
        data = load_examples(path)
        if "rubric" in data:
            print(f"rubric {data['rubric']}: {len(data['examples'])} examples")
            for agreement in rubric_agreement(path).values():
                print(_row(agreement))
    path = DATA / "language.examples.yaml"
    print(f"language checker: {len(load_examples(path)['examples'])} statements")
    print("  (harmful: verdict agrees; clean_flagged: clean statements left clean; categories: recall)")
    for agreement in language_agreement(path).values():
        print(_row(agreement))


if __name__ == "__main__":
    main()
