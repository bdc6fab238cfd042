"""Fit the learned second opinions (:mod:`alongside.learned`) from the labelled corpus.

Run at build time, not in a trainee's kernel (it needs scikit-learn, a development dependency):

    .venv/bin/python -m alongside.train_marking tests/data/corpus

``alongside train --course DIR`` runs the same training for one course: the shipped corpus and the
course's moderated answers (``DIR/moderation/labelled.yaml``, as extra train data), with the models
written into ``DIR/.alongside/models/`` rather than the package (:func:`train_all`), and the
validation figures before and after (:func:`validation_figures`).

For each rubric criterion that looks for phrases (rules ``any`` and ``none``) and for the
language checker's verdict, it fits a logistic regression over words and word pairs (TF-IDF)
plus one feature for the patterns' own verdict, on the train split. On the validation split it
compares the patterns alone with the model at a range of thresholds and keeps the model only
where it agrees with the labels clearly more often there, and no less often than the patterns on
the train split. The language checker's model is chosen another way (see
:func:`train_language`). Each model is written to ``data/models/<name>.json``, with the
figures that chose it. The test split is never read here.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from alongside import corpus, learned
from alongside import rubric as rubric_engine
from alongside.learned import Model, tokens
from alongside.text import sentences, words

OUT = Path(__file__).resolve().parent / "data" / "models"
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(4, 17))  # 0.2 to 0.8: no edge cases
MARGIN = 0.02  # the model must beat the patterns on validation by this share of answers
# The language model's threshold keeps its false alarms at or under this, on left-out authors and
# on the validation split: well below the 0.10 the course allows (issue 17), because on an author
# new to it they run higher (at 0.06 here, the next test author, m4, had 0.09).
ALARM_BUDGET = 0.04
LANGUAGE_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(10, 20))  # 0.5 to 0.95


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


def training_files(root: Path, checker: str, extra: tuple[Path, ...] = ()) -> list[Path]:
    """Every corpus file a checker's model learns from: its own train files, and for the language
    checker also the rubrics' and letters' train files (:func:`_clean_answers`)."""
    checkers = [checker] + ([*rubric_engine.rubric_ids(), "letter"] if checker == "language" else [])
    return list(dict.fromkeys(path for name in checkers for path in corpus.files_for(root, name, "train", extra)))


def _digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def _write(out: Path, name: str, data: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")


def _markable(rubric: rubric_engine.Rubric, item: corpus.Item) -> bool:
    text = rubric_engine.answer_text(rubric, item.answer)[1]
    return not item.junk and len(words(text)) >= rubric.min_words


def _rows(rubric: rubric_engine.Rubric, criterion: rubric_engine.Criterion,
          found: list[corpus.Item]) -> list[tuple[str, bool, bool]]:
    """(text the criterion reads, whether the patterns found its target, whether the label says it is there)."""
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


def train_rubric(root: Path, rubric_id: str, out: Path = OUT, extra: tuple[Path, ...] = ()) -> list[str]:
    """Fit and write (into ``out``) the models of one rubric's criteria; return one report line per criterion."""
    rubric = rubric_engine.load_rubric(rubric_id)
    train = [i for i in corpus.items(root, rubric_id, "train", extra) if _markable(rubric, i)]
    valid = [i for i in corpus.items(root, rubric_id, "validation") if _markable(rubric, i)]
    lines = []
    for criterion in rubric.criteria:
        name = f"{rubric_id}.{criterion.id}"
        (out / f"{name}.json").unlink(missing_ok=True)
        learned.forget()
        if criterion.rule not in ("any", "none"):
            continue
        if criterion.model_name:  # `same_as`: marked by the other rubric's criterion, with its model
            lines.append(f"{name}: as {criterion.model_name}")
            continue
        train_rows, valid_rows = _rows(rubric, criterion, train), _rows(rubric, criterion, valid)
        data = _fit([r[0] for r in train_rows], [r[1] for r in train_rows], [r[2] for r in train_rows])
        lines.append(_keep_if_better(name, data, _rubric_agreement, train_rows, valid_rows,
                                     training_files(root, rubric_id, extra), out))
    return lines


def _rubric_agreement(fitted: Model | None, rows: list[tuple[str, bool, bool]]) -> float:
    """Share of (text, patterns' verdict, label) rows where the marking agrees: the model's combined
    verdict, or the patterns' alone when ``fitted`` is None."""
    return sum((fitted.present(t, h) if fitted else h) == y for t, h, y in rows) / len(rows)


def _keep_if_better(name: str, data: dict | None, agreement, train_rows: list, valid_rows: list,
                    sources: list[Path], out: Path) -> str:
    """Choose a fitted model's threshold and write it (into ``out``) only where it beats the
    patterns on validation and loses no ground on train; return the report line. ``agreement``
    (model or None for the patterns alone, rows) gives the share of rows where the marking agrees."""
    if data is None or not valid_rows:
        return f"{name}: patterns only ({'one label' if data is None else 'no validation data'})"
    rules_rate, train_rules = agreement(None, valid_rows), agreement(None, train_rows)
    # per threshold: (validation rate, train rate); among thresholds within one answer of the
    # best on validation, the one that also agrees best with train (the team's examples included)
    tried = {}
    for threshold in THRESHOLDS:
        fitted = _as_model(name, data, threshold)
        tried[threshold] = (agreement(fitted, valid_rows), agreement(fitted, train_rows))
    top = max(rate for rate, _ in tried.values())
    best_t = max((t for t, (rate, _) in tried.items() if rate >= top - 1 / len(valid_rows) - 1e-9),
                 key=lambda t: (tried[t][1], tried[t][0]))
    best_rate, train_model = tried[best_t]
    # the model must beat the patterns on validation and not lose ground on what it learnt from
    if best_rate < rules_rate + MARGIN or train_model < train_rules:
        return f"{name}: patterns only (validation {rules_rate:.2f}; model {best_rate:.2f})"
    _write(out, name, {**data, "threshold": best_t, "trained_on": _digest(sources),
                       "validation": {"patterns": round(rules_rate, 3), "combined": round(best_rate, 3),
                                      "n": len(valid_rows)}})
    return f"{name}: combined, threshold {best_t} (validation {rules_rate:.2f} -> {best_rate:.2f}, n={len(valid_rows)})"


def train_letter(root: Path, out: Path = OUT, extra: tuple[Path, ...] = ()) -> list[str]:
    """Fit and write (into ``out``) the letter checker's models, one per "no surprises" item marked
    ``learned`` in letter.yaml; return report lines.

    Each reads one sentence at a time, and is asked only where the patterns miss its item. It
    learns from the sentences where the patterns found the item in letters labelled as giving it
    (against the sentences there where they found only other items) and every sentence of letters
    labelled as not giving it; then, in the letters labelled as giving it where the patterns found
    nothing, the sentence that first model is surest of (among those where the patterns found no
    item, the only ones it is asked about) joins the examples, and it is fitted again. It is kept,
    with the threshold that agrees best with the validation letters, only where it beats the
    patterns there and loses no ground on train (:func:`_keep_if_better`)."""
    from alongside.letter import (ITEM_IDS, LetterError, check_letter, child_names, item_evidence, learned_sentence,
                                  letter_sentences, plain_text, rules)

    for item_id in ITEM_IDS:
        (out / f"letter.{item_id}.json").unlink(missing_ok=True)
    learned.forget()

    def letters(split: str) -> list[tuple[list[str], list, dict]]:
        out = []
        for item in corpus.items(root, "letter", split, extra):
            try:
                check_letter(str(item.answer))
            except LetterError:
                continue
            if not item.junk:
                text = plain_text(str(item.answer))
                units = letter_sentences(text)
                out.append((units, item_evidence(units, child_names(text)), item.labels))
        return out

    def agreement(fitted: Model | None, rows: list) -> float:
        """Share of (sentences, evidence, patterns' verdict, label) rows where the checker agrees."""
        def verdict(units: list[str], ev: list, held: bool) -> bool:
            return held or (fitted is not None and learned_sentence(fitted, units, ev) is not None)
        return sum(verdict(u, ev, h) == y for u, ev, h, y in rows) / len(rows)

    train, valid = letters("train"), letters("validation")
    sources, lines = training_files(root, "letter", extra), []
    for k, item in enumerate(rules().items):
        item_id, name = item.id, f"letter.{item.id}"
        if not item.learned:
            lines.append(f"{name}: patterns only (not marked learned in letter.yaml)")
            continue
        labelled = [(units, ev, bool(labels[item_id])) for units, ev, labels in train if item_id in labels]
        texts, ys = [], []
        for units, ev, given in labelled:
            if not given:
                texts += units
                ys += [False] * len(units)
                continue
            mine = {i for i, _ in ev[k][1]}
            # a sentence where the patterns found only other items is an example of what this is not
            others = {i for j, (_, seen) in enumerate(ev) if j != k for i, _ in seen} - mine
            texts += [units[i] for i in sorted(mine)] + [units[i] for i in sorted(others)]
            ys += [True] * len(mine) + [False] * len(others)
        data = _fit(texts, [False] * len(texts), ys)
        if data is not None:
            first = _as_model(name, data, 0.0)
            for units, ev, given in labelled:
                best = learned_sentence(first, units, ev) if given and not ev[k][0] else None
                if best is not None:
                    texts.append(units[best])
                    ys.append(True)
            data = _fit(texts, [False] * len(texts), ys)
        train_rows = [(u, ev, ev[k][0], bool(labels[item_id])) for u, ev, labels in train if item_id in labels]
        valid_rows = [(u, ev, ev[k][0], bool(labels[item_id])) for u, ev, labels in valid if item_id in labels]
        lines.append(_keep_if_better(name, data, agreement, train_rows, valid_rows, sources, out))
    return lines


def _clean_answers(root: Path, extra: tuple[Path, ...] = ()) -> list[tuple[str, str]]:
    """(author, text) of train answers whose criteria about what to avoid are all labelled met
    (harm where the rubric judges it, else deficit labels and the like), and letters labelled
    free of blame: words that do no harm, in the shapes trainees write (summaries, lists, plans,
    letters), so that the checker's model learns those are not harm."""
    out = []
    for rubric_id in rubric_engine.rubric_ids():
        rubric = rubric_engine.load_rubric(rubric_id)
        # the criteria that say what to avoid: the harm criteria where the rubric has them, else
        # every "none" criterion (no deficit labels, no jargon left in a plan)
        avoid = [c.id for c in rubric.criteria if c.harm] or [c.id for c in rubric.criteria if c.rule == "none"]
        for item in corpus.items(root, rubric_id, "train", extra):
            if not item.junk and all(item.labels.get(c) is True for c in avoid):
                text = rubric_engine.answer_text(rubric, item.answer)[1]
                if text.strip():
                    out.append((item.author, text))
    for item in corpus.items(root, "letter", "train"):
        if not item.junk and item.labels.get("blame_free") is True and str(item.answer).strip():
            out.append((item.author, str(item.answer)))
    return out


def train_language(root: Path, out: Path = OUT, extra: tuple[Path, ...] = ()) -> str:
    """Fit and write (into ``out``) the language checker's second opinion; return a report line.

    It reads only the sentences the patterns pass, so it is fitted on the words alone (no
    feature for the patterns' verdict), on the train statements and on the sentences of train
    answers and letters that do no harm (:func:`_clean_answers`). Its threshold is chosen by leaving out one train
    author at a time (their statements and their answers).
    The patterns were tuned once on the validation split (stop 18), so that split
    flatters them and cannot judge what the model adds, though it can judge the false alarms the
    model adds, never having seen it. The threshold finds the most harm, pooled over the left-out
    authors, at no more than ``ALARM_BUDGET`` false alarms there and on the validation split; the
    model is kept when that is clearly more than the patterns find.
    """
    from alongside.language import MODEL_MIN_WORDS, rule_flags, second_opinion

    (out / "language.json").unlink(missing_ok=True)
    learned.forget()

    def usable(split: str) -> list[corpus.Item]:
        return [i for i in corpus.items(root, "language", split) if not i.junk and str(i.answer).strip()]

    train, valid = usable("train"), usable("validation")
    # the model reads one sentence at a time, so the answers that do no harm are learnt sentence by
    # sentence: each of their sentences does no harm (a harmful statement's sentences cannot be told apart)
    clean = [(author, sentence) for author, text in _clean_answers(root, extra)
             for sentence in sentences(text) if len(words(sentence)) >= MODEL_MIN_WORDS]

    def fit(without: str | None = None) -> dict | None:
        """Fitted on every train author's statements and clean answers but ``without``'s."""
        found = [i for i in train if i.author != without]
        texts = [str(i.answer) for i in found] + [text for author, text in clean if author != without]
        labels = [i.labels["harmful"] for i in found] + [False] * (len(texts) - len(found))
        return _fit(texts, [False] * len(texts), labels)

    def verdict(fitted: Model | None, text: str) -> bool:
        return bool(rule_flags(text)) or bool(second_opinion(text, fitted))

    def rates(pairs: list[tuple[Model | None, corpus.Item]]) -> tuple[float, float]:
        """(share of harmful statements found, share of kind ones flagged), each with its model."""
        harmful = [(m, i) for m, i in pairs if i.labels["harmful"]]
        kind = [(m, i) for m, i in pairs if not i.labels["harmful"]]
        found = sum(verdict(m, str(i.answer)) for m, i in harmful) / max(1, len(harmful))
        alarms = sum(verdict(m, str(i.answer)) for m, i in kind) / max(1, len(kind))
        return found, alarms

    folds = {}
    for author in sorted({i.author for i in train}):
        data = fit(without=author)
        if data is not None:
            folds[author] = data
    if not folds or not valid:
        return "language: patterns only (no data)"
    held = [i for i in train if i.author in folds]
    base = rates([(None, i) for i in held])
    data = fit()
    valid_base = rates([(None, i) for i in valid])
    best = None
    for threshold in LANGUAGE_THRESHOLDS:
        fold_models = {a: _as_model("language", d, threshold) for a, d in folds.items()}
        found, alarms = rates([(fold_models[i.author], i) for i in held])
        # the model never saw the validation split, so the false alarms it adds there are fair
        valid_alarms = rates([(_as_model("language", data, threshold), i) for i in valid])[1]
        if alarms <= ALARM_BUDGET and valid_alarms <= ALARM_BUDGET and (best is None or found > best[0]):
            best = (found, alarms, threshold)
    if best is None or best[0] < base[0] + MARGIN:
        return f"language: patterns only (left-out authors found {base[0]:.2f}, false alarms {base[1]:.2f})"
    fitted = _as_model("language", data, best[2])
    valid_model = rates([(fitted, i) for i in valid])
    if valid_model[0] < valid_base[0]:
        return f"language: patterns only (validation found {valid_model[0]:.2f} with the model)"
    figures = {"left_out_authors": {"patterns": {"found": round(base[0], 3), "false_alarms": round(base[1], 3)},
                                    "combined": {"found": round(best[0], 3), "false_alarms": round(best[1], 3)}},
               "validation": {"patterns": {"found": round(valid_base[0], 3), "false_alarms": round(valid_base[1], 3)},
                              "combined": {"found": round(valid_model[0], 3), "false_alarms": round(valid_model[1], 3)}}}
    _write(out, "language", {**data, "threshold": best[2],
                             "trained_on": _digest(training_files(root, "language", extra)), **figures})
    return (f"language: combined, threshold {best[2]} (left-out authors found {base[0]:.2f} -> {best[0]:.2f}, "
            f"false alarms {base[1]:.2f} -> {best[1]:.2f}; validation found {valid_base[0]:.2f} -> "
            f"{valid_model[0]:.2f}, false alarms {valid_base[1]:.2f} -> {valid_model[1]:.2f})")


def train_all(root: Path, out: Path = OUT, extra: tuple[Path, ...] = ()) -> list[str]:
    """Train every model from the corpus at ``root`` (and the ``extra`` labelled files) into ``out``,
    marking with ``out``'s models meanwhile; return the report lines."""
    before = learned.use_models(out)
    learned.forget()
    try:
        lines = [train_language(root, out, extra)]  # first: the rubrics' harm criteria ask the language checker
        learned.forget()
        for rubric_id in rubric_engine.rubric_ids():
            lines.extend(train_rubric(root, rubric_id, out, extra))
        lines.extend(train_letter(root, out, extra))
    finally:
        learned.use_models(before)
        learned.forget()
    return lines


def validation_figures(root: Path) -> dict[str, float]:
    """With the models in use now: per rubric criterion that looks for phrases, the share of the
    validation split's answers whose label the marking agrees with; for the language checker,
    ``language.found`` and ``language.false_alarms`` on the validation statements."""
    from alongside.language import rule_flags, second_opinion

    figures = {}
    for rubric_id in rubric_engine.rubric_ids():
        rubric = rubric_engine.load_rubric(rubric_id)
        valid = [i for i in corpus.items(root, rubric_id, "validation") if _markable(rubric, i)]
        for criterion in rubric.criteria:
            rows = _rows(rubric, criterion, valid) if criterion.rule in ("any", "none") else []
            if rows:
                fitted = learned.model(criterion.model_name or f"{rubric_id}.{criterion.id}")
                figures[f"{rubric_id}.{criterion.id}"] = _rubric_agreement(fitted, rows)
    statements = [i for i in corpus.items(root, "language", "validation") if not i.junk and str(i.answer).strip()]
    fitted = learned.model("language")

    def flagged(text: str) -> bool:
        return bool(rule_flags(text)) or bool(second_opinion(text, fitted))

    harmful = [i for i in statements if i.labels["harmful"]]
    kind = [i for i in statements if not i.labels["harmful"]]
    if harmful and kind:
        figures["language.found"] = sum(flagged(str(i.answer)) for i in harmful) / len(harmful)
        figures["language.false_alarms"] = sum(flagged(str(i.answer)) for i in kind) / len(kind)
    return figures


def compare(before: dict[str, float], after: dict[str, float]) -> list[str]:
    """Lines for the trainer: each validation figure that changed (before -> after), then the mean over every criterion."""
    lines = [f"  {name}: {before.get(name, float('nan')):.3f} -> {after.get(name, float('nan')):.3f}"
             for name in sorted(set(before) | set(after)) if abs(before.get(name, -1.0) - after.get(name, -1.0)) > 1e-9]
    criteria = sorted(n for n in set(before) & set(after) if not n.startswith("language."))
    if criteria:
        mean_before = sum(before[n] for n in criteria) / len(criteria)
        mean_after = sum(after[n] for n in criteria) / len(criteria)
        lines.append(f"{len(lines)} of {len(set(before) | set(after))} figures changed; mean agreement over "
                     f"{len(criteria)} criteria {mean_before:.3f} -> {mean_after:.3f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Train every model from the corpus folder given (default tests/data/corpus)."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path("tests/data/corpus")
    for line in train_all(root):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
