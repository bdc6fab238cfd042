"""Per-item accuracy of the letter checker on the hand-labelled letters in tests/data/letters/.

Run: .venv/bin/python benchmarks/letter_accuracy.py [--verbose]

Each letter file has an ``expect`` block written by a person reading the letter. For every
"no surprises" item, for jargon and blame (any found or not) and for ``passes``, this prints
how often the checker agrees, over all letters and for each set: "tune" letters (01-30) were
written first and used to write the phrase lists; "later" letters (31-50) were written in two
rounds after the lists were settled, each round run once as held-out letters and then used to fix
what it showed up; "holdout" is for letters written after the last change to the lists.
--verbose lists each disagreement.

First runs on held-out letters, before the fixes they led to (agreement per item):

    item                 31-42 (12 letters)   43-50 (8 letters)
    when_where           1.00                 0.88
    who_attends          0.75                 0.88
    format               1.00                 1.00
    child                0.92                 0.88
    supporter            1.00                 0.88
    interpreter_access   1.00                 1.00
    contact              0.92                 1.00
    jargon               0.92                 0.88
    blame                1.00                 0.88
    passes               0.83                 0.62
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from alongside.letter import ITEM_IDS, check_letter

LETTERS = Path(__file__).resolve().parents[1] / "tests" / "data" / "letters"
ITEMS = (*ITEM_IDS, "jargon", "blame", "passes")


def load_letters() -> list[dict]:
    """Every labelled letter, with its file name."""
    out = []
    for path in sorted(LETTERS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["name"] = path.stem
        out.append(data)
    return out


def labelled_pairs(letter: dict) -> dict[str, tuple[bool, bool]]:
    """Per item, (expected, found) for one letter."""
    result = check_letter(letter["text"])
    expect = letter["expect"]
    # letters labelled before an item was added (purpose, in stop 18) are not scored on it
    pairs = {i: (expect["no_surprises"][i], result["no_surprises"][i]) for i in ITEM_IDS if i in expect["no_surprises"]}
    pairs["jargon"] = (bool(expect["jargon"]), bool(result["jargon"]))
    pairs["blame"] = (bool(expect["blame"]), bool(result["blame"]))
    pairs["passes"] = (expect["passes"], result["passes"])
    return pairs


def main(argv: list[str]) -> int:
    letters = load_letters()
    verbose = "--verbose" in argv
    sets = ("all", "tune", "later", "holdout")
    rows = {name: {i: [] for i in ITEMS} for name in sets}
    for letter in letters:
        pairs = labelled_pairs(letter)
        for item, (want, got) in pairs.items():
            rows["all"][item].append(want == got)
            rows[letter.get("set", "tune")][item].append(want == got)
            if verbose and want != got:
                print(f"  {letter['name']}: {item} expected {want}, checker says {got}")
    counts = {name: len(next(iter(r.values()))) for name, r in rows.items()}
    print("Letter checker agreement with hand labels (" + ", ".join(f"{name}: {counts[name]}" for name in sets) + " letters)")
    print(f"{'item':20s} " + " ".join(f"{name:>8s}" for name in sets))
    for item in ITEMS:
        cells = []
        for name in sets:
            agree = rows[name][item]
            cells.append(f"{sum(agree) / len(agree):8.2f}" if agree else f"{'-':>8s}")
        print(f"{item:20s} {' '.join(cells)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
