"""Fit the learned second opinions (:mod:`alongside.learned`) from the labelled corpus.

Run at build time, not in a trainee's kernel (it needs scikit-learn, a development dependency):

    .venv/bin/python -m alongside.train_marking tests/data/corpus

For each rubric criterion that looks for phrases (rules ``any`` and ``none``) and for the
language checker's verdict, it fits a logistic regression over words and word pairs (TF-IDF)
plus one feature for the patterns' own verdict, on the train split. On the validation split it
compares the patterns alone with the model at a range of thresholds and keeps the model only
where it agrees with the labels clearly more often there, and no less often than the patterns on
the train split (and, for the language checker, keeps false alarms at or under 0.10). Each model is written to ``data/models/<name>.json``, with the
figures that chose it. The test split is never read here.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from alongside import corpus
from alongside import rubric as rubric_engine
from alongside.learned import Model, model, tokens
from alongside.text import words

OUT = Path(__file__).resolve().parent / "data" / "models"
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(4, 17))  # 0.2 to 0.8: no edge cases
MARGIN = 0.02  # the model must beat the patterns on validation by this share of answers
MAX_FALSE_ALARMS = 0.10


def _fit(texts: list[str], hits: list[bool], labels: list[bool]) -> dict | None:
    """Fit one model; None when the labels are all one way (nothing to learn)."""
    if len(set(labels)) < 2:
        return None
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(analyzer=tokens, sublinear_tf=True, min_df=2, norm="l2")
    words = vectoriser.fit_transform(texts)
    features = hstack([words, csr_matrix([[float(h)] for h in hits])]).tocsr()
    fitted = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000).fit(features, labels)
    vocabulary = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.get)
    return {
        "vocabulary": vocabulary,
        "idf": [round(float(x), 5) for x in vectoriser.idf_],
        "weights": [round(float(x), 5) for x in fitted.coef_[0][:-1]],
        "rule_weight": round(float(fitted.coef_[0][-1]), 5),
        "intercept": round(float(fitted.intercept_[0]), 5),
    }


def _as_model(name: str, data: dict, threshold: float) -> Model:
    return Model(name, {t: i for i, t in enumerate(data["vocabulary"])}, tuple(data["idf"]),
                 tuple(data["weights"]), data["rule_weight"], data["intercept"], threshold)


def _digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def _write(name: str, data: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")


def _markable(rubric: rubric_engine.Rubric, item: corpus.Item) -> bool:
    text = rubric_engine.answer_text(rubric, item.answer)[1]
    return not item.junk and len(words(text)) >= rubric.min_words


def train_rubric(root: Path, rubric_id: str) -> list[str]:
    """Fit and write the models of one rubric's criteria; return one report line per criterion."""
    rubric = rubric_engine.load_rubric(rubric_id)
    train = [i for i in corpus.items(root, rubric_id, "train") if _markable(rubric, i)]
    valid = [i for i in corpus.items(root, rubric_id, "validation") if _markable(rubric, i)]
    lines = []
    for criterion in rubric.criteria:
        name = f"{rubric_id}.{criterion.id}"
        (OUT / f"{name}.json").unlink(missing_ok=True)
        model.cache_clear()
        if criterion.rule not in ("any", "none"):
            continue

        def rows(found, criterion=criterion):
            out = []
            for item in found:
                if criterion.id not in item.labels:
                    continue
                fields, text = rubric_engine.answer_text(rubric, item.answer)
                text = fields.get(criterion.field, "") if criterion.field else text
                met = bool(item.labels[criterion.id])
                present = met if criterion.rule == "any" else not met
                out.append((text, criterion._rules(text)[2], present))
            return out

        train_rows, valid_rows = rows(train), rows(valid)
        data = _fit([r[0] for r in train_rows], [r[1] for r in train_rows], [r[2] for r in train_rows])
        if data is None or not valid_rows:
            lines.append(f"{name}: patterns only ({'one label' if data is None else 'no validation data'})")
            continue
        rules_rate = sum(r[1] == r[2] for r in valid_rows) / len(valid_rows)
        best_rate, best_t = -1.0, 0.5
        for threshold in THRESHOLDS:
            fitted = _as_model(name, data, threshold)
            rate = sum(fitted.present(t, h) == y for t, h, y in valid_rows) / len(valid_rows)
            if rate > best_rate + 1e-9:
                best_rate, best_t = rate, threshold
        fitted = _as_model(name, data, best_t)
        train_rules = sum(r[1] == r[2] for r in train_rows) / len(train_rows)
        train_model = sum(fitted.present(t, h) == y for t, h, y in train_rows) / len(train_rows)
        # the model must beat the patterns on validation and not lose ground on what it learnt from
        if best_rate < rules_rate + MARGIN or train_model < train_rules:
            lines.append(f"{name}: patterns only (validation {rules_rate:.2f}; model {best_rate:.2f})")
            continue
        _write(name, {**data, "threshold": best_t, "trained_on": _digest(corpus.files_for(root, rubric_id, "train")),
                      "validation": {"patterns": round(rules_rate, 3), "combined": round(best_rate, 3), "n": len(valid_rows)}})
        lines.append(f"{name}: combined, threshold {best_t} (validation {rules_rate:.2f} -> {best_rate:.2f}, n={len(valid_rows)})")
    return lines


def train_language(root: Path) -> str:
    """Fit and write the language checker's second opinion; return a report line."""
    from alongside.language import rule_flags
    from alongside.text import sentences

    (OUT / "language.json").unlink(missing_ok=True)
    model.cache_clear()
    train = [i for i in corpus.items(root, "language", "train") if not i.junk and str(i.answer).strip()]
    valid = [i for i in corpus.items(root, "language", "validation") if not i.junk and str(i.answer).strip()]
    texts = [str(i.answer) for i in train]
    data = _fit(texts, [bool(rule_flags(t)) for t in texts], [i.labels["harmful"] for i in train])
    if data is None or not valid:
        return "language: patterns only (no data)"

    def verdict(fitted: Model | None, text: str) -> bool:
        if rule_flags(text):
            return True
        return fitted is not None and any(fitted.present(s, False) for s in sentences(text))

    def rates(fitted: Model | None) -> tuple[float, float, float]:
        harmful = [i for i in valid if i.labels["harmful"]]
        clean = [i for i in valid if not i.labels["harmful"]]
        found = sum(verdict(fitted, str(i.answer)) for i in harmful) / len(harmful)
        alarms = sum(verdict(fitted, str(i.answer)) for i in clean) / len(clean)
        return found, alarms, (found + 1 - alarms) / 2

    base = rates(None)
    best = None
    for threshold in THRESHOLDS:
        found, alarms, balanced = rates(_as_model("language", data, threshold))
        if alarms <= MAX_FALSE_ALARMS and (best is None or balanced > best[2]):
            best = (found, alarms, balanced, threshold)
    if best is None or best[2] < base[2] + MARGIN:
        return f"language: patterns only (validation found {base[0]:.2f}, false alarms {base[1]:.2f})"
    _write("language", {**data, "threshold": best[3],
                        "trained_on": _digest(corpus.files_for(root, "language", "train")),
                        "validation": {"patterns": {"found": round(base[0], 3), "false_alarms": round(base[1], 3)},
                                       "combined": {"found": round(best[0], 3), "false_alarms": round(best[1], 3)}}})
    return (f"language: combined, threshold {best[3]} (validation found {base[0]:.2f} -> {best[0]:.2f}, "
            f"false alarms {base[1]:.2f} -> {best[1]:.2f})")


def main(argv: list[str] | None = None) -> int:
    """Train every model from the corpus folder given (default tests/data/corpus)."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path("tests/data/corpus")
    model.cache_clear()
    print(train_language(root))  # first: the rubrics' harm criteria ask the language checker
    model.cache_clear()
    for rubric_id in rubric_engine.rubric_ids():
        for line in train_rubric(root, rubric_id):
            print(line)
    model.cache_clear()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
