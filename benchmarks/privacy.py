"""Print how often the privacy warning raises false alarms on the course's own texts, how often it finds
made-up identifying details, and how long it takes on a 300-word text.

Run: .venv/bin/python benchmarks/privacy.py
"""

import statistics
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:6.1%} ({part}/{whole})" if whole else "     -"


def _load_time() -> float:
    start = time.perf_counter()
    from alongside.privacy import warning

    warning("Sarah Thompson at Oakfield Primary.")
    return time.perf_counter() - start


def main() -> None:
    loaded = _load_time()
    from alongside.course_texts import course_texts
    from alongside.privacy import personal_details, warning

    texts = course_texts(ROOT)
    print(f"course texts (notebooks in course/ and solutions/, data files): {len(texts)}")
    in_context = sum(bool(personal_details(t.text, t.kind, t.module)) for t in texts)
    print(f"  false alarms, as the course checks them (module's cast, letters as letters): {_rate(in_context, len(texts))}")
    bare = sum(bool(personal_details(t.text)) for t in texts)
    print(f"  texts that would warn with no cast and no letter context:                   {_rate(bare, len(texts))}")

    letters = [yaml.safe_load(p.read_text(encoding="utf-8"))["text"] for p in sorted((DATA / "letters").glob("*.yaml"))]
    sender = {"phone number", "email address", "named school or setting"}
    own = sum(bool(sender & {d["kind"] for d in personal_details(t, kind="letter")}) for t in letters)
    any_ = sum(bool(personal_details(t, kind="letter")) for t in letters)
    print(f"letter checker's example letters: {len(letters)} (invented families, not in the cast)")
    print(f"  warn on the sender's phone, email or setting:  {_rate(own, len(letters))}")
    print(f"  warn at all (another person named once):       {_rate(any_, len(letters))}")

    examples = yaml.safe_load((DATA / "privacy.examples.yaml").read_text(encoding="utf-8"))
    found = [{d["kind"] for d in personal_details(e["text"])} for e in examples["identifying"]]
    hits = sum(bool(f) for f in found)
    complete = sum(set(e["kinds"]) <= f for e, f in zip(examples["identifying"], found))
    print(f"made-up identifying texts (tests/data/privacy.examples.yaml): {len(found)}")
    print(f"  warned:                        {_rate(hits, len(found))}")
    print(f"  every kind of detail found:    {_rate(complete, len(found))}")
    clean = sum(bool(personal_details(t)) for t in examples["clean"])
    print(f"  clean texts that warned:       {_rate(clean, len(examples['clean']))}")

    letter = yaml.safe_load((DATA / "letters" / "04-cp-conference-good.yaml").read_text(encoding="utf-8"))["text"]
    words = letter.split()
    text = " ".join((words * 2)[:300])
    print(f"time (first call, loading the lists): {loaded * 1000:.0f} ms")
    for kind in ("reflection", "letter"):
        runs = []
        for _ in range(30):
            start = time.perf_counter()
            for _ in range(10):
                warning(text, kind=kind, module="08-safeguarding")
            runs.append((time.perf_counter() - start) / 10)
        print(f"time per 300-word text, as {kind}: median {statistics.median(runs) * 1000:.2f} ms, "
              f"slowest {max(runs) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
