"""Build the reflection classifier (data/cered/model.csv) from CEReD's English training split.

    python -m alongside.train_reflection              rebuild data/cered/model.csv from data/cered/train.csv
    python -m alongside.train_reflection --cv         print 5-fold cross-validated accuracy on train.csv
    python -m alongside.train_reflection --import DIR copy CEReD's train.tsv and val.tsv from DIR
                                                      into data/cered/ (columns idx, sentence, y)

Training is deterministic: the same train.csv gives the same model.csv, byte for byte. The
choices below were made by 5-fold cross-validation on train.csv only; the validation split
(val.csv) is used once, to report accuracy (benchmarks/reflection_accuracy.py).

- Features (see data/reflection.yaml): TF-IDF over words and pairs of words, keeping one-letter
  words such as "I" and the marks ! ? : (scikit-learn's default pattern drops "I", the most
  telling word for reflective writing), plus cue tokens for tense, person, feeling, learning,
  sentence length and so on. Words seen in only one training sentence are dropped.
- Model: a linear support vector machine (scikit-learn's LinearSVC, C=0.5), with class weights
  the square root of "balanced", so the rare categories (Intention, Learning, Perspective) are
  found more often at a small cost to overall accuracy.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from pathlib import Path

from alongside.reflection import CATEGORIES, INTERCEPT, featurize, settings

CERED = Path(__file__).resolve().parent / "data" / "cered"
C = 0.5
MIN_DF = 2
SEED = 0


def read_split(path: Path) -> tuple[list[str], list[str]]:
    """Sentences and their categories from a CSV split of data/cered/ (columns idx, sentence, y)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["sentence"] for r in rows], [r["y"] for r in rows]


def import_cered(source: Path, target: Path = CERED) -> None:
    """Copy CEReD's train.tsv and val.tsv (read with csv.QUOTE_NONE) into target as CSV: idx, sentence, y."""
    for split in ("train", "val"):
        with (source / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        unknown = {r["y"] for r in rows} - set(CATEGORIES)
        if unknown:
            raise ValueError(f"{split}.tsv: unknown categories {sorted(unknown)}")
        with (target / f"{split}.csv").open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(["idx", "sentence", "y"])
            out.writerows([r["idx"], r["sentence"], r["y"]] for r in rows)


def class_weights(labels: list[str]) -> dict[str, float]:
    """The square root of scikit-learn's "balanced" weights: n / (k * count) for each category."""
    counts = Counter(labels)
    return {c: (len(labels) / (len(counts) * n)) ** 0.5 for c, n in counts.items()}


def train(sentences: list[str], labels: list[str]):
    """Fit the vectorizer and the linear SVM; return both (scikit-learn objects)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(
        token_pattern=settings()["features"]["token_pattern"], ngram_range=(1, 2), sublinear_tf=True, min_df=MIN_DF
    )
    matrix = vectorizer.fit_transform([featurize(s) for s in sentences])
    svm = LinearSVC(C=C, class_weight=class_weights(labels), random_state=SEED, max_iter=5000)
    svm.fit(matrix, labels)
    return vectorizer, svm


def _number(x: float) -> str:
    return format(float(x), ".6g")


def model_csv(vectorizer, svm) -> str:
    """The model as CSV text: header, intercept row, then each feature (sorted) with its idf and weights."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "idf", *svm.classes_])
    writer.writerow([INTERCEPT, "", *(_number(b) for b in svm.intercept_)])
    weights = svm.coef_.T
    for feature, column in sorted(vectorizer.vocabulary_.items()):
        writer.writerow([feature, _number(vectorizer.idf_[column]), *(_number(w) for w in weights[column])])
    return out.getvalue()


def build(train_csv: Path = CERED / "train.csv") -> str:
    """Train on a split and return the model's CSV text (what data/cered/model.csv holds)."""
    return model_csv(*train(*read_split(train_csv)))


def cross_validate(train_csv: Path = CERED / "train.csv", folds: int = 5) -> float:
    """Mean accuracy of the training recipe over stratified folds of the training split."""
    from sklearn.model_selection import StratifiedKFold

    sentences, labels = read_split(train_csv)
    right = 0
    for fit, held in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(sentences, labels):
        vectorizer, svm = train([sentences[i] for i in fit], [labels[i] for i in fit])
        guesses = svm.predict(vectorizer.transform([featurize(sentences[i]) for i in held]))
        right += sum(g == labels[i] for g, i in zip(guesses, held))
    return right / len(sentences)


def main(argv: list[str] | None = None) -> int:
    """Rebuild the model, cross-validate, or import CEReD's files."""
    parser = argparse.ArgumentParser(prog="python -m alongside.train_reflection", description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="print 5-fold cross-validated accuracy on train.csv")
    parser.add_argument("--import", dest="source", metavar="DIR", help="copy CEReD's train.tsv and val.tsv from DIR")
    args = parser.parse_args(argv)
    if args.source:
        import_cered(Path(args.source))
        print(f"copied train and val from {args.source} into {CERED}")
    if args.cv:
        print(f"5-fold cross-validated accuracy on train.csv: {cross_validate():.4f}")
        return 0
    (CERED / "model.csv").write_text(build(), encoding="utf-8")
    print(f"wrote {CERED / 'model.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
