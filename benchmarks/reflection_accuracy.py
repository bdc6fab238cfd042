"""Accuracy of the reflection classifier on CEReD's English validation split (data/cered/val.csv).

Run: .venv/bin/python benchmarks/reflection_accuracy.py [--cv]

Prints, for a TF-IDF and logistic-regression baseline and for the shipped model
(data/cered/model.csv): nine-way accuracy, per-category F1 and the accuracy of the part
(What? So what? Now what? or other). With --cv it also prints the training recipe's 5-fold
cross-validated accuracy on train.csv. The validation split is small (339 sentences; only 1
Intention, 2 Learning and 4 Perspective), so per-category F1 for those is very noisy.
"""

from __future__ import annotations

import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from alongside import reflection
from alongside.train_reflection import CERED, cross_validate, read_split


def baseline(train_sentences: list[str], train_labels: list[str], sentences: list[str]) -> list[str]:
    """The usual baseline: scikit-learn's default TF-IDF and logistic regression."""
    vectorizer = TfidfVectorizer()
    model = LogisticRegression(max_iter=1000).fit(vectorizer.fit_transform(train_sentences), train_labels)
    return list(model.predict(vectorizer.transform(sentences)))


def report(name: str, labels: list[str], guesses: list[str]) -> None:
    """Print accuracy, per-category F1 and part accuracy for one set of guesses."""
    part = {c: reflection.settings()["categories"][c]["part"] for c in reflection.CATEGORIES}
    accuracy = sum(g == y for g, y in zip(guesses, labels)) / len(labels)
    part_accuracy = sum(part[g] == part[y] for g, y in zip(guesses, labels)) / len(labels)
    f1 = f1_score(labels, guesses, labels=list(reflection.CATEGORIES), average=None, zero_division=0)
    print(f"{name}: nine-way accuracy {accuracy:.3f}, part accuracy {part_accuracy:.3f}, macro F1 {f1.mean():.3f}")
    print("  F1: " + ", ".join(f"{c} {f:.2f}" for c, f in zip(reflection.CATEGORIES, f1)))


def main(argv: list[str]) -> int:
    train_sentences, train_labels = read_split(CERED / "train.csv")
    sentences, labels = read_split(CERED / "val.csv")
    print(f"CEReD English validation split: {len(labels)} sentences (training split: {len(train_labels)})")
    report("TF-IDF + logistic regression baseline", labels, baseline(train_sentences, train_labels, sentences))
    started = time.perf_counter()
    reflection.model()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    guesses = reflection.classify(sentences)
    took = time.perf_counter() - started
    report("Shipped model (data/cered/model.csv)", labels, guesses)
    print(f"  model load {loaded:.2f} s; {len(sentences)} sentences classified in {took:.2f} s")
    if "--cv" in argv:
        print(f"Training recipe, 5-fold cross-validated accuracy on train.csv: {cross_validate():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
